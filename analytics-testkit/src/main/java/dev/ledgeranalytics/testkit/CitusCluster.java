package dev.ledgeranalytics.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Citus cluster (distributed PostgreSQL) for tests, one per JVM, chosen in this order:
 * <ol>
 *   <li>the coordinator at the JDBC URL in {@code ANALYTICS_TEST_CITUS_URL} (system property or
 *       environment variable), e.g.
 *       {@code jdbc:postgresql://coordinator:5432/postgres?user=test&password=test}: a database
 *       with the {@code citus} extension and at least one active worker; the tests use that
 *       database and nothing else;</li>
 *   <li>otherwise a local cluster, a coordinator and two workers on free local ports, started on
 *       first use (a few seconds) from Debian's PostgreSQL 15 with Citus built in, and torn down when
 *       the JVM exits. When the JVM runs as root the servers run as the {@code postgres} account,
 *       since initdb refuses root.</li>
 * </ol>
 *
 * <p>Citus does not create a new database on the workers, so the tests of a JVM share the
 * cluster's database and keep apart by schema: each creates its own and drops it.
 *
 * <p>Where no cluster can be had, {@link #shared()} fails naming the command that installs Citus
 * ({@code sudo ../shared/citus/build.sh} from the repository root), and
 * {@link #assumeAvailable()} skips the calling test instead.
 *
 * <pre>{@code
 * @BeforeAll
 * static void needsCitus() {
 *     CitusCluster.assumeAvailable();
 * }
 *
 * @Test
 * void distributesTheLedger() throws SQLException {
 *     try (Connection coordinator = CitusCluster.shared().coordinator().getConnection()) {
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class CitusCluster {

    /** System property or environment variable: the JDBC URL of a Citus coordinator to use. */
    static final String JDBC_URL = "ANALYTICS_TEST_CITUS_URL";

    private static final Logger LOG = LoggerFactory.getLogger(CitusCluster.class);

    private static CitusCluster shared;

    private final PostgresServer coordinator;

    private CitusCluster(PostgresServer coordinator) {
        this.coordinator = coordinator;
    }

    /**
     * The cluster of this JVM: the one {@code ANALYTICS_TEST_CITUS_URL} names, else a local one,
     * started on the first call.
     *
     * @return the cluster
     * @throws IllegalArgumentException if {@code ANALYTICS_TEST_CITUS_URL} is not a PostgreSQL JDBC URL
     * @throws IllegalStateException    if the URL's database is not a Citus coordinator with active
     *                                  workers, or a local cluster cannot be started here
     */
    public static synchronized CitusCluster shared() {
        if (shared == null) {
            long start = System.nanoTime();
            PostgresServer coordinator = start(TestServers::setting);
            LOG.info(
                    "analytics-testkit: {} ready in {} ms",
                    coordinator.description(),
                    (System.nanoTime() - start) / 1_000_000);
            Runtime.getRuntime().addShutdownHook(new Thread(coordinator::stop, "analytics-testkit-stop-citus"));
            shared = new CitusCluster(coordinator);
        }
        return shared;
    }

    /**
     * Skips the calling JUnit test, saying what to install, where no cluster can be had here:
     * no {@code ANALYTICS_TEST_CITUS_URL} and no Citus installed. Fails it instead where the
     * system property {@code analytics.testdb.scaleout} (or the environment variable
     * {@code ANALYTICS_TESTDB_SCALEOUT}) is {@code required}, as in CI.
     *
     * @throws IllegalStateException if Citus is missing and required
     */
    public static void assumeAvailable() {
        String url = TestServers.setting(JDBC_URL);
        if (url == null || url.isBlank()) {
            ServerBinaries.assume(
                    ServerBinaries.missingForCitus(ServerBinaries.BIN, ServerBinaries.LIB), TestServers::setting);
        }
    }

    /**
     * Connections to the cluster's database on the coordinator, as the user the cluster was
     * given with (the superuser of a local cluster); each call opens a new connection.
     *
     * @return the data source
     */
    public DataSource coordinator() {
        return coordinator.dataSource(coordinator.maintenanceDatabase());
    }

    /**
     * The JDBC URL of the cluster's database on the coordinator, with the user and, where it has
     * one, the password; keep it out of logs.
     *
     * @return the URL
     */
    public String jdbcUrl() {
        return coordinator.jdbcUrl(coordinator.maintenanceDatabase());
    }

    @Override
    public String toString() {
        return "CitusCluster[" + coordinator.description() + "]";
    }

    /** Connects to or starts the cluster the settings ask for. */
    static PostgresServer start(UnaryOperator<String> settings) {
        String url = settings.apply(JDBC_URL);
        if (url == null || url.isBlank()) {
            return LocalCitusCluster.start();
        }
        ExternalPostgresServer external =
                new ExternalPostgresServer(url.strip(), JDBC_URL, ConnectionTimeouts.from(settings));
        try (Connection connection =
                        external.dataSource(external.maintenanceDatabase()).getConnection();
                Statement statement = connection.createStatement();
                ResultSet workers = statement.executeQuery("SELECT count(*) FROM citus_get_active_worker_nodes()")) {
            workers.next();
            if (workers.getLong(1) == 0) {
                throw new IllegalStateException(
                        JDBC_URL + " names " + external.description() + ", a Citus coordinator without active workers");
            }
            return external;
        } catch (SQLException e) {
            throw new IllegalStateException(
                    JDBC_URL + " names " + external.description()
                            + ", which is not a reachable Citus coordinator with active workers: " + e.getMessage(),
                    e);
        }
    }
}
