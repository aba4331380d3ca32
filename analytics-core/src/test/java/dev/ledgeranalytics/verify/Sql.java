package dev.ledgeranalytics.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/** Plain JDBC for tests that damage a schema on purpose, and for waiting on PostgreSQL's statistics. */
final class Sql {

    private final DataSource dataSource;

    Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs the statements on one connection, then has that backend publish its pending statistics
     * counters at once rather than within the next second (PostgreSQL 15+).
     */
    void execute(String... statements) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
            statement.execute("SELECT pg_stat_force_next_flush()");
        }
    }

    long queryLong(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Waits, at most ten seconds, until the ledger's statistics count {@code modified} rows changed
     * since the last analyze: other backends (the seeder's, closing) publish theirs asynchronously.
     */
    void awaitModifiedSinceAnalyze(long modified) throws SQLException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String sql =
                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = 'analytics.token_usage_ledger'::regclass";
        long seen;
        while ((seen = queryLong(sql)) != modified) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("n_mod_since_analyze stayed " + seen + ", expected " + modified);
            }
            Thread.sleep(20);
        }
    }
}
