package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import javax.sql.DataSource;

/**
 * A fresh PostgreSQL database for one test or test class, on a server started from the embedded
 * binaries (no Docker). Closing it drops the database.
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabase.migrated()) {
 *     AnalyticsQueries queries = AnalyticsQueries.create(db.dataSource());
 *     ...
 * }
 * }</pre>
 *
 * <p>With JUnit 5, {@link AnalyticsDatabase @AnalyticsDatabase} does the same per test class.
 */
public final class TestDatabase implements AutoCloseable {

    private final EmbeddedServer server;
    private final String name;
    private final String schema;
    private final DataSource dataSource;

    private TestDatabase(EmbeddedServer server, String name, String schema) {
        this.server = server;
        this.name = name;
        this.schema = schema;
        this.dataSource = server.dataSource(name);
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
        EmbeddedServer server = EmbeddedServer.shared();
        return new TestDatabase(server, server.createMigratedDatabase(schema), schema);
    }

    /**
     * An empty database: nothing migrated, for tests of the migrations themselves.
     *
     * @return the new database
     */
    public static TestDatabase empty() {
        EmbeddedServer server = EmbeddedServer.shared();
        return new TestDatabase(server, server.createEmptyDatabase(), null);
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
     * The JDBC URL of this database, user included and no password needed.
     *
     * @return the URL
     */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
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
        server.dropDatabase(name);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl() + (schema == null ? "" : ", schema=" + schema) + "]";
    }
}
