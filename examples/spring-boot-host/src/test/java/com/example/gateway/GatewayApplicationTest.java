package com.example.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import dev.ledgeranalytics.testkit.spring.AutoConfigureAnalyticsDatabase;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.servlet.MockMvc;

// README:boot-test:start
@SpringBootTest
@AutoConfigureMockMvc
@AutoConfigureAnalyticsDatabase
class GatewayApplicationTest {
    // README:boot-test:end

    private static final Instant DAY = Instant.parse("2026-11-02T00:00:00Z");

    @Autowired
    MockMvc http;

    @Autowired
    TestDatabase database;

    @Test
    void servesTheDashboardAsCompleteJson() throws Exception {
        TestLedger ledger = TestLedger.in(database.dataSource());
        ledger.row()
                .at(DAY.plusSeconds(3_600))
                .provider("openai")
                .vendorCost("0.00200000")
                .insert();
        ledger.row()
                .at(DAY.plusSeconds(7_200))
                .provider("anthropic")
                .vendorCost("0")
                .grossMargin("0")
                .insert();

        http.perform(get("/dashboard")
                        .param("from", DAY.toString())
                        .param("to", DAY.plusSeconds(86_400).toString())
                        .param("zone", "Europe/Berlin"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.kpis.current.requests").value(2))
                .andExpect(jsonPath("$.kpis.requestsChange").hasJsonPath())
                .andExpect(jsonPath("$.providers.length()").value(2))
                .andExpect(jsonPath("$.trend.buckets.length()").value(2))
                .andExpect(jsonPath("$.costs.count").value(2))
                .andExpect(jsonPath("$.topUsers.hasNext").value(false))
                .andExpect(jsonPath("$.topUsers.users[0].totalTokens").isNumber())
                .andExpect(content -> assertThat(content.getResponse().getContentAsString())
                        .contains("\"min\":0.00000000")
                        .doesNotContain("E-"));
    }

    @Test
    void answersABadRangeWithBadRequestNamingTheParameter() throws Exception {
        http.perform(get("/dashboard").param("from", DAY.toString()).param("to", DAY.toString()))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("from")));
    }

    @Test
    void timesEveryQueryAtTheMetricsEndpoint() throws Exception {
        http.perform(get("/dashboard")
                        .param("from", DAY.toString())
                        .param("to", DAY.plusSeconds(3_600).toString()))
                .andExpect(status().isOk());

        http.perform(get("/actuator/metrics/ledger.analytics.query").param("tag", "query:grossMargin"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
                        .value(hasItem(greaterThanOrEqualTo(1.0))))
                .andExpect(jsonPath("$.availableTags[*].tag").value(hasItems("source", "outcome")));
    }

    @Test
    void reportsTheLedgerInItsHealth() throws Exception {
        http.perform(get("/actuator/health"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.components.ledgerAnalytics.status").value("UP"))
                .andExpect(
                        jsonPath("$.components.ledgerAnalytics.details.schema").value("analytics"));
    }
}
