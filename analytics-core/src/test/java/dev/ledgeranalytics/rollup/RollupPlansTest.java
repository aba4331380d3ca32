package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.QueryPlan;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestLedger;
import dev.ledgeranalytics.verify.PlanCheck;
import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.Status;
import dev.ledgeranalytics.verify.VerificationReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AnalyticsQueries#explain} tells the truth: once the rollups are built it explains the
 * statements that read them, which are the ones the queries send, and the schema verifier judges
 * those.
 */
@AnalyticsDatabase
class RollupPlansTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final LedgerFilter LAST_30_DAYS =
            LedgerFilter.between(TO.minus(Duration.ofDays(30)).plusSeconds(7), TO.minusSeconds(11));

    private final DataSource dataSource;

    RollupPlansTest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @BeforeAll
    static void aYearOfSettledRequestsWithRollups(DataSource dataSource) {
        // Enough rows that each month's partition holds more than the verifier needs to judge a
        // plan (PlanInspector.MIN_ROWS_TO_JUDGE): the ranges' edges are read from one or two of them.
        LedgerSeeder.into(dataSource)
                .rows(160_000)
                .between(TO.minus(Duration.ofDays(365)), TO)
                .seed(12)
                .load();
        Rollups.create(dataSource).refresh();
        TestLedger.in(dataSource).vacuum();
        new Ledger(dataSource).execute("VACUUM ANALYZE");
    }

    @Test
    void explainShowsTheRollupTablesTheQueriesRead() {
        List<QueryPlan> plans = AnalyticsQueries.create(dataSource).explain(LAST_30_DAYS);

        assertThat(plans)
                .extracting(QueryPlan::statement)
                .containsExactly(
                        "grossMargin",
                        "providerCosts",
                        "marginTrend",
                        "costDistribution (histogram)",
                        // The range's two partial days are read from the ledger: a fifteenth of it.
                        "userBreakdown leaders",
                        "userBreakdown");
        assertThat(plans.get(0).json()).contains("\"rollup_status\"");
        assertThat(plans.get(1).json()).contains("\"rollup_provider\"");
        assertThat(plans.get(2).json()).contains("\"rollup_status\"");
        assertThat(plans.get(3).json()).contains("\"rollup_costs\"");
        assertThat(plans.get(4).json()).contains("\"rollup_users\"");
        assertThat(plans.get(5).json()).contains("\"rollup_users\"");
    }

    @Test
    void rawReadsExplainTheLedgerStatementsAlone() {
        List<QueryPlan> plans =
                AnalyticsQueries.create(dataSource).withRawReads().explain(LAST_30_DAYS);

        assertThat(plans)
                .hasSize(6)
                .allSatisfy(plan -> assertThat(plan.json())
                        .doesNotContain("rollup_status", "rollup_provider", "rollup_costs", "rollup_users"));
    }

    @Test
    void theVerifierJudgesThePlansThatReadTheRollups() {
        VerificationReport report = SchemaVerifier.verify(dataSource, "analytics");

        assertThat(report.status()).as("%s", report.findings()).isEqualTo(Status.READY);
        // The five queries' statements, and the user breakdown's leaders before its page.
        assertThat(report.plans())
                .extracting(PlanCheck::statement)
                .containsExactly(
                        "grossMargin",
                        "providerCosts",
                        "marginTrend",
                        "costDistribution (histogram)",
                        "userBreakdown leaders",
                        "userBreakdown");
        assertThat(report.plans()).allSatisfy(plan -> {
            assertThat(plan.verdict())
                    .as(plan.statement())
                    .isIn(PlanCheck.Verdict.USES_INDEX, PlanCheck.Verdict.READS_ROLLUPS);
            assertThat(String.join("\n", plan.nodes())).containsPattern("on rollup_(status|provider|costs|users)");
        });
    }
}
