package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;
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
    static void aYearOfRequests(DataSource dataSource) throws InterruptedException {
        LedgerSeeder.into(dataSource).rows(400_000).between(TO.minus(Duration.ofDays(365)), TO).users(5_000).seed(2026)
                .rebuildIndexes(true).load();
        Ledger ledger = new Ledger(dataSource);
        ledger.execute("VACUUM ANALYZE analytics.providers");
        vacuumUntilAllVisible(ledger, LedgerDsl.using(dataSource));
    }

    /**
     * An index-only scan is only chosen, and only stays heap-free, on pages the visibility map marks
     * all-visible. VACUUM cannot mark a page while any snapshot older than its rows is open (an
     * autovacuum ANALYZE starting at the wrong moment is enough), so repeat until it could.
     */
    private static void vacuumUntilAllVisible(Ledger ledger, DSLContext dsl) throws InterruptedException {
        ledger.execute("ALTER TABLE analytics.token_usage_ledger SET (autovacuum_enabled = false)");
        for (int attempt = 0; attempt < 50; attempt++) {
            ledger.execute("VACUUM (ANALYZE) analytics.token_usage_ledger");
            Record2<Integer, Integer> pages = dsl.select(DSL.field("relpages", Integer.class), DSL.field("relallvisible", Integer.class))
                    .from(DSL.table("pg_class")).where(DSL.field("oid").eq(DSL.field("'analytics.token_usage_ledger'::regclass")))
                    .fetchSingle();
            if (pages.value1() > 0 && pages.value1().equals(pages.value2())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("VACUUM could not mark the ledger all-visible; an old snapshot stays open");
    }

    @Test
    void everyDashboardStatementReadsTheLedgerOnlyByIndexOnlyScanOfTheCoveringIndex() throws SQLException {
        List<QueryPlan> plans = AnalyticsQueries.create(dataSource).explain(LAST_30_DAYS);

        assertThat(plans).extracting(QueryPlan::statement).containsExactly("grossMargin", "providerCosts", "marginTrend",
                "costDistribution (histogram)", "costDistribution (percentiles)", "userBreakdown");
        for (QueryPlan plan : plans) {
            assertThat(ledgerScans(plan.json())).as(plan.statement())
                    .isNotEmpty().allSatisfy(scan -> assertThat(scan).isEqualTo("Index Only Scan on idx_token_usage_analytics"));
        }
    }

    /** Every plan node that reads the ledger, as "node type on index". */
    private List<String> ledgerScans(String planJson) throws SQLException {
        String sql = """
                SELECT node ->> 'Node Type', coalesce(node ->> 'Index Name', '-')
                FROM jsonb_path_query(?::jsonb, 'strict $.** ? (@."Relation Name" == "token_usage_ledger")') AS node""";
        List<String> scans = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
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
