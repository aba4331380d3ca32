package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
    private final DSLContext dsl;

    QueryPlanTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.dsl = LedgerDsl.using(dataSource);
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

    static Stream<Arguments> queries() {
        return Stream.of(
                Arguments.of("grossMargin", (QuerySql) dsl -> new GrossMarginQuery(LAST_30_DAYS).sql(dsl)),
                Arguments.of("providerCosts", (QuerySql) dsl -> new ProviderCostQuery(LAST_30_DAYS).sql(dsl)),
                Arguments.of("marginTrend", (QuerySql) dsl ->
                        new MarginTrendQuery(LAST_30_DAYS, Granularity.DAY, ZoneId.of("America/New_York")).sql(dsl)),
                Arguments.of("costDistribution, histogram", (QuerySql) dsl -> new CostDistributionQuery(LAST_30_DAYS, false).histogramSql(dsl)),
                Arguments.of("costDistribution, percentiles", (QuerySql) dsl ->
                        new CostDistributionQuery(LAST_30_DAYS, false).percentileRanksSql(dsl)),
                Arguments.of("userBreakdown", (QuerySql) dsl ->
                        new UserBreakdownQuery(LAST_30_DAYS, UserSort.GROSS_MARGIN_DESC, 50, null).sql(dsl)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void readsTheLedgerOnlyByIndexOnlyScanOfTheCoveringIndex(String name, QuerySql query) throws SQLException {
        List<String> ledgerScans = ledgerScans(explain(query.of(dsl)));

        assertThat(ledgerScans).isNotEmpty().allSatisfy(scan -> assertThat(scan).isEqualTo("Index Only Scan on idx_token_usage_analytics"));
    }

    @FunctionalInterface
    interface QuerySql {
        Query of(DSLContext dsl);
    }

    private String explain(Query query) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("EXPLAIN (FORMAT JSON) " + dsl.renderInlined(query))) {
            rs.next();
            return rs.getString(1);
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
