package dev.ledgeranalytics.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A primary and its streaming hot standby, started from {@link ServerBinaries}. As a
 * {@link PostgresServer} it is the primary: test databases are created there and reach the
 * standby through replication.
 */
final class StandbyPair implements PostgresServer {

    private static final String MAINTENANCE_DATABASE = "postgres";

    private final Path directory;
    private final LocalPostgresNode primary;
    private final LocalPostgresNode standby;

    private StandbyPair(Path directory, LocalPostgresNode primary, LocalPostgresNode standby) {
        this.directory = directory;
        this.primary = primary;
        this.standby = standby;
    }

    static StandbyPair start() {
        ServerBinaries.missingForStandby(ServerBinaries.BIN).ifPresent(missing -> {
            throw new IllegalStateException(missing);
        });
        Path directory = ServerBinaries.newClusterDirectory("analytics-testkit-replica-");
        List<LocalPostgresNode> started = new ArrayList<>();
        try {
            LocalPostgresNode primary = LocalPostgresNode.create(directory, "primary", Map.of());
            primary.start();
            started.add(primary);
            // Feedback keeps the primary's VACUUM from removing rows a standby query still reads,
            // which would cancel that query: tests of the read path must not fail by timing.
            LocalPostgresNode standby = primary.standby("standby", Map.of("hot_standby_feedback", "on"));
            standby.start();
            return new StandbyPair(directory, primary, standby);
        } catch (RuntimeException | Error e) {
            LocalPostgresNode.stopAll(e, started.toArray(LocalPostgresNode[]::new));
            ServerBinaries.deleteRecursively(directory);
            throw e;
        }
    }

    DataSource standbyDataSource(String database) {
        return standby.dataSource(database);
    }

    String standbyJdbcUrl(String database) {
        return standby.jdbcUrl(database);
    }

    /**
     * Waits until the standby has replayed the primary's WAL up to its current write position, so
     * that everything committed on the primary before this call is visible on the standby.
     */
    void awaitReplay(Duration timeout) {
        try (Connection onPrimary = primary.dataSource(MAINTENANCE_DATABASE).getConnection();
                Connection onStandby = standby.dataSource(MAINTENANCE_DATABASE).getConnection();
                Statement position = onPrimary.createStatement();
                ResultSet target = position.executeQuery("SELECT pg_current_wal_lsn()::text");
                PreparedStatement replayed = onStandby.prepareStatement(
                        "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn, pg_last_wal_replay_lsn()::text")) {
            target.next();
            String lsn = target.getString(1);
            replayed.setString(1, lsn);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try (ResultSet row = replayed.executeQuery()) {
                    row.next();
                    if (row.getBoolean(1)) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The standby had replayed the primary's WAL up to "
                                + row.getString(2) + " of " + lsn + " after " + timeout.toMillis() + " ms");
                    }
                }
                Thread.sleep(5);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("analytics-testkit could not compare the WAL positions of " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the standby to replay", e);
        }
    }

    @Override
    public DataSource dataSource(String database) {
        return primary.dataSource(database);
    }

    @Override
    public String jdbcUrl(String database) {
        return primary.jdbcUrl(database);
    }

    @Override
    public String maintenanceDatabase() {
        return MAINTENANCE_DATABASE;
    }

    @Override
    public String description() {
        return "PostgreSQL 15 " + primary + " with a streaming " + standby;
    }

    @Override
    public boolean disposable() {
        return true;
    }

    @Override
    public void stop() {
        LocalPostgresNode.stopAll(null, standby, primary);
        ServerBinaries.deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return description();
    }
}
