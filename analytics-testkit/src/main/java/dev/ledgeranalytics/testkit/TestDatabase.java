package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import javax.sql.DataSource;

/**
 * A fresh PostgreSQL database for one test or test class. Closing it drops the database.
 *
 * <p>All test databases of a JVM live on one server, chosen in this order:
 * <ol>
 *   <li>the server at the JDBC URL in {@code ANALYTICS_TEST_JDBC_URL} (system property or
 *       environment variable), whose user may create databases;</li>
 *   <li>a Testcontainers PostgreSQL when {@code analytics.testdb=testcontainers} (system property,
 *       or {@code ANALYTICS_TESTDB}), image {@code analytics.testdb.image} (default
 *       {@code postgres:18-alpine}); needs {@code org.testcontainers:testcontainers-postgresql} and a
 *       Docker engine, and fails at once, naming both, without one;</li>
 *   <li>otherwise the embedded PostgreSQL binaries from Maven Central (PostgreSQL 18 by default):
 *       no Docker, and it works as root.</li>
 * </ol>
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabase.migrated()) {
 *     AnalyticsQueries queries = AnalyticsQueries.create(db.dataSource());
 *     ...
 * }
 * }</pre>
 *
 * <p>With JUnit 5, {@link AnalyticsDatabase @AnalyticsDatabase} does the same per test class.
 *
 * <p>Every connection the testkit opens has a connect, a login and a socket timeout: 10, 30 and
 * 600 seconds unless {@code analytics.testdb.connect_timeout}, {@code analytics.testdb.login_timeout}
 * or {@code analytics.testdb.socket_timeout} (system properties, or the same names upper-cased with
 * underscores as environment variables) say otherwise; 0 waits for ever.
 */
public final class TestDatabase implements AutoCloseable {

    private final TestDatabases databases;
    private final String name;
    private final String schema;
    private final DataSource dataSource;

    private TestDatabase(TestDatabases databases, String name, String schema) {
        this.databases = databases;
        this.name = name;
        this.schema = schema;
        this.dataSource = databases.server().dataSource(name);
    }

    /**
     * A database with the ledger schema migrated into {@value AnalyticsMigrations#DEFAULT_SCHEMA}.
     *
     * @return the new database
     */
    public static TestDatabase migrated() {
        return migrated(AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * A database with the ledger schema migrated into the given schema.
     *
     * @param schema the schema name, as accepted by {@link AnalyticsMigrations#withSchema(String)}
     * @return the new database
     * @throws IllegalArgumentException if the schema name is not valid
     */
    public static TestDatabase migrated(String schema) {
        TestDatabases databases = TestServers.shared();
        return new TestDatabase(databases, databases.createMigrated(schema), schema);
    }

    /**
     * An empty database: nothing migrated, for tests of the migrations themselves.
     *
     * @return the new database
     */
    public static TestDatabase empty() {
        TestDatabases databases = TestServers.shared();
        return new TestDatabase(databases, databases.createEmpty(), null);
    }

    /**
     * Connections to this database as its superuser; each call opens a new connection.
     *
     * @return the data source
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * The JDBC URL of this database, with the user and, where the server needs one, the password;
     * keep it out of logs.
     *
     * @return the URL
     */
    public String jdbcUrl() {
        return databases.server().jdbcUrl(name);
    }

    /**
     * The database's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The schema the ledger was migrated into.
     *
     * @return the schema name, or {@code null} for an {@link #empty()} database
     */
    public String schema() {
        return schema;
    }

    /** Drops the database, disconnecting anything still connected to it. */
    @Override
    public void close() {
        databases.drop(name);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + databases.server().description()
                + (schema == null ? "" : ", schema=" + schema) + "]";
    }
}
