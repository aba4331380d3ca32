package dev.ledgeranalytics.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.GrossMargin;
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
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.ReplicatedDatabase;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read path on a hot standby: every query, with and without the rollups, its plans and the
 * CSV exports answer on the replica exactly as on the primary once it has caught up, and as the
 * replica's own ledger rows say; they send nothing but reads and take no advisory lock; the
 * rollups refuse to be maintained there; and the change log's upkeep on the primary never makes
 * the replica's replay wait for its readers.
 */
class ReplicaReadsTest {

    private static final Instant END = RandomLedger.START.plus(RandomLedger.SPAN);

    /** Through each rollup table, with ledger edges inside quarter hours, and with pending writes. */
    private static final List<LedgerFilter> FILTERS = List.of(
            LedgerFilter.between(RandomLedger.START.minus(Duration.ofDays(1)), END.plus(Duration.ofDays(1)))
                    .anyStatus(),
            LedgerFilter.between(
                            RandomLedger.START.plus(Duration.ofDays(3)).plusSeconds(1234),
                            END.minus(Duration.ofMinutes(53)))
                    .providers("openai", "anthropic"),
            LedgerFilter.between(RandomLedger.START.plus(Duration.ofDays(20)), END.minus(Duration.ofDays(20)))
                    .models("gpt-4o", "mistral-large")
                    .tiers("pro"));

    private static ReplicatedDatabase database;

    @BeforeAll
    static void aLedgerWithBuiltRollupsAndWritesNoRefreshHasAppliedOnThePrimary() {
        ReplicatedDatabase.assumeAvailable();
        database = ReplicatedDatabase.migrated();
        Ledger ledger = new Ledger(database.primary()).withProviders();
        ledger.insert(RandomLedger.rows(17L, 3_000, 25));
        assertThat(Rollups.create(database.primary()).refresh().rebuilt()).isTrue();
        ledger.insert(RandomLedger.rows(18L, 200, 25));
        assertThat(Rollups.create(database.primary()).status().pendingQuarterHours())
                .isPositive();
    }

    @AfterAll
    static void dropTheDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void replicaCaughtUp() {
        database.awaitReplay();
    }

    @Test
    void everyQueryOnTheReplicaAnswersAsOnThePrimaryAndAsTheReplicasOwnLedger() {
        List<QueryListener.Source> sources = new CopyOnWriteArrayList<>();
        AnalyticsQueries onReplica = AnalyticsQueries.create(database.replica())
                .withStatementTimeout(Duration.ofSeconds(30))
                .withListener(query -> (source, failure) -> sources.add(source));
        AnalyticsQueries onPrimary = AnalyticsQueries.create(database.primary());

        DashboardAnswers replica = DashboardAnswers.of(onReplica, FILTERS);
        DashboardAnswers replicaRaw = DashboardAnswers.of(onReplica.withRawReads(), FILTERS);

        assertThat(sources).contains(QueryListener.Source.ROLLUPS);
        assertThat(replica).isEqualTo(DashboardAnswers.of(onPrimary, FILTERS));
        assertThat(replicaRaw).isEqualTo(DashboardAnswers.of(onPrimary.withRawReads(), FILTERS));
        replica.assertEquivalentTo(replicaRaw, "the replica's rollups against its ledger");
        List<Row> replicaRows = new Ledger(database.replica()).readBack();
        for (LedgerFilter filter : FILTERS) {
            assertThat(onReplica.grossMargin(filter)).isEqualTo(Oracle.grossMargin(replicaRows, filter));
        }
    }

    @Test
    void queriesJoinAHostsTransactionOnTheReplicaAndGiveItsStatementTimeoutBack() throws SQLException {
        try (Connection connection = database.replica().getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            DSLContext host = DSL.using(connection, SQLDialect.POSTGRES);
            host.execute("SET LOCAL statement_timeout = '45s'");

            DashboardAnswers inTransaction = DashboardAnswers.of(
                    AnalyticsQueries.create(host).withStatementTimeout(Duration.ofSeconds(30)), FILTERS);

            assertThat(host.fetchValue("SELECT current_setting('statement_timeout')"))
                    .isEqualTo("45s");
            connection.commit();
            assertThat(inTransaction)
                    .isEqualTo(DashboardAnswers.of(AnalyticsQueries.create(database.primary()), FILTERS));
        }
    }

    @Test
    void explainOnTheReplicaListsTheStatementsAndTablesItWouldReadOnThePrimary() {
        for (LedgerFilter filter : FILTERS) {
            Map<String, List<String>> replica =
                    tablesRead(AnalyticsQueries.create(database.replica()).explain(filter));

            assertThat(replica)
                    .isEqualTo(tablesRead(
                            AnalyticsQueries.create(database.primary()).explain(filter)));
            assertThat(replica.get("grossMargin")).anyMatch(table -> table.startsWith("rollup_"));
        }
    }

    @Test
    void theExportsOnTheReplicaWriteWhatThePrimaryWrites() {
        for (LedgerFilter filter : FILTERS) {
            Map<String, String> replica = exports(database.replica(), filter);

            assertThat(replica).isEqualTo(exports(database.primary(), filter));
            assertThat(replica.get("ledger").lines().count()).isGreaterThan(2);
        }
    }

    /**
     * A hot standby refuses every write and every temporary table by itself, but grants advisory
     * locks, which there exclude nothing on the primary: the read path must not need one.
     */
    @Test
    void theReadPathSendsOnlyReadsAndTakesNoAdvisoryLock() {
        StatementLog log = new StatementLog();
        DataSource replica = log.around(database.replica());
        AnalyticsQueries queries = AnalyticsQueries.create(replica).withStatementTimeout(Duration.ofSeconds(30));

        DashboardAnswers.of(queries, FILTERS);
        DashboardAnswers.of(queries.withRawReads(), FILTERS.subList(0, 1));
        queries.explain(FILTERS.get(0));
        exports(replica, FILTERS.get(0));
        Rollups.create(replica).status();

        Pattern forbidden = Pattern.compile(
                "\\b(insert|update|delete|merge|create|drop|alter|truncate|lock|nextval|setval|\\w*advisory\\w*)\\b");
        assertThat(log.statements()).hasSizeGreaterThan(FILTERS.size() * 7).allSatisfy(sql -> {
            String statement = sql.strip().toLowerCase(Locale.ROOT);
            // A WITH is a read too (the user breakdown's leaders); the words above catch any write in it.
            // The library's own transactions open by setting their characteristics and timeout.
            assertThat(statement)
                    .matches("(?s)(with|select|explain) .*|set transaction isolation level repeatable read, read only"
                            + "(; set local statement_timeout = '\\d+ms')?");
            assertThat(forbidden.matcher(statement).find()).as(sql).isFalse();
            if (statement.contains("set_config")) {
                assertThat(statement).contains("set_config('statement_timeout'");
            }
        });
    }

    @Test
    void rollupsRefuseToBeMaintainedOnTheReplicaBeforeTakingAnyLock() throws SQLException {
        Rollups onReplica = Rollups.create(database.replica());
        record Maintenance(String what, ThrowingCallable call) {}
        List<Maintenance> maintenance = List.of(
                new Maintenance("Refreshing the rollups", onReplica::refresh),
                new Maintenance("Refreshing the rollups", onReplica::tryRefresh),
                new Maintenance("Building the rollups", onReplica::rebuild),
                new Maintenance("Setting the rollup mode", () -> onReplica.mode(RollupMode.TRIGGER)),
                new Maintenance("Disabling the rollups", onReplica::disable));
        try (Connection holder = database.replica().getConnection();
                Statement statement = holder.createStatement()) {
            // The lock a refresh takes first. A standby grants it: a refresh that went as far as
            // taking it would wait here, and a tryRefresh would return empty instead of failing.
            statement.execute("SELECT pg_advisory_lock(hashtextextended('ledger-analytics rollups analytics', 0))");

            maintenance.forEach(attempt -> assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> assertThatThrownBy(attempt.call())
                            .as(attempt.what())
                            .isInstanceOf(AnalyticsException.class)
                            .hasMessageStartingWith(
                                    attempt.what() + " failed: database \"" + database.name() + "\" on ")
                            .hasMessageContaining(" is a hot standby (a read replica: pg_is_in_recovery() is true)")
                            .hasMessageEndingWith("Run Rollups against the primary: the replica receives the rollups"
                                    + " it builds and refreshes through replication.")
                            .satisfies(e -> assertThat(((AnalyticsException) e).sqlState())
                                    .isEmpty())));
        }
        assertThat(onReplica.status())
                .isEqualTo(Rollups.create(database.primary()).status());
        assertThat(onReplica.status().pendingQuarterHours()).isPositive();
    }

    /**
     * A refresh empties the change log, and VACUUM on the primary would then cut its empty pages
     * off: an AccessExclusiveLock that the replica's replay must take, and so waits for every
     * replica transaction that read the log (every query through the rollups does), up to
     * max_standby_streaming_delay (30 s here), after which PostgreSQL cancels the reader. The
     * migrations keep VACUUM from truncating the log, so replay never waits for a reader.
     */
    @Test
    void vacuumOfTheEmptiedChangeLogNeverMakesTheReplicaWaitForItsReaders() throws SQLException {
        Ledger ledger = new Ledger(database.primary());
        ledger.insert(RandomLedger.rows(19L, 100, 25));
        Rollups.create(database.primary()).refresh();
        long refreshed = primaryScalar("SELECT pg_current_xact_id()::text::bigint");
        database.awaitReplay();

        try (Connection reader = database.replica().getConnection()) {
            reader.setAutoCommit(false);
            reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            AnalyticsQueries inReader = AnalyticsQueries.create(DSL.using(reader, SQLDialect.POSTGRES));
            GrossMargin seen = inReader.grossMargin(FILTERS.get(0));
            awaitPrimaryMayRemoveRowsDeletedBefore(refreshed);
            long pages = primaryScalar("SELECT pg_relation_size('analytics.rollup_changes')");

            ledger.execute("VACUUM analytics.rollup_changes");
            ledger.insert(Row.at(END.toString(), "0.00100000", "0.00050000"));
            database.awaitReplay(Duration.ofSeconds(10));

            assertThat(primaryScalar("SELECT pg_relation_size('analytics.rollup_changes')"))
                    .isEqualTo(pages)
                    .isPositive();
            assertThat(inReader.grossMargin(FILTERS.get(0))).isEqualTo(seen);
            reader.commit();
        }
    }

    /**
     * With hot_standby_feedback, the primary's VACUUM keeps rows the replica's snapshots may
     * still read, as of the replica's last report. A reload makes the replica report at once;
     * this waits until the primary has heard of a horizon past {@code xid}.
     */
    private static void awaitPrimaryMayRemoveRowsDeletedBefore(long xid) throws SQLException {
        try (Connection replica = database.replica().getConnection();
                Statement statement = replica.createStatement()) {
            statement.execute("SELECT pg_reload_conf()");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (primaryScalar("SELECT count(*) FROM pg_stat_replication"
                        + " WHERE backend_xmin IS NOT NULL AND backend_xmin::text::bigint <= " + xid)
                > 0) {
            assertThat(System.nanoTime()).as("the replica's reported horizon").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static long primaryScalar(String sql) {
        try (Connection connection = database.primary().getConnection();
                Statement statement = connection.createStatement();
                var row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The ledger export, the users export and a result export, by name. */
    private static Map<String, String> exports(DataSource dataSource, LedgerFilter filter) {
        CsvExporter exporter = CsvExporter.create(dataSource).withZone(ZoneId.of("Europe/Berlin"));
        Map<String, String> exports = new LinkedHashMap<>();
        StringWriter ledger = new StringWriter();
        exporter.exportLedger(filter, ledger);
        exports.put("ledger", ledger.toString());
        StringWriter users = new StringWriter();
        exporter.exportUsers(filter, UserSort.VENDOR_COST_DESC, users);
        exports.put("users", users.toString());
        StringWriter providers = new StringWriter();
        exporter.writeProviderCosts(AnalyticsQueries.create(dataSource).providerCosts(filter), providers);
        exports.put("provider costs", providers.toString());
        return exports;
    }

    /** Each explained statement's name, with the tables its plan reads. */
    private static Map<String, List<String>> tablesRead(List<QueryPlan> plans) {
        Pattern relation = Pattern.compile("\"Relation Name\": \"([^\"]+)\"");
        return plans.stream()
                .collect(Collectors.toMap(
                        QueryPlan::statement,
                        plan -> {
                            Matcher tables = relation.matcher(plan.json());
                            return tables.results()
                                    .map(m -> m.group(1))
                                    .sorted()
                                    .toList();
                        },
                        (a, b) -> a,
                        LinkedHashMap::new));
    }
}
