package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.tools.json.JSONParser;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesNestedValuesInOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", 1);
        value.put("a", List.of(true, "x"));
        value.put("n", null);
        value.put("e", Map.of());

        assertThat(Json.write(value)).isEqualTo("{\"b\":1,\"a\":[true,\"x\"],\"n\":null,\"e\":{}}");
    }

    @Test
    void escapedStringsReadBackUnchanged() throws Exception {
        String nasty = "status = 'success'::request_status \"quoted\" back\\slash\ttab\nline\u0001\u001f é ✅";

        Object parsed = new JSONParser().parse(Json.write(Arrays.asList(nasty, 2.5, -3L)));

        assertThat(parsed).isEqualTo(List.of(nasty, 2.5, -3L));
        assertThat(Json.write(nasty)).contains("\\u0001", "\\u001f", "\\\"quoted\\\"", "back\\\\slash");
    }
}
