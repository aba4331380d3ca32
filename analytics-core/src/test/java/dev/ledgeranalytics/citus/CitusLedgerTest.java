package dev.ledgeranalytics.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.CitusDistribution;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.DashboardAnswers;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.CitusCluster;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.StringWriter;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library on a Citus cluster: a schema migrated on the coordinator and distributed by
 * {@link AnalyticsMigrations#distributeOverCitus()}, holding the same rows as a schema of plain
 * tables on the same coordinator, the single node's answer. Every query and the export must give
 * the single node's answers, and the rows' own oracle's.
 */
class CitusLedgerTest {

    private static final Instant END = CitusSchemas.END;
    private static final List<LedgerFilter> FILTERS = CitusSchemas.FILTERS;

    private static DataSource coordinator;
    private static CitusSchemas schemas;
    private static String single;
    private static String distributed;
    private static CitusDistribution distribution;
    private static List<Row> rows;

    @BeforeAll
    static void theSameRowsInAPlainSchemaAndADistributedOne() throws SQLException {
        CitusCluster.assumeAvailable();
        coordinator = CitusCluster.shared().coordinator();
        schemas = new CitusSchemas(coordinator);
        single = schema("single");
        distributed = schema("dist");
        AnalyticsMigrations.create(coordinator).withSchema(single).migrate();
        AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator).withSchema(distributed);
        migrations.migrate();
        distribution = migrations.distributeOverCitus();

        new Ledger(coordinator, single).withProviders().insert(RandomLedger.rows(20261201L, 4_000, 80));
        schemas.copyRows(single, distributed);
        rows = new Ledger(coordinator, distributed).readBack();
        assertThat(rows).hasSize(4_000);
    }

    @AfterAll
    static void dropSchemas() throws SQLException {
        if (schemas != null) {
            schemas.dropAll();
        }
    }

    @Test
    void theLedgerIsShardedByUserOverEveryWorkerAndTheSmallTablesAreCopiedToEveryNode() throws SQLException {
        assertThat(distribution.changed()).isTrue();
        assertThat(distribution.distributionColumn()).isEqualTo("user_id");
        List<String> partitions = names("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = '" + distributed + ".token_usage_ledger'::regclass");
        assertThat(partitions).hasSizeGreaterThan(1).contains("token_usage_ledger_default");
        List<String> expected =
                new ArrayList<>(List.of("rollup_users", "rollup_changes", "rollup_new_rows", "token_usage_ledger"));
        expected.addAll(partitions);
        assertThat(tables("distributed", distributed)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(tables("reference", distributed)).containsExactlyInAnyOrderElementsOf(distribution.reference());
        assertThat(count("SELECT count(DISTINCT colocation_id) FROM citus_tables WHERE citus_table_type = 'distributed'"
                        + " AND table_name::text LIKE '" + distributed + ".%'"))
                .isOne();
        assertThat(count("SELECT count(DISTINCT p.groupid) FROM (SELECT DISTINCT get_shard_id_for_distribution_column('"
                        + distributed + ".token_usage_ledger', user_id) AS shardid FROM " + distributed
                        + ".token_usage_ledger) AS s JOIN pg_dist_placement p USING (shardid)"))
                .as("every worker holds rows")
                .isEqualTo(count("SELECT count(*) FROM citus_get_active_worker_nodes()"));
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conrelid = '" + distributed
                        + ".token_usage_ledger'::regclass AND pg_get_constraintdef(oid) IN "
                        + "('PRIMARY KEY (id, created_at, user_id)', 'UNIQUE (request_id, created_at, user_id)',"
                        + " 'FOREIGN KEY (provider_id) REFERENCES " + distributed + ".providers(id)')"))
                .isEqualTo(3);

        CitusDistribution again =
                AnalyticsMigrations.create(coordinator).withSchema(distributed).distributeOverCitus();
        assertThat(again)
                .isEqualTo(new CitusDistribution(
                        distributed, "user_id", distribution.distributed(), distribution.reference(), false));
        assertThat(AnalyticsMigrations.create(coordinator)
                        .withSchema(distributed)
                        .migrate()
                        .applied())
                .isEmpty();
        AnalyticsMigrations.create(coordinator).withSchema(distributed).validate();
    }

    @Test
    void everyQueryGivesTheSingleNodesAnswers() {
        AnalyticsQueries onSingle = AnalyticsQueries.create(coordinator).withSchema(single);
        AnalyticsQueries onCitus = AnalyticsQueries.create(coordinator).withSchema(distributed);

        DashboardAnswers expected = DashboardAnswers.of(onSingle, FILTERS);
        assertThat(DashboardAnswers.of(onCitus, FILTERS)).isEqualTo(expected);
        assertThat(DashboardAnswers.of(onCitus.withRawReads(), FILTERS)).isEqualTo(expected);
        assertThat(onCitus.explain(FILTERS.get(1))).isNotEmpty();
    }

    @Test
    void everyQueryMatchesTheOracleOfTheDistributedRows() {
        AnalyticsQueries queries = AnalyticsQueries.create(coordinator).withSchema(distributed);
        ZoneId zone = ZoneId.of("Asia/Kolkata");
        for (LedgerFilter filter : FILTERS) {
            assertThat(queries.grossMargin(filter)).as("%s", filter).isEqualTo(Oracle.grossMargin(rows, filter));

            List<ProviderCost> costs = queries.providerCosts(filter);
            Map<String, ProviderCost> bySlug =
                    costs.stream().collect(Collectors.toMap(ProviderCost::slug, Function.identity()));
            assertThat(costs)
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("costShare")
                    .containsExactlyElementsOf(Oracle.providerCostsWithoutShares(rows, filter, bySlug));

            Map<Instant, TrendBucket> trend = Oracle.trendTotals(rows, filter, Granularity.DAY, zone);
            queries.marginTrend(filter, Granularity.DAY, zone).buckets().stream()
                    .filter(bucket -> bucket.requests() > 0)
                    .forEach(bucket -> assertThat(bucket)
                            .usingRecursiveComparison()
                            .ignoringFields("start", "end")
                            .isEqualTo(trend.get(bucket.start())));

            UserPage page = queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 1_000, null);
            assertThat(page.users()).isEqualTo(Oracle.users(rows, filter, UserSort.GROSS_MARGIN_DESC));
        }
    }

    @Test
    void theExportWritesTheSingleNodesRows() {
        for (LedgerFilter filter : FILTERS) {
            StringWriter onSingle = new StringWriter();
            StringWriter onCitus = new StringWriter();
            long exported = CsvExporter.create(coordinator).withSchema(single).exportLedger(filter, onSingle);

            assertThat(CsvExporter.create(coordinator).withSchema(distributed).exportLedger(filter, onCitus))
                    .isEqualTo(exported);
            assertThat(onCitus.toString()).isEqualTo(onSingle.toString());
        }
    }

    @Test
    void aRequestIdIsUniquePerUserOnceDistributed() throws SQLException {
        String schema = schema("keys");
        AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator).withSchema(schema);
        // spotless:off
        // README:citus-example:start
        migrations.migrate();                  // as on one node: the coordinator runs every migration
        migrations.distributeOverCitus();      // then shards the ledger; running it again does nothing
        // README:citus-example:end
        // spotless:on
        Ledger ledger = new Ledger(coordinator, schema).withProviders();
        ledger.insert(RandomLedger.rows(7L, 2, 2));

        // The same requests again, same users, same instants: refused, as on one node.
        assertThatThrownBy(() -> execute(copyOfEveryRow(schema, "user_id")))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("duplicate key value violates unique constraint")
                .hasMessageContaining("(request_id, created_at, user_id)");
        // The same request ids and instants for other users: separate requests once distributed.
        execute(copyOfEveryRow(schema, "gen_random_uuid()"));

        assertThat(ledger.count("SELECT count(*) FROM " + schema + ".token_usage_ledger"))
                .isEqualTo(4);
        assertThat(ledger.count("SELECT count(DISTINCT request_id) FROM " + schema + ".token_usage_ledger"))
                .isEqualTo(2);
    }

    /** Writes every row of the ledger again with a new id, the user given by {@code user}. */
    private static String copyOfEveryRow(String schema, String user) {
        String columns = "request_id, model_id, provider_id, vendor_cost, credits_deducted, margin_multiplier,"
                + " gross_margin_usd, status, created_at, input_tokens, output_tokens, user_tier, request_type";
        return "INSERT INTO " + schema + ".token_usage_ledger (user_id, " + columns + ") SELECT " + user + ", "
                + columns + " FROM " + schema + ".token_usage_ledger";
    }

    @Test
    void anUnpartitionedLedgerHoldingRowsIsDistributedWithThem() throws SQLException {
        String schema = schema("unpartitioned");
        AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator).withSchema(schema);
        migrations.withTarget("5").migrate();
        Ledger ledger = new Ledger(coordinator, schema).withProviders();
        ledger.insert(RandomLedger.rows(11L, 300, 20));
        migrations.migrate(); // V6 leaves a ledger holding rows unpartitioned
        assertThat(ledger.count("SELECT count(*) FROM pg_class WHERE oid = '" + schema
                        + ".token_usage_ledger'::regclass AND relkind = 'r'"))
                .isOne();
        List<Row> before = ledger.readBack();

        assertThat(migrations.distributeOverCitus().changed()).isTrue();

        assertThat(ledger.readBack()).containsExactlyInAnyOrderElementsOf(before);
        // The rows live in the shards alone: the coordinator's tables keep no second copy.
        assertThat(count("SELECT pg_relation_size('" + schema + ".token_usage_ledger')" + " + pg_relation_size('"
                        + schema + ".providers')"))
                .isZero();
        assertThat(count("SELECT count(*) FROM " + schema + ".providers")).isPositive();
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conrelid = '" + schema
                        + ".token_usage_ledger'::regclass AND pg_get_constraintdef(oid) IN "
                        + "('PRIMARY KEY (id, user_id)', 'UNIQUE (request_id, user_id)')"))
                .isEqualTo(2);
        LedgerFilter all = LedgerFilter.between(RandomLedger.START, END).anyStatus();
        assertThat(AnalyticsQueries.create(coordinator).withSchema(schema).grossMargin(all))
                .isEqualTo(Oracle.grossMargin(before, all));
    }

    @Test
    void distributingRefusesBuiltRollupsAndServersWithoutCitusAndDropsTheDisabledTriggers() throws SQLException {
        String schema = schema("built");
        AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator).withSchema(schema);
        migrations.migrate();
        Rollups rollups = Rollups.create(coordinator).withSchema(schema);
        rollups.refresh();

        assertThatThrownBy(migrations::distributeOverCitus)
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("rollups are built")
                .hasMessageContaining("Rollups.disable()");
        assertThat(tables("distributed", schema)).isEmpty();

        rollups.disable(); // disables the triggers; distributing drops them
        assertThat(migrations.distributeOverCitus().changed()).isTrue();
        assertThat(count("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + schema
                        + ".token_usage_ledger'::regclass AND NOT tgisinternal"))
                .isZero();

        String unmigrated = schema("unmigrated");
        assertThatThrownBy(() -> AnalyticsMigrations.create(coordinator)
                        .withSchema(unmigrated)
                        .distributeOverCitus())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("migrate() it first");
        try (TestDatabase plain = TestDatabase.migrated()) {
            assertThatThrownBy(
                            () -> AnalyticsMigrations.create(plain.dataSource()).distributeOverCitus())
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("has no citus extension");
        }
    }

    private static String schema(String role) {
        return schemas.schema(role);
    }

    private static List<String> tables(String type, String schema) throws SQLException {
        return names("SELECT c.relname FROM citus_tables t JOIN pg_class c ON c.oid = t.table_name"
                + " WHERE c.relnamespace = '" + schema + "'::regnamespace AND t.citus_table_type = '" + type + "'");
    }

    private static List<String> names(String sql) throws SQLException {
        return schemas.names(sql);
    }

    private static long count(String sql) {
        return schemas.count(sql);
    }

    private static void execute(String... statements) throws SQLException {
        schemas.execute(statements);
    }
}
