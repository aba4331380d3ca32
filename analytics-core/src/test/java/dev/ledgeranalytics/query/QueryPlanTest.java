package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard queries over 30 days of a year-long ledger read {@code idx_token_usage_analytics}
 * by index-only scan and never scan the ledger sequentially, as the seed design intends. (The
 * per-model cost distribution needs {@code model_id}, which the index does not carry; it is not
 * among them.)
 */
@AnalyticsDatabase
class QueryPlanTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final LedgerFilter LAST_30_DAYS = LedgerFilter.between(TO.minus(Duration.ofDays(30)), TO);

    private final DataSource dataSource;

    QueryPlanTest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @BeforeAll
    static void aYearOfSettledRequests(DataSource dataSource) {
        LedgerSeeder.into(dataSource)
                .rows(400_000)
                .between(TO.minus(Duration.ofDays(365)), TO)
                .users(5_000)
                .seed(2026)
                .rebuildIndexes(true)
                .load();
        TestLedger.in(dataSource).vacuum();
        new Ledger(dataSource).execute("VACUUM ANALYZE analytics.providers");
    }

    @Test
    void everyDashboardStatementReadsTheLedgerOnlyByIndexOnlyScanOfTheCoveringIndex() throws SQLException {
        List<QueryPlan> plans = AnalyticsQueries.create(dataSource).explain(LAST_30_DAYS);

        assertThat(plans)
                .extracting(QueryPlan::statement)
                .containsExactly(
                        "grossMargin",
                        "providerCosts",
                        "marginTrend",
                        "costDistribution (histogram)",
                        "costDistribution (percentiles)",
                        "userBreakdown");
        for (QueryPlan plan : plans) {
            assertThat(ledgerScans(plan.json()))
                    .as(plan.statement())
                    .isNotEmpty()
                    .allSatisfy(scan -> assertThat(scan).isEqualTo("Index Only Scan on idx_token_usage_analytics"));
        }
    }

    /** Every plan node that reads the ledger, as "node type on index". */
    private List<String> ledgerScans(String planJson) throws SQLException {
        String sql = """
                SELECT node ->> 'Node Type', coalesce(node ->> 'Index Name', '-')
                FROM jsonb_path_query(?::jsonb, 'strict $.** ? (@."Relation Name" == "token_usage_ledger")') AS node""";
        List<String> scans = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    scans.add(rs.getString(1) + " on " + rs.getString(2));
                }
            }
        }
        return scans;
    }
}
