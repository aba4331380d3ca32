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

    /** The setting that chooses the ledger's layout in migrated databases: {@code partitioned} (the default) or {@code unpartitioned}. */
    static final String LAYOUT = "analytics.testdb.layout";

    static final String UNPARTITIONED = "unpartitioned";

    /** The last migration before the one that partitions an empty ledger. */
    private static final String LAST_UNPARTITIONED_VERSION = "5";

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
        return createMigrated(schema, UNPARTITIONED.equals(TestServers.setting(LAYOUT)));
    }

    /**
     * A copy of the migrated template of {@code schema}; of one whose ledger stayed unpartitioned
     * when {@code unpartitioned}, as an install from before partitioning, which held rows when
     * migrated to this version, does.
     */
    String createMigrated(String schema, boolean unpartitioned) {
        String template = templatesBySchema.computeIfAbsent(
                (unpartitioned ? UNPARTITIONED + ":" : "") + schema, key -> createTemplate(schema, unpartitioned));
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

    private String createTemplate(String schema, boolean unpartitioned) {
        // Named by counter, not by schema: database names are cut at 63 bytes, and a long schema name
        // would cut away what makes them unique.
        String name = nextName("template");
        // Built before the database so that an invalid schema name fails before anything is created.
        AnalyticsMigrations migrations =
                AnalyticsMigrations.create(server.dataSource(name)).withSchema(schema);
        execute("CREATE DATABASE " + name);
        try {
            if (unpartitioned) {
                migrateHoldingRows(migrations, schema, name);
            } else {
                migrations.migrate();
            }
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

    /**
     * Migrates to the last version before partitioning, writes a row, migrates the rest, which
     * then leaves the ledger unpartitioned, and deletes the row again.
     */
    private void migrateHoldingRows(AnalyticsMigrations migrations, String schema, String database) {
        migrations.withTarget(LAST_UNPARTITIONED_VERSION).migrate();
        String ledger = "\"" + schema + "\".token_usage_ledger";
        String providers = "\"" + schema + "\".providers";
        try (Connection connection = server.dataSource(database).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO " + providers + " (slug, display_name) VALUES ('layout-probe', 'probe')");
            statement.execute("INSERT INTO " + ledger + " (request_id, user_id, model_id, provider_id, vendor_cost,"
                    + " credits_deducted, margin_multiplier, gross_margin_usd, status, input_tokens, output_tokens,"
                    + " user_tier, request_type) SELECT gen_random_uuid(), gen_random_uuid(), 'probe', id, 0, 0, 1, 0,"
                    + " 'success', 0, 0, 'probe', 'probe' FROM " + providers);
            migrations.migrate();
            statement.execute("DELETE FROM " + ledger);
            statement.execute("DELETE FROM " + providers);
        } catch (SQLException e) {
            throw new AnalyticsException("analytics-testkit: migrating an unpartitioned ledger failed", e);
        }
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
