package dev.ledgeranalytics.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestLedger;
import dev.ledgeranalytics.verify.Finding.Kind;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The explain check on a ledger large enough for the planner's choice to mean something. */
@AnalyticsDatabase
class SchemaVerifierPlansTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");

    private final DataSource dataSource;
    private final Sql sql;

    SchemaVerifierPlansTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.sql = new Sql(dataSource);
    }

    @BeforeAll
    static void aYearOfSettledRequests(DataSource dataSource) throws SQLException, InterruptedException {
        LedgerSeeder.into(dataSource)
                // Over 10,000 rows a month, so that each partition of a partitioned ledger is judged too.
                .rows(160_000)
                .between(TO.minus(Duration.ofDays(365)), TO)
                .seed(11)
                .load();
        TestLedger.in(dataSource).vacuum();
        new Sql(dataSource).awaitModifiedSinceAnalyze(0);
    }

    @Test
    void everyDashboardStatementOfAHealthyLedgerUsesTheCoveringIndex() {
        VerificationReport report = SchemaVerifier.verify(dataSource, "analytics");

        assertThat(report.findings()).isEmpty();
        assertThat(report.status()).isEqualTo(Status.READY);
        assertThat(report.planTo()).isAfter(TO.minusSeconds(3_600)).isBeforeOrEqualTo(TO.plusSeconds(1));
        assertThat(report.plans()).hasSize(6).allSatisfy(plan -> {
            assertThat(plan.verdict()).as(plan.statement()).isEqualTo(PlanCheck.Verdict.USES_INDEX);
            if (report.partitioned()) {
                // The last 30 days, and for the gross margin the 30 before: September and October alone.
                assertThat(plan.nodes())
                        .filteredOn(node -> node.contains(" on token_usage_ledger"))
                        .isNotEmpty()
                        .allSatisfy(node -> assertThat(node).containsAnyOf("_y2026m09", "_y2026m10"));
            } else {
                assertThat(String.join("\n", plan.nodes()))
                        .contains("using idx_token_usage_analytics on token_usage_ledger");
            }
        });
    }

    @Test
    void withoutAValidCoveringIndexEveryStatementIsOffIndex() throws SQLException {
        sql.setValid("analytics.idx_token_usage_analytics", false);
        try {
            VerificationReport report = SchemaVerifier.verify(dataSource, "analytics");

            assertThat(report.status()).isEqualTo(Status.DEGRADED);
            assertThat(report.findings())
                    .extracting(Finding::kind, Finding::subject)
                    .containsExactly(
                            tuple(Kind.INDEX_INVALID, "idx_token_usage_analytics"),
                            tuple(Kind.PLAN_OFF_INDEX, "grossMargin"),
                            tuple(Kind.PLAN_OFF_INDEX, "providerCosts"),
                            tuple(Kind.PLAN_OFF_INDEX, "marginTrend"),
                            tuple(Kind.PLAN_OFF_INDEX, "costDistribution (histogram)"),
                            tuple(Kind.PLAN_OFF_INDEX, "costDistribution (percentiles)"),
                            tuple(Kind.PLAN_OFF_INDEX, "userBreakdown"));
            assertThat(report.plans())
                    .allSatisfy(plan -> assertThat(plan.verdict()).isEqualTo(PlanCheck.Verdict.OFF_INDEX));
        } finally {
            // The index's contents were never touched, so the other test may use it again.
            sql.setValid("analytics.idx_token_usage_analytics", true);
        }
    }
}
