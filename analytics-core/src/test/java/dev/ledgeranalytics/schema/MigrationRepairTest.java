package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.AppliedMigration;
import dev.ledgeranalytics.migration.HistoryRepair;
import dev.ledgeranalytics.migration.MigrationHistory;
import dev.ledgeranalytics.migration.MigrationResult;
import dev.ledgeranalytics.migration.SchemaMigration;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.verify.Finding;
import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.Status;
import dev.ledgeranalytics.verify.VerificationReport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * V2 builds its indexes with CREATE INDEX CONCURRENTLY, outside a transaction: interrupted half-way,
 * it is recorded as failed. These tests interrupt it the ways production does, while it waits for a
 * transaction that writes to the ledger, which every concurrent index build must outwait.
 */
class MigrationRepairTest {

    private TestDatabase database;
    private DataSource dataSource;

    @BeforeEach
    void ledgerTablesWithoutIndexes() {
        database = TestDatabase.empty();
        dataSource = database.dataSource();
        // V1 alone, as an older library version left it; its transactional advisory lock is harmless without V2.
        Flyway.configure()
                .dataSource(dataSource)
                .locations(AnalyticsMigrations.LOCATION)
                .schemas(AnalyticsMigrations.DEFAULT_SCHEMA)
                .defaultSchema(AnalyticsMigrations.DEFAULT_SCHEMA)
                .table(AnalyticsMigrations.HISTORY_TABLE)
                .placeholderReplacement(false)
                .target("1")
                .load()
                .migrate();
    }

    @AfterEach
    void drop() {
        database.close();
    }

    @Test
    void anIndexBuildCancelledHalfWayIsRetriedAfterARepairAndTheSchemaIsReady() throws Exception {
        AnalyticsMigrations migrations = AnalyticsMigrations.create(dataSource);
        CompletableFuture<MigrationResult> migrating;
        try (Connection writer = openWriteTransaction()) {
            migrating = CompletableFuture.supplyAsync(migrations::migrate);
            int indexBuild = awaitIndexBuildWaitingForWriters();
            execute("SELECT pg_cancel_backend(" + indexBuild + ")");
            assertThatThrownBy(migrating::join)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("V2 (ledger indexes) as failed")
                    .hasMessageContaining("repair()")
                    .hasMessageContaining("canceling statement due to user request")
                    .satisfies(
                            e -> assertThat(((AnalyticsException) e).sqlState()).contains("57014"));
            writer.rollback();
        }

        MigrationHistory history = migrations.history();
        assertThat(history.currentVersion()).isEqualTo("1");
        assertThat(history.failed()).containsExactly(new SchemaMigration("2", "ledger indexes"));
        assertThat(history.pending()).isNotEmpty().doesNotContain(new SchemaMigration("2", "ledger indexes"));
        assertThatThrownBy(migrations::migrate)
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("V2 (ledger indexes) as failed")
                .hasMessageContaining("analytics migrate --repair");
        VerificationReport broken = SchemaVerifier.verify(dataSource, "analytics");
        assertThat(broken.status()).isEqualTo(Status.BROKEN);
        assertThat(broken.findings())
                .filteredOn(finding -> finding.kind() == Finding.Kind.MIGRATION_FAILED)
                .singleElement()
                .satisfies(finding -> assertThat(finding.message()).contains("analytics migrate --repair"));

        HistoryRepair repair = migrations.repair();
        MigrationResult retried = migrations.migrate();

        assertThat(repair.removedFailed()).containsExactly(new SchemaMigration("2", "ledger indexes"));
        assertThat(repair.realigned()).isEmpty();
        assertThat(retried.applied())
                .extracting(AppliedMigration::version)
                .startsWith("2")
                .containsAll(
                        history.pending().stream().map(SchemaMigration::version).toList());
        assertThat(migrations.history().upToDate()).isTrue();
        assertThat(migrations.repair().removedFailed()).isEmpty();
        SeedSchema.assertCatalogMatches(new Catalog(dataSource, "analytics"));
    }

    @Test
    void neitherTheRolesTimeoutsNorThePoolsSocketTimeoutCancelTheIndexBuild() throws Exception {
        execute("ALTER ROLE CURRENT_USER IN DATABASE " + database.name()
                + " SET statement_timeout = '1s'; ALTER ROLE CURRENT_USER IN DATABASE " + database.name()
                + " SET lock_timeout = '300ms'");
        PGSimpleDataSource impatientPool = new PGSimpleDataSource();
        impatientPool.setUrl(database.jdbcUrl());
        impatientPool.setSocketTimeout(1);
        AnalyticsMigrations migrations = AnalyticsMigrations.create(impatientPool);
        CompletableFuture<MigrationResult> migrating;
        try (Connection writer = openWriteTransaction()) {
            migrating = CompletableFuture.supplyAsync(migrations::migrate);
            awaitIndexBuildWaitingForWriters();
            // Past both of the role's timeouts, the build still waits for the writer, as it must.
            Instant deadline = Instant.now().plusSeconds(30);
            while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' "
                            + "AND wait_event_type = 'Lock' AND now() - query_start > interval '2 seconds'")
                    == 0) {
                assertThat(migrating).as("the migration ended early").isNotDone();
                assertThat(Instant.now()).isBefore(deadline);
                Thread.sleep(100);
            }
            writer.commit();
        }

        MigrationResult result = migrating.get();

        assertThat(result.applied()).extracting(AppliedMigration::version).startsWith("2");
        assertThat(SchemaVerifier.verify(dataSource, "analytics").status()).isEqualTo(Status.READY);
        assertThat(queryText("SHOW statement_timeout"))
                .as("the role's own setting")
                .isEqualTo("1s");
    }

    @Test
    void pooledConnectionsGoBackToTheHostsPoolWithTheirOwnTimeouts() throws SQLException {
        List<Connection> physical = new ArrayList<>();
        DataSource pool = pool(physical, "SET statement_timeout = '7s'", "SET lock_timeout = '3s'");

        AnalyticsMigrations.create(pool).migrate();
        AnalyticsMigrations.create(pool).history();

        assertThat(physical).isNotEmpty();
        for (Connection connection : physical) {
            assertThat(connection.getNetworkTimeout()).isEqualTo(45_000);
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(
                            "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("7s");
                assertThat(rs.getString(2)).isEqualTo("3s");
            }
        }
        for (Connection connection : physical) {
            connection.close();
        }
    }

    /**
     * The essence of a host's connection pool: connections set up once by the host's init SQL, handed
     * out again and again, and put back rather than closed.
     */
    private DataSource pool(List<Connection> physical, String... initSql) {
        Deque<Connection> idle = new ArrayDeque<>();
        return (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Connection connection = idle.poll();
                    if (connection == null) {
                        connection = dataSource.getConnection();
                        connection.setNetworkTimeout(Runnable::run, 45_000);
                        try (Statement statement = connection.createStatement()) {
                            for (String sql : initSql) {
                                statement.execute(sql);
                            }
                        }
                        physical.add(connection);
                    }
                    Connection lent = connection;
                    return Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                                if (m.getName().equals("close")) {
                                    idle.push(lent);
                                    return null;
                                }
                                try {
                                    return m.invoke(lent, a);
                                } catch (InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
    }

    /** A transaction that has written to the ledger and stays open: every concurrent index build waits for it. */
    private Connection openWriteTransaction() throws SQLException {
        Connection writer = dataSource.getConnection();
        writer.setAutoCommit(false);
        try (Statement statement = writer.createStatement()) {
            statement.execute("LOCK TABLE analytics.token_usage_ledger IN ROW EXCLUSIVE MODE");
        }
        return writer;
    }

    /** The backend of V2's index build, once it waits for the writers of the ledger. */
    private int awaitIndexBuildWaitingForWriters() throws SQLException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            long pid = queryLong("SELECT coalesce(max(pid), 0) FROM pg_stat_activity "
                    + "WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'");
            if (pid > 0) {
                return (int) pid;
            }
            assertThat(Instant.now()).as("V2 never started waiting").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private long queryLong(String sql) throws SQLException {
        return Long.parseLong(queryText(sql));
    }

    private String queryText(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
