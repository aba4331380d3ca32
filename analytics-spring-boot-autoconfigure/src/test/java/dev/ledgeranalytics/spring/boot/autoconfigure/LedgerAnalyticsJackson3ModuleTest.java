package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.UserPage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class LedgerAnalyticsJackson3ModuleTest {

    private final JsonMapper mapper =
            JsonMapper.builder().addModule(new LedgerAnalyticsJackson3Module()).build();

    @Test
    void writesTheDerivedValuesOfOurResults() {
        assertThat(mapper.writeValueAsString(new UserPage(List.of(), "next-page")))
                .isEqualTo("{\"users\":[],\"next\":\"next-page\",\"hasNext\":true}");
    }

    @Test
    void writesTheDecimalsOfOurResultsPlainly() {
        CostBucket free = new CostBucket(new BigDecimal("0E-8"), new BigDecimal("1E-8"), 3, new BigDecimal("0E-8"));

        assertThat(mapper.writeValueAsString(free))
                .isEqualTo("{\"lower\":0.00000000,\"upper\":0.00000001,\"count\":3,\"costSum\":0.00000000}");
    }

    @Test
    void leavesTheHostsOwnDecimalsAlone() {
        assertThat(mapper.writeValueAsString(Map.of("amount", new BigDecimal("0E-8"))))
                .isEqualTo("{\"amount\":0E-8}");
    }
}
