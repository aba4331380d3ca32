package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The dashboard queries read the ledger through {@code idx_token_usage_analytics} by index-only
 * scan, as the seed design intends. In the partitioned layout they read only the partitions of the
 * months asked for, and a partition the range covers for the most part may be read sequentially
 * instead: the planner's choice, since every row of it is needed (docs/partitioning.md measures
 * both). (The per-model cost distribution needs {@code model_id}, which the index does not carry;
 * it is not among them.)
 */
@AnalyticsDatabase
class QueryPlanTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final List<String> STATEMENTS = List.of(
            "grossMargin",
            "providerCosts",
            "marginTrend",
            "costDistribution (histogram)",
            "costDistribution (percentiles)",
            "userBreakdown");
    private static final String COVERING_INDEX_SCAN = "Index Only Scan using idx_token_usage_analytics";

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
    void overTheLastThirtyDaysEveryStatementReadsOnlyOctoberThroughTheCoveringIndex() throws SQLException {
        List<QueryPlan> plans =
                AnalyticsQueries.create(dataSource).explain(LedgerFilter.between(TO.minus(Duration.ofDays(30)), TO));

        assertThat(plans).extracting(QueryPlan::statement).containsExactlyElementsOf(STATEMENTS);
        boolean partitioned = partitioned();
        for (QueryPlan plan : plans) {
            assertThat(ledgerScans(plan.json()))
                    .as(plan.statement())
                    .isNotEmpty()
                    .allSatisfy(scan -> {
                        if (partitioned) {
                            // October 2 to 31, 30 of the partition's 31 days, and for the gross
                            // margin's previous period September 2 to October 1, 29 of 30.
                            assertThat(scan)
                                    .isIn(
                                            COVERING_INDEX_SCAN + " on token_usage_ledger_y2026m10",
                                            "Seq Scan on token_usage_ledger_y2026m10",
                                            COVERING_INDEX_SCAN + " on token_usage_ledger_y2026m09",
                                            "Seq Scan on token_usage_ledger_y2026m09");
                        } else {
                            assertThat(scan).isEqualTo(COVERING_INDEX_SCAN + " on token_usage_ledger");
                        }
                    });
        }
    }

    @Test
    void overTheLastWeekEveryStatementReadsOnlyThoseDaysByIndexOnlyScan() throws SQLException {
        List<QueryPlan> plans =
                AnalyticsQueries.create(dataSource).explain(LedgerFilter.between(TO.minus(Duration.ofDays(7)), TO));

        assertThat(plans).extracting(QueryPlan::statement).containsExactlyElementsOf(STATEMENTS);
        String ledger = partitioned() ? "token_usage_ledger_y2026m10" : "token_usage_ledger";
        for (QueryPlan plan : plans) {
            assertThat(ledgerScans(plan.json()))
                    .as(plan.statement())
                    .isNotEmpty()
                    .allSatisfy(scan -> assertThat(scan).isEqualTo(COVERING_INDEX_SCAN + " on " + ledger));
        }
    }

    @Test
    void aRangeAcrossTwoMonthsReadsTheirTwoPartitionsAlone() throws SQLException {
        assumeTrue(partitioned(), "the ledger is partitioned");
        LedgerFilter aroundTheFirstOfOctober =
                LedgerFilter.between(Instant.parse("2026-09-28T00:00:00Z"), Instant.parse("2026-10-04T00:00:00Z"));

        for (QueryPlan plan : AnalyticsQueries.create(dataSource).explain(aroundTheFirstOfOctober)) {
            assertThat(ledgerScans(plan.json()))
                    .as(plan.statement())
                    .containsExactlyInAnyOrder(
                            COVERING_INDEX_SCAN + " on token_usage_ledger_y2026m09",
                            COVERING_INDEX_SCAN + " on token_usage_ledger_y2026m10");
        }
    }

    private boolean partitioned() {
        return new Ledger(dataSource)
                        .count("SELECT count(*) FROM pg_partitioned_table "
                                + "WHERE partrelid = 'analytics.token_usage_ledger'::regclass")
                == 1;
    }

    /**
     * Every plan node that reads the ledger or, in the partitioned layout, one of its partitions,
     * as "node type [using index] on relation", a partition's index named as the ledger index it
     * belongs to.
     */
    private List<String> ledgerScans(String planJson) throws SQLException {
        String sql = """
                WITH ledger AS (SELECT relid::regclass::text AS name FROM pg_partition_tree('analytics.token_usage_ledger')
                                UNION SELECT 'analytics.token_usage_ledger'),
                     dashboard AS (SELECT relid::regclass::text AS name
                                   FROM pg_partition_tree('analytics.idx_token_usage_analytics')
                                   UNION SELECT 'analytics.idx_token_usage_analytics')
                SELECT node ->> 'Node Type'
                       || CASE WHEN 'analytics.' || (node ->> 'Index Name') IN (SELECT name FROM dashboard)
                               THEN ' using idx_token_usage_analytics'
                               ELSE coalesce(' using ' || (node ->> 'Index Name'), '') END
                       || ' on ' || (node ->> 'Relation Name')
                FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Relation Name"))') AS node
                WHERE 'analytics.' || (node ->> 'Relation Name') IN (SELECT name FROM ledger)""";
        List<String> scans = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    scans.add(rs.getString(1));
                }
            }
        }
        return scans;
    }
}
