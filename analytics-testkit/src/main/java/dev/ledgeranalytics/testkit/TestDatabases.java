package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates and drops test databases on one server. A migrated schema is built once into a
 * template database; every migrated test database is a copy of it, which takes milliseconds where
 * migrating afresh takes hundreds. Names carry a per-JVM token so that several test runs can
 * share one external server.
 */
final class TestDatabases {

    private final PostgresServer server;
    private final String runToken = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> templatesBySchema = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();

    TestDatabases(PostgresServer server) {
        this.server = server;
    }

    PostgresServer server() {
        return server;
    }

    String createEmpty() {
        String name = nextName("test");
        execute("CREATE DATABASE " + name);
        return name;
    }

    String createMigrated(String schema) {
        String template = templatesBySchema.computeIfAbsent(schema, this::createTemplate);
        String name = nextName("test");
        execute("CREATE DATABASE " + name + " TEMPLATE " + template);
        return name;
    }

    void drop(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** Drops the templates, unless the server goes away with them, and releases the server. */
    void close() {
        try {
            for (String template : server.disposable() ? List.<String>of() : templatesBySchema.values()) {
                execute("ALTER DATABASE " + template + " WITH IS_TEMPLATE false");
                drop(template);
            }
        } catch (RuntimeException e) {
            System.err.println("analytics-testkit: dropping template databases failed: " + e);
        } finally {
            server.stop();
        }
    }

    private String createTemplate(String schema) {
        // Named by counter, not by schema: database names are cut at 63 bytes, and a long schema name
        // would cut away what makes them unique.
        String name = nextName("template");
        // Built before the database so that an invalid schema name fails before anything is created.
        AnalyticsMigrations migrations =
                AnalyticsMigrations.create(server.dataSource(name)).withSchema(schema);
        execute("CREATE DATABASE " + name);
        try {
            migrations.migrate();
        } catch (RuntimeException e) {
            // On a server the testkit does not own, a half-migrated database would stay behind.
            try {
                drop(name);
            } catch (RuntimeException dropFailure) {
                e.addSuppressed(dropFailure);
            }
            throw e;
        }
        execute("ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        return name;
    }

    private String nextName(String prefix) {
        return "analytics_" + prefix + "_" + runToken + "_" + counter.incrementAndGet();
    }

    private void execute(String sql) {
        try (Connection connection =
                        server.dataSource(server.maintenanceDatabase()).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new AnalyticsException("analytics-testkit: " + sql + " on " + server.description() + " failed", e);
        }
    }
}
