package dev.ledgeranalytics.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL server of a test cluster, run from {@link ServerBinaries} in a data directory of
 * its own under the cluster's directory, on a free local port, reachable over TCP only.
 */
final class LocalPostgresNode {

    private static final String USER = "postgres";

    private final String role;
    private final Path dataDirectory;
    private final Path serverLog;
    private final int port;

    private LocalPostgresNode(String role, Path clusterDirectory, int port) {
        this.role = role;
        String name = role.toLowerCase(Locale.ROOT).replace(' ', '-');
        this.dataDirectory = clusterDirectory.resolve(name);
        this.serverLog = clusterDirectory.resolve(name + ".log");
        this.port = port;
    }

    /** A new, stopped server: initdb, then {@code settings} on top of the test defaults. */
    static LocalPostgresNode create(Path clusterDirectory, String role, Map<String, String> settings) {
        LocalPostgresNode node = new LocalPostgresNode(role, clusterDirectory, freePort());
        ServerBinaries.run(
                clusterDirectory,
                "initdb",
                "-D",
                node.dataDirectory.toString(),
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync");
        node.configure(settings);
        return node;
    }

    /**
     * A new, stopped streaming hot standby of this running server, copied by {@code pg_basebackup}
     * through a replication slot of its own, so the primary keeps every WAL segment it still needs.
     */
    LocalPostgresNode standby(String role, Map<String, String> settings) {
        Path clusterDirectory = dataDirectory.getParent();
        LocalPostgresNode standby = new LocalPostgresNode(role, clusterDirectory, freePort());
        ServerBinaries.run(
                clusterDirectory,
                "pg_basebackup",
                "--host=localhost",
                "--port=" + port,
                "--username=" + USER,
                "--pgdata=" + standby.dataDirectory,
                "--wal-method=stream",
                "--write-recovery-conf",
                "--create-slot",
                "--slot=" + standby.dataDirectory.getFileName().toString().replace('-', '_'),
                "--no-sync");
        standby.configure(settings);
        return standby;
    }

    void start() {
        ServerBinaries.run(
                dataDirectory.getParent(),
                "pg_ctl",
                "start",
                "--pgdata=" + dataDirectory,
                "--log=" + serverLog,
                "--wait",
                "--timeout=60");
    }

    /** Stops the server, fast: open transactions are rolled back and the server shuts down cleanly. */
    void stop() {
        ServerBinaries.run(
                dataDirectory.getParent(), "pg_ctl", "stop", "--pgdata=" + dataDirectory, "--mode=fast", "--wait");
    }

    /**
     * Stops each node given, in order, and reports failures: added to {@code failure} when a
     * start-up is being unwound, else on stderr, as the JVM is exiting.
     */
    static void stopAll(Throwable failure, LocalPostgresNode... nodes) {
        for (LocalPostgresNode node : nodes) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    System.err.println("analytics-testkit: stopping the " + node + " failed: " + e);
                }
            }
        }
    }

    void execute(String database, String sql) {
        try (Connection connection = dataSource(database).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "analytics-testkit: " + sql + " on the " + this + " failed" + ServerBinaries.tail(serverLog), e);
        }
    }

    DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"localhost"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(database);
        dataSource.setUser(USER);
        return ConnectionTimeouts.DEFAULTS.applyTo(dataSource);
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=" + USER;
    }

    int port() {
        return port;
    }

    @Override
    public String toString() {
        return role + " on port " + port;
    }

    private void configure(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("port", Integer.toString(port));
        all.put("listen_addresses", "'localhost'");
        // TCP only: a socket path under a deep temporary directory can exceed the 107 bytes allowed.
        all.put("unix_socket_directories", "''");
        // Durability is irrelevant for throw-away test data; skipping it makes writes fast.
        all.put("fsync", "off");
        all.put("max_connections", "200");
        all.put("timezone", "'UTC'");
        all.putAll(settings);
        StringBuilder lines = new StringBuilder("\n# analytics-testkit\n");
        all.forEach(
                (name, value) -> lines.append(name).append(" = ").append(value).append('\n'));
        try {
            // Appended: the last setting of a name wins, over what initdb or a copied primary wrote.
            Files.writeString(
                    dataDirectory.resolve("postgresql.conf"), lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit could not configure the " + role, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit found no free local port", e);
        }
    }
}
