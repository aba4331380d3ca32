package dev.ledgeranalytics.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.partition.Retention;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.QueryListener;
import dev.ledgeranalytics.query.QueryPlan;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.DashboardAnswers;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testkit.CitusCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The rollups of a ledger distributed over Citus, kept by its row-level triggers in refresh mode:
 * built, read and refreshed on the cluster, beside a schema of plain tables on the same coordinator
 * holding the same rows and given the same writes, whose rollups a single node keeps. Every answer
 * through the distributed rollups must be the single node's, and the distributed ledger's own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CitusRollupsTest {

    private static DataSource coordinator;
    private static CitusSchemas schemas;
    private static String single;
    private static String distributed;

    @BeforeAll
    static void theSameRowsAndRollupsInAPlainSchemaAndADistributedOne() throws SQLException {
        CitusCluster.assumeAvailable();
        coordinator = CitusCluster.shared().coordinator();
        schemas = new CitusSchemas(coordinator);
        single = schemas.schema("rsingle");
        distributed = schemas.schema("rdist");
        AnalyticsMigrations.create(coordinator).withSchema(single).migrate();
        AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator).withSchema(distributed);
        migrations.migrate();
        migrations.distributeOverCitus();
        new Ledger(coordinator, single).withProviders().insert(RandomLedger.rows(20261202L, 4_000, 80));
        schemas.copyRows(single, distributed);

        Rollups.create(coordinator).withSchema(single).refresh();
        assertThat(Rollups.create(coordinator).withSchema(distributed).refresh().rebuilt())
                .isTrue();
    }

    @AfterAll
    static void dropSchemas() throws SQLException {
        if (schemas != null) {
            schemas.dropAll();
        }
    }

    @Test
    @Order(1)
    void theBuildOnTheClusterSumsWhatTheSingleNodeSumsAndInstallsRowTriggers() throws SQLException {
        assertSameRollups();
        assertThat(schemas.names("SELECT tgname FROM pg_trigger WHERE tgrelid = '" + distributed
                        + ".token_usage_ledger'::regclass AND NOT tgisinternal AND tgenabled = 'O' ORDER BY 1"))
                .containsExactly("rollup_row_change", "rollup_row_insert");
        assertThat(Rollups.create(coordinator).withSchema(distributed).status().builtAt())
                .isNotNull();
    }

    @Test
    @Order(2)
    void everyQueryThroughTheRollupsGivesTheSingleNodesAnswers() {
        List<QueryListener.Source> sources = new ArrayList<>();
        AnalyticsQueries onCitus = readingFrom(distributed, sources);
        LedgerFilter wholeDays = CitusSchemas.FILTERS.get(0);

        // The first call finds Citus and reads the ledger; the later ones take the read lock first.
        onCitus.grossMargin(wholeDays);
        onCitus.grossMargin(wholeDays);
        assertThat(sources).containsExactly(QueryListener.Source.LEDGER, QueryListener.Source.ROLLUPS);

        assertAnswersOf(onCitus, "through the rollups");
        assertThat(onCitus.explain(CitusSchemas.FILTERS.get(1))).isNotEmpty();
    }

    @Test
    @Order(2)
    void aSchemaOfPlainTablesOnTheCoordinatorIsReadAsOnASingleServer() {
        List<QueryListener.Source> sources = new ArrayList<>();
        AnalyticsQueries onSingle = readingFrom(single, sources);
        LedgerFilter wholeDays = CitusSchemas.FILTERS.get(0);

        // No read lock to take first: its first call already reads the rollups.
        onSingle.grossMargin(wholeDays);
        assertThat(sources).containsExactly(QueryListener.Source.ROLLUPS);
        // The user breakdown's leaders and rollup_users, which a distributed ledger goes without.
        List<QueryPlan> plans = onSingle.explain(wholeDays);
        assertThat(plans).extracting(QueryPlan::statement).contains("userBreakdown leaders");
        assertThat(plans).anySatisfy(plan -> assertThat(plan.json()).contains("\"rollup_users\""));

        AnalyticsQueries onCitus = AnalyticsQueries.create(coordinator).withSchema(distributed);
        onCitus.grossMargin(wholeDays);
        assertThat(onCitus.explain(wholeDays)).extracting(QueryPlan::statement).doesNotContain("userBreakdown leaders");
    }

    @Test
    @Order(3)
    void writesAreReadBeforeARefreshAndARefreshAppliesThem() throws SQLException {
        for (String schema : List.of(single, distributed)) {
            write(schema);
        }
        AnalyticsQueries onCitus = trained(distributed);
        assertThat(schemas.count("SELECT count(*) FROM " + distributed + ".rollup_new_rows"))
                .isEqualTo(schemas.count("SELECT count(*) FROM " + single + ".rollup_new_rows"))
                .isPositive();
        assertAnswersOf(onCitus, "before the refresh");

        assertThat(Rollups.create(coordinator).withSchema(distributed).refresh().quarterHours())
                .isPositive();
        Rollups.create(coordinator).withSchema(single).refresh();

        assertThat(schemas.count("SELECT count(*) FROM " + distributed + ".rollup_new_rows")
                        + schemas.count("SELECT count(*) FROM " + distributed + ".rollup_changes"))
                .isZero();
        assertSameRollups();
        assertAnswersOf(onCitus, "after the refresh");
    }

    @Test
    @Order(4)
    void aRefreshUnderConcurrentWritersLosesAndDoublesNothing() throws Exception {
        Rollups rollups = Rollups.create(coordinator).withSchema(distributed);
        AnalyticsQueries onCitus = trained(distributed);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger refreshes = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int writer = 0; writer < 2; writer++) {
                int offset = writer;
                work.add(threads.submit(() -> {
                    for (int batch = offset; writing.get(); batch += 2) {
                        schemas.execute(copies(distributed, batch));
                        batches.incrementAndGet();
                    }
                    return null;
                }));
            }
            work.add(threads.submit(() -> {
                while (writing.get()) {
                    rollups.refresh();
                    refreshes.incrementAndGet();
                }
                return null;
            }));
            work.add(threads.submit(() -> {
                while (writing.get()) {
                    onCitus.grossMargin(CitusSchemas.FILTERS.get(0));
                    onCitus.userBreakdown(CitusSchemas.FILTERS.get(0), UserSort.GROSS_MARGIN_DESC, 5, null);
                }
                return null;
            }));
            Thread.sleep(6_000);
            writing.set(false);
            for (Future<?> done : work) {
                done.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(batches.get()).isGreaterThan(4);
        assertThat(refreshes.get()).isGreaterThan(1);

        rollups.refresh();
        DashboardAnswers exact = DashboardAnswers.of(onCitus.withRawReads(), CitusSchemas.FILTERS);
        DashboardAnswers.of(onCitus, CitusSchemas.FILTERS).assertEquivalentTo(exact, "after concurrent writes");
        LedgerFilter everything = CitusSchemas.FILTERS.get(0).anyStatus();
        assertThat(onCitus.grossMargin(everything))
                .isEqualTo(Oracle.grossMargin(new Ledger(coordinator, distributed).readBack(), everything));
    }

    @Test
    @Order(5)
    void aRefreshCommitsOnlyOnceNoQueryReadsTheRollups() throws Exception {
        schemas.execute(copies(distributed, 1_000));
        try (Connection connection = coordinator.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            AnalyticsQueries inTransaction = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                    .withSchema(distributed);
            inTransaction.grossMargin(CitusSchemas.FILTERS.get(0)); // finds Citus
            connection.commit();
            // A query under way in the host's transaction holds the read lock to its end.
            inTransaction.grossMargin(CitusSchemas.FILTERS.get(0));

            CompletableFuture<Void> refresh = CompletableFuture.runAsync(
                    () -> Rollups.create(coordinator).withSchema(distributed).refresh());
            assertThatThrownBy(() -> refresh.get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            connection.commit();
            refresh.get(30, TimeUnit.SECONDS);
        }
        assertThat(schemas.count("SELECT count(*) FROM " + distributed + ".rollup_new_rows"))
                .isZero();
    }

    @Test
    @Order(6)
    void triggerModeAndRetentionAreRefusedAndDisablingEmptiesTheRollupsUntilTheNextRefresh() {
        Rollups rollups = Rollups.create(coordinator).withSchema(distributed);

        assertThatThrownBy(() -> rollups.mode(RollupMode.TRIGGER))
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("distributed by Citus")
                .hasMessageContaining("refresh mode");
        rollups.mode(RollupMode.REFRESH);
        assertThatThrownBy(() ->
                        Retention.create(coordinator).withSchema(distributed).keepMonths(1))
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("distributed by Citus");

        rollups.disable();
        assertThat(rollups.status().builtAt()).isNull();
        assertThat(schemas.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + distributed
                        + ".token_usage_ledger'::regclass AND NOT tgisinternal AND tgenabled = 'O'"))
                .isZero();
        assertThat(rollups.refresh().rebuilt()).isTrue();
        assertThat(schemas.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + distributed
                        + ".token_usage_ledger'::regclass AND NOT tgisinternal AND tgenabled = 'O'"))
                .isEqualTo(2);
        DashboardAnswers exact = DashboardAnswers.of(
                AnalyticsQueries.create(coordinator).withSchema(distributed).withRawReads(), CitusSchemas.FILTERS);
        DashboardAnswers.of(trained(distributed), CitusSchemas.FILTERS).assertEquivalentTo(exact, "rebuilt");
    }

    /** Queries on {@code schema} past their first call, which finds Citus. */
    private static AnalyticsQueries trained(String schema) {
        AnalyticsQueries queries = AnalyticsQueries.create(coordinator).withSchema(schema);
        queries.grossMargin(CitusSchemas.FILTERS.get(0));
        return queries;
    }

    /**
     * The single node's answers, through the rollups and from the ledger alone, and the distributed
     * ledger's own within the rollups' percentile tolerance.
     */
    private static void assertAnswersOf(AnalyticsQueries onCitus, String when) {
        AnalyticsQueries onSingle = AnalyticsQueries.create(coordinator).withSchema(single);
        DashboardAnswers throughRollups = DashboardAnswers.of(onCitus, CitusSchemas.FILTERS);
        assertThat(throughRollups).as(when).isEqualTo(DashboardAnswers.of(onSingle, CitusSchemas.FILTERS));
        DashboardAnswers exact = DashboardAnswers.of(onCitus.withRawReads(), CitusSchemas.FILTERS);
        assertThat(exact).as(when).isEqualTo(DashboardAnswers.of(onSingle.withRawReads(), CitusSchemas.FILTERS));
        throughRollups.assertEquivalentTo(exact, when);
    }

    /** Queries of {@code schema} that add where each call read its sums from to {@code sources}. */
    private static AnalyticsQueries readingFrom(String schema, List<QueryListener.Source> sources) {
        return AnalyticsQueries.create(coordinator)
                .withSchema(schema)
                .withListener(query -> (source, failure) -> sources.add(source));
    }

    /**
     * The same writes in either schema, which hold the same rows: 300 new rows (copies of the first
     * by request id, 37 minutes later, other ids), some costs and margins changed, some rows deleted.
     */
    private static void write(String schema) throws SQLException {
        String ledger = schema + ".token_usage_ledger";
        schemas.execute(
                "INSERT INTO " + ledger + " (request_id, user_id, model_id, provider_id, vendor_cost, credits_deducted,"
                        + " margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens,"
                        + " user_tier, request_type) SELECT md5('again ' || request_id)::uuid, user_id, model_id,"
                        + " provider_id, vendor_cost, credits_deducted, margin_multiplier, gross_margin_usd, status,"
                        + " created_at + interval '37 minutes', input_tokens, output_tokens, user_tier, request_type"
                        + " FROM " + ledger + " WHERE request_id::text < '13'",
                "UPDATE " + ledger + " SET vendor_cost = vendor_cost + 0.00001234, gross_margin_usd = gross_margin_usd"
                        + " * 2 WHERE request_id::text BETWEEN '40' AND '42'",
                "DELETE FROM " + ledger + " WHERE request_id::text BETWEEN '80' AND '81'");
    }

    /** A batch of new rows for a concurrent writer: copies of a 256th of the rows, chosen and moved later by {@code batch}. */
    private static String copies(String schema, int batch) {
        String ledger = schema + ".token_usage_ledger";
        return "INSERT INTO " + ledger + " (request_id, user_id, model_id, provider_id, vendor_cost, credits_deducted,"
                + " margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens, user_tier,"
                + " request_type) SELECT gen_random_uuid(), user_id, model_id, provider_id, vendor_cost,"
                + " credits_deducted, margin_multiplier, gross_margin_usd, status, created_at + interval '"
                + (batch % 600) + " minutes', input_tokens, output_tokens, user_tier, request_type FROM " + ledger
                + " WHERE id::text LIKE '" + Integer.toHexString(batch % 16) + Integer.toHexString(batch / 16 % 16)
                + "%'";
    }

    private static void assertSameRollups() throws SQLException {
        for (String table :
                List.of("rollup_status", "rollup_provider", "rollup_dims", "rollup_costs", "rollup_users")) {
            String columns = String.join(
                    ", ",
                    schemas.names(
                            "SELECT CASE WHEN udt_name = 'request_status' THEN quote_ident(column_name) || '::text'"
                                    + " ELSE quote_ident(column_name) END FROM information_schema.columns WHERE table_schema = '"
                                    + single + "' AND table_name = '" + table + "' ORDER BY ordinal_position"));
            for (String[] pair : List.of(new String[] {single, distributed}, new String[] {distributed, single})) {
                assertThat(schemas.count("SELECT count(*) FROM (SELECT " + columns + " FROM " + pair[0] + "." + table
                                + " EXCEPT ALL SELECT " + columns + " FROM " + pair[1] + "." + table + ") missing"))
                        .as("%s rows of %s missing from %s", table, pair[0], pair[1])
                        .isZero();
            }
        }
    }
}
