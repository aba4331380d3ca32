package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh database on a primary PostgreSQL with a streaming hot standby, for tests of reads from
 * a read replica: write on {@link #primary()}, call {@link #awaitReplay()}, read on
 * {@link #replica()}. Closing it drops the database on the primary, and so on the replica.
 *
 * <p>All replicated databases of a JVM live on one pair of servers, started on first use (a few
 * seconds) and stopped when the JVM exits: Debian's PostgreSQL 15, whose {@code pg_basebackup} copies
 * the primary into the standby (the embedded PostgreSQL binaries have no {@code pg_basebackup}).
 * Their data directories are in a temporary directory; when the JVM runs as root, the servers run
 * as the {@code postgres} account, since initdb refuses root. Where those binaries are missing,
 * {@link #migrated()} fails naming the package to install, and {@link #assumeAvailable()} skips
 * the calling test instead.
 *
 * <pre>{@code
 * @BeforeAll
 * static void needsAReplica() {
 *     ReplicatedDatabase.assumeAvailable();
 * }
 *
 * @Test
 * void theReplicaAnswersLikeThePrimary() {
 *     try (ReplicatedDatabase db = ReplicatedDatabase.migrated()) {
 *         LedgerSeeder.into(db.primary()).rows(10_000).load();
 *         db.awaitReplay();
 *         assertThat(AnalyticsQueries.create(db.replica()).grossMargin(lastMonth))
 *                 .isEqualTo(AnalyticsQueries.create(db.primary()).grossMargin(lastMonth));
 *     }
 * }
 * }</pre>
 */
public final class ReplicatedDatabase implements AutoCloseable {

    /** How long {@link #awaitReplay()} waits; replay on a local standby takes milliseconds. */
    private static final Duration DEFAULT_REPLAY_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedDatabase.class);

    private static StandbyPair pair;
    private static TestDatabases databases;

    private final String name;
    private final String schema;

    private ReplicatedDatabase(String name, String schema) {
        this.name = name;
        this.schema = schema;
    }

    /**
     * A database with the ledger schema migrated into {@value AnalyticsMigrations#DEFAULT_SCHEMA},
     * already replayed on the replica.
     *
     * @return the new database
     * @throws IllegalStateException if the servers are missing or fail to start
     */
    public static ReplicatedDatabase migrated() {
        return migrated(AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * A database with the ledger schema migrated into the given schema, already replayed on the
     * replica.
     *
     * @param schema the schema name, as accepted by {@link AnalyticsMigrations#withSchema(String)}
     * @return the new database
     * @throws IllegalArgumentException if the schema name is not valid
     * @throws IllegalStateException    if the servers are missing or fail to start
     */
    public static ReplicatedDatabase migrated(String schema) {
        TestDatabases shared = databases();
        ReplicatedDatabase database = new ReplicatedDatabase(shared.createMigrated(schema), schema);
        database.awaitReplay();
        return database;
    }

    /**
     * Skips the calling JUnit test, saying what to install, where the servers cannot be started
     * here; fails it instead where the system property {@code analytics.testdb.scaleout} (or the
     * environment variable {@code ANALYTICS_TESTDB_SCALEOUT}) is {@code required}, as in CI.
     *
     * @throws IllegalStateException if the servers are missing and required
     */
    public static void assumeAvailable() {
        ServerBinaries.assume(ServerBinaries.missingForStandby(ServerBinaries.BIN), TestServers::setting);
    }

    /**
     * Connections to this database on the primary, as its superuser; each call opens a new
     * connection.
     *
     * @return the data source
     */
    public DataSource primary() {
        return pair.dataSource(name);
    }

    /**
     * Connections to this database on the hot standby, as its superuser: read-only, and as
     * current as its replay (see {@link #awaitReplay()}).
     *
     * @return the data source
     */
    public DataSource replica() {
        return pair.standbyDataSource(name);
    }

    /**
     * The JDBC URL of this database on the primary, with the user; keep it out of logs.
     *
     * @return the URL
     */
    public String primaryJdbcUrl() {
        return pair.jdbcUrl(name);
    }

    /**
     * The JDBC URL of this database on the replica, with the user; keep it out of logs.
     *
     * @return the URL
     */
    public String replicaJdbcUrl() {
        return pair.standbyJdbcUrl(name);
    }

    /**
     * Waits, up to a minute, until the replica has replayed everything the
     * primary had written when this method was called: every transaction committed on the primary
     * before the call is visible on the replica after it.
     *
     * @throws IllegalStateException if the replica falls behind for longer
     */
    public void awaitReplay() {
        awaitReplay(DEFAULT_REPLAY_TIMEOUT);
    }

    /**
     * Waits until the replica has replayed everything the primary had written when this method
     * was called.
     *
     * @param timeout how long to wait
     * @throws IllegalArgumentException if {@code timeout} is null, zero or negative
     * @throws IllegalStateException    if the replica has not caught up within the timeout
     */
    public void awaitReplay(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        pair.awaitReplay(timeout);
    }

    /**
     * The database's name, the same on the primary and the replica.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The schema the ledger was migrated into.
     *
     * @return the schema name
     */
    public String schema() {
        return schema;
    }

    /** Drops the database on the primary, disconnecting anything still connected to it. */
    @Override
    public void close() {
        databases.drop(name);
    }

    @Override
    public String toString() {
        return "ReplicatedDatabase[" + name + " on " + pair.description() + ", schema=" + schema + "]";
    }

    private static synchronized TestDatabases databases() {
        if (databases == null) {
            long start = System.nanoTime();
            StandbyPair started = StandbyPair.start();
            LOG.info(
                    "analytics-testkit: {} ready in {} ms",
                    started.description(),
                    (System.nanoTime() - start) / 1_000_000);
            TestDatabases created = new TestDatabases(started);
            Runtime.getRuntime().addShutdownHook(new Thread(created::close, "analytics-testkit-stop-replica"));
            pair = started;
            databases = created;
        }
        return databases;
    }
}
