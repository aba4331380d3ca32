package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.UserPage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerAnalyticsJackson2ModuleTest {

    private final JsonMapper mapper =
            JsonMapper.builder().addModule(new LedgerAnalyticsJackson2Module()).build();

    @Test
    void writesTheDerivedValuesOfOurResults() throws Exception {
        assertThat(mapper.writeValueAsString(new UserPage(List.of(), "next-page")))
                .isEqualTo("{\"users\":[],\"next\":\"next-page\",\"hasNext\":true}");
    }

    @Test
    void writesTheDecimalsOfOurResultsPlainly() throws Exception {
        CostBucket free = new CostBucket(new BigDecimal("0E-8"), new BigDecimal("1E-8"), 3, new BigDecimal("0E-8"));

        assertThat(mapper.writeValueAsString(free))
                .isEqualTo("{\"lower\":0.00000000,\"upper\":0.00000001,\"count\":3,\"costSum\":0.00000000}");
    }

    @Test
    void leavesTheHostsOwnDecimalsAlone() throws Exception {
        assertThat(mapper.writeValueAsString(Map.of("amount", new BigDecimal("0E-8"))))
                .isEqualTo("{\"amount\":0E-8}");
    }
}
