package dev.ledgeranalytics.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    /** The ledger's storage: its partitions, or the table itself when it is not partitioned. */
    private static final String LEDGER_LEAVES = """
            (SELECT relid FROM pg_partition_tree('analytics.token_usage_ledger') WHERE isleaf
             UNION SELECT 'analytics.token_usage_ledger'::regclass WHERE NOT EXISTS (
                 SELECT 1 FROM pg_partition_tree('analytics.token_usage_ledger')))""";

    boolean partitioned() throws SQLException {
        return queryLong(
                        "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'analytics.token_usage_ledger'::regclass")
                == 1;
    }

    /** Turns autovacuum off for the ledger's storage as it is now: each partition, or the table. */
    void disableAutovacuum() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            try (ResultSet leaves =
                    statement.executeQuery("SELECT relid::regclass::text FROM " + LEDGER_LEAVES + " l")) {
                while (leaves.next()) {
                    tables.add(leaves.getString(1));
                }
            }
            for (String table : tables) {
                statement.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            }
        }
    }

    /**
     * Marks an index invalid, as a failed {@code CREATE INDEX CONCURRENTLY} leaves it: of a
     * partitioned index, the index of each partition, where such a build fails.
     */
    void setValid(String index, boolean valid) throws SQLException {
        execute("UPDATE pg_index SET indisvalid = " + valid + " WHERE indexrelid IN ("
                + "SELECT relid FROM pg_partition_tree('" + index + "') WHERE isleaf UNION SELECT '" + index
                + "'::regclass WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree('" + index + "')))");
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
        String sql = "SELECT sum(n_mod_since_analyze) FROM pg_stat_user_tables WHERE relid IN " + LEDGER_LEAVES;
        long seen;
        while ((seen = queryLong(sql)) != modified) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("n_mod_since_analyze stayed " + seen + ", expected " + modified);
            }
            Thread.sleep(20);
        }
    }
}
