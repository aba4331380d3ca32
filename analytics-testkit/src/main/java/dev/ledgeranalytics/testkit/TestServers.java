package dev.ledgeranalytics.testkit;

import java.util.Locale;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the one server per JVM that test databases are made on, in this order: an explicit
 * JDBC URL, Testcontainers when asked for, else the embedded PostgreSQL binaries.
 */
final class TestServers {

    /** System property or environment variable: the JDBC URL of a server to use. */
    static final String JDBC_URL = "ANALYTICS_TEST_JDBC_URL";

    /** System property ({@code ANALYTICS_TESTDB} as environment variable): {@code embedded} or {@code testcontainers}. */
    static final String SOURCE = "analytics.testdb";

    /** System property ({@code ANALYTICS_TESTDB_IMAGE} as environment variable): the image Testcontainers runs. */
    static final String IMAGE = "analytics.testdb.image";

    static final String DEFAULT_IMAGE = "postgres:18-alpine";

    private static final Logger LOG = LoggerFactory.getLogger(TestServers.class);

    private static TestDatabases shared;

    private TestServers() {}

    static synchronized TestDatabases shared() {
        if (shared == null) {
            long start = System.nanoTime();
            PostgresServer server = start(TestServers::setting);
            LOG.info(
                    "analytics-testkit: {} ready in {} ms",
                    server.description(),
                    (System.nanoTime() - start) / 1_000_000);
            TestDatabases databases = new TestDatabases(server);
            Runtime.getRuntime().addShutdownHook(new Thread(databases::close, "analytics-testkit-stop"));
            shared = databases;
        }
        return shared;
    }

    /** Starts or connects to the server the settings ask for. */
    static PostgresServer start(UnaryOperator<String> settings) {
        ConnectionTimeouts timeouts = ConnectionTimeouts.from(settings);
        String url = settings.apply(JDBC_URL);
        if (url != null && !url.isBlank()) {
            return new ExternalPostgresServer(url.strip(), timeouts);
        }
        String source = settings.apply(SOURCE);
        String normalised =
                source == null || source.isBlank() ? "embedded" : source.strip().toLowerCase(Locale.ROOT);
        return switch (normalised) {
            case "embedded" -> EmbeddedPostgresServer.start(timeouts);
            case "testcontainers" -> startContainer(settings.apply(IMAGE), timeouts);
            default ->
                throw new IllegalArgumentException(
                        SOURCE + " must be \"embedded\" or \"testcontainers\", but was \"" + source + "\"");
        };
    }

    private static PostgresServer startContainer(String image, ConnectionTimeouts timeouts) {
        try {
            return ContainerPostgresServer.start(
                    image == null || image.isBlank() ? DEFAULT_IMAGE : image.strip(), timeouts);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException(
                    SOURCE + "=testcontainers needs org.testcontainers:testcontainers-postgresql "
                            + "on the test class path",
                    e);
        }
    }

    /** A system property, else the environment variable of the same meaning. */
    static String setting(String name) {
        String property = System.getProperty(name);
        if (property != null) {
            return property;
        }
        return System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_'));
    }
}
