package dev.ledgeranalytics.rollup;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Builds and maintains the rollup tables that let {@link dev.ledgeranalytics.query.AnalyticsQueries}
 * answer long ranges in milliseconds. Nothing changes for the queries' callers: once the rollups
 * are built, every query reads whole clean buckets from them and the rest of its range from the
 * ledger, with answers identical to reading the ledger alone (the cost distribution's
 * percentiles aside, which are then within 1 % of the exact ones).
 *
 * <pre>{@code
 * Rollups rollups = Rollups.create(dataSource);
 * rollups.refresh();                  // the first call builds them from the whole ledger
 * scheduler.scheduleWithFixedDelay(rollups::refresh, 1, 1, TimeUnit.MINUTES);
 * }</pre>
 *
 * <p>Answers never depend on how recent the last refresh is: writes record the quarter hours
 * they touch in the writer's own transaction, and until a refresh has applied them, queries read
 * those quarter hours from the ledger. A refresh only keeps that share small. Late rows, updates
 * and deletes are recorded like any other write.
 *
 * <p>Refreshes and builds run one at a time (a PostgreSQL advisory lock per schema), each in one
 * REPEATABLE READ transaction, so a query sees a bucket either before or after a refresh, never
 * half-way. They need the privileges of the ledger's owner the first time (enabling the
 * ledger's triggers), and write access to the rollup tables after that.
 *
 * <p>A refresh that fails (the database unreachable, say) throws {@link AnalyticsException} and
 * changes nothing; a task scheduled with {@code scheduleWithFixedDelay} stops at its first
 * exception, so a host that wants refreshes to outlive a database outage catches it in the task.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Rollups {

    private static final List<String> TRIGGERS =
            List.of("rollup_after_insert", "rollup_after_update", "rollup_after_delete", "rollup_after_truncate");
    private static final List<String> TABLES = List.of(
            "rollup_status", "rollup_provider", "rollup_dims", "rollup_costs", "rollup_users", "rollup_changes");
    /** A refresh that loses a race with a trigger-mode writer is retried this many times. */
    private static final int ATTEMPTS = 5;

    private final DataSource dataSource;
    private final String schema;

    private Rollups(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /**
     * The rollups of the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema.
     *
     * @param dataSource connections to the host's database
     * @return the rollups
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static Rollups create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new Rollups(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * A copy for the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public Rollups withSchema(String schema) {
        LedgerDsl.settings(schema);
        return new Rollups(dataSource, schema);
    }

    /**
     * Applies the writes recorded since the last refresh; builds the rollups from the whole
     * ledger if they have never been built. Idempotent: a refresh with nothing recorded only
     * notes the time.
     *
     * @return what was recomputed
     * @throws AnalyticsException if the database fails
     */
    public RefreshResult refresh() {
        return locked("Refreshing the rollups", connection -> {
            if (!isBuilt(connection)) {
                return build(connection);
            }
            long quarterHours = inSnapshot(connection, () -> {
                // In this snapshot: entries written later stay for the next refresh.
                Set<String> changed = new TreeSet<>();
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "DELETE FROM " + table("rollup_changes") + " RETURNING quarter_hour")) {
                    while (rows.next()) {
                        changed.add(rows.getObject(1, OffsetDateTime.class)
                                .toInstant()
                                .toString());
                    }
                }
                if (!changed.isEmpty()) {
                    try (PreparedStatement recompute =
                            connection.prepareStatement("SELECT " + table("rollup_recompute") + "(?)")) {
                        recompute.setArray(1, connection.createArrayOf("timestamptz", changed.toArray()));
                        recompute.execute();
                    }
                }
                update(connection, "UPDATE " + table("rollup_state") + " SET refreshed_at = clock_timestamp()");
                return (long) changed.size();
            });
            return new RefreshResult(false, quarterHours, Duration.ZERO);
        });
    }

    /**
     * Builds the rollups again from the whole ledger, whatever their state: after restoring a
     * backup of the ledger alone, say. Concurrent writes are kept: those the build does not see
     * stay recorded for the next refresh.
     *
     * @return what was recomputed
     * @throws AnalyticsException if the database fails
     */
    public RefreshResult rebuild() {
        return locked("Building the rollups", this::build);
    }

    /**
     * Chooses how writes reach the rollups; takes effect for statements that start afterwards.
     *
     * @param mode the mode
     * @throws IllegalArgumentException if {@code mode} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public void mode(RollupMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        run("Setting the rollup mode", connection -> {
            try (PreparedStatement statement =
                    connection.prepareStatement("UPDATE " + table("rollup_state") + " SET mode = ?")) {
                statement.setString(1, mode.name().toLowerCase(Locale.ROOT));
                statement.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Stops maintaining the rollups: disables the ledger's rollup triggers and empties the
     * rollup tables. Queries read the ledger alone until the next {@link #refresh()} or
     * {@link #rebuild()}.
     *
     * @throws AnalyticsException if the database fails
     */
    public void disable() {
        locked("Disabling the rollups", connection -> {
            inTransaction(connection, () -> {
                for (String trigger : TRIGGERS) {
                    update(connection, "ALTER TABLE " + table("token_usage_ledger") + " DISABLE TRIGGER " + trigger);
                }
                for (String rollup : TABLES) {
                    update(connection, "DELETE FROM " + table(rollup));
                }
                update(connection, "UPDATE " + table("rollup_state") + " SET built_at = NULL, refreshed_at = NULL");
            });
            return new RefreshResult(false, 0, Duration.ZERO);
        });
    }

    /**
     * The rollups' state.
     *
     * @return the state
     * @throws AnalyticsException if the database fails
     */
    public RollupStatus status() {
        return run("Reading the rollup state", connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery(
                            "SELECT built_at, refreshed_at, mode, " + "(SELECT count(DISTINCT quarter_hour) FROM "
                                    + table("rollup_changes") + ") FROM " + table("rollup_state"))) {
                row.next();
                return new RollupStatus(
                        instant(row.getTimestamp(1)),
                        instant(row.getTimestamp(2)),
                        RollupMode.valueOf(row.getString(3).toUpperCase(Locale.ROOT)),
                        row.getLong(4));
            }
        });
    }

    /**
     * Builds from the whole ledger. The triggers are enabled first, in a transaction of their
     * own: enabling them waits for the ledger's writers of the moment to finish, so every write
     * either committed before the build's snapshot (and the build sees it) or is recorded.
     */
    private RefreshResult build(Connection connection) throws SQLException {
        enableTriggers(connection);
        long start = System.nanoTime();
        long quarterHours = inSnapshot(connection, () -> {
            update(connection, "DELETE FROM " + table("rollup_changes"));
            long count;
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT " + table("rollup_build") + "()")) {
                rows.next();
                count = rows.getLong(1);
            }
            update(
                    connection,
                    "UPDATE " + table("rollup_state")
                            + " SET built_at = clock_timestamp(), refreshed_at = clock_timestamp()");
            return count;
        });
        return new RefreshResult(true, quarterHours, Duration.ofNanos(System.nanoTime() - start));
    }

    private void enableTriggers(Connection connection) throws SQLException {
        List<String> disabled = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = ?::regclass AND tgname = ANY (?) AND tgenabled = 'D'")) {
            statement.setString(1, table("token_usage_ledger"));
            statement.setArray(2, connection.createArrayOf("text", TRIGGERS.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    disabled.add(rows.getString(1));
                }
            }
        }
        if (disabled.isEmpty()) {
            return;
        }
        inTransaction(connection, () -> {
            for (String trigger : disabled) {
                update(connection, "ALTER TABLE " + table("token_usage_ledger") + " ENABLE TRIGGER " + trigger);
            }
        });
    }

    /** Runs {@code work} in one transaction of the connection's own isolation level. */
    private static void inTransaction(Connection connection, SqlStatements work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private boolean isBuilt(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT built_at IS NOT NULL FROM " + table("rollup_state"))) {
            return row.next() && row.getBoolean(1);
        }
    }

    /**
     * Runs {@code work} in one REPEATABLE READ transaction, again if it fails to serialise with a
     * trigger-mode writer that changed a rollup row after the snapshot was taken.
     */
    private long inSnapshot(Connection connection, SqlWork<Long> work) throws SQLException {
        int isolation = connection.getTransactionIsolation();
        for (int attempt = 1; ; attempt++) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long result = work.run();
                connection.commit();
                return result;
            } catch (SQLException e) {
                connection.rollback();
                boolean conflict = "40001".equals(e.getSQLState())
                        || "40P01".equals(e.getSQLState())
                        || "23505".equals(e.getSQLState());
                if (!conflict || attempt == ATTEMPTS) {
                    throw e;
                }
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
                connection.setTransactionIsolation(isolation);
            }
        }
    }

    /** Runs {@code work} holding this schema's rollup lock, which serialises refreshes and builds. */
    private RefreshResult locked(String what, ConnectionWork<RefreshResult> work) {
        return run(what, connection -> {
            long start = System.nanoTime();
            String key = "SELECT %s(hashtextextended('ledger-analytics rollups ' || ?, 0))";
            try (PreparedStatement lock = connection.prepareStatement(key.formatted("pg_advisory_lock"))) {
                lock.setString(1, schema);
                lock.execute();
            }
            try {
                RefreshResult result = work.run(connection);
                return new RefreshResult(
                        result.rebuilt(), result.quarterHours(), Duration.ofNanos(System.nanoTime() - start));
            } finally {
                try (PreparedStatement unlock = connection.prepareStatement(key.formatted("pg_advisory_unlock"))) {
                    unlock.setString(1, schema);
                    unlock.execute();
                }
            }
        });
    }

    private <T> T run(String what, ConnectionWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new AnalyticsException(what + " in schema \"" + schema + "\" failed", e);
        }
    }

    private String table(String name) {
        return '"' + schema + "\"." + name;
    }

    private static void update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    @FunctionalInterface
    private interface ConnectionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface SqlStatements {
        void run() throws SQLException;
    }
}
