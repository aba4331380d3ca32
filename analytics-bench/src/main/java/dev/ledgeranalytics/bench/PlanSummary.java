package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One line per plan for the report: its top nodes, and how it reads the ledger, such as
 * {@code Aggregate → Index Only Scan · ledger: Index Only Scan using idx_token_usage_analytics}.
 * A partitioned ledger is read partition by partition, each through its own copy of an index:
 * those are named after the ledger's index, and the line says how many of the ledger's partitions
 * the plan reads, which shows the pruning ({@code … (2 of 16 partitions)}).
 * Or, from {@code EXPLAIN ANALYZE}, how long a statement ran and how many ledger rows it read.
 */
final class PlanSummary {

    /**
     * What one statement did, from its {@code EXPLAIN (ANALYZE, FORMAT JSON)}.
     *
     * @param millis     its execution time
     * @param ledgerRows rows its scans of the ledger returned, over all their loops
     */
    record Analyzed(double millis, long ledgerRows) {}

    /**
     * What the summary of one {@code EXPLAIN (ANALYZE, SUMMARY)} says.
     *
     * @param planning  planning time, in milliseconds
     * @param execution execution time, in milliseconds
     * @param jit       whether PostgreSQL compiled the statement with JIT (a JIT section)
     */
    record Summary(double planning, double execution, boolean jit) {}

    /** Enough to tell a plain aggregate from a gathered, sorted or joined one. */
    private static final int TOP_NODES = 3;

    private PlanSummary() {}

    /**
     * Summarizes an {@code EXPLAIN (FORMAT JSON)} document of a statement on the ledger of
     * {@code schema}. PostgreSQL walks it: {@code .**} visits the nodes depth-first, parents before
     * children, which is the order EXPLAIN prints. EXPLAIN names relations without their schema,
     * and both schemas of the benchmark have partitions of the same names: they are looked up in
     * {@code schema}, and each partition or partition's index stands for its partitioned root.
     *
     * @return the summary, or nothing for a statement that does not read the ledger (the one that
     *     reads the retention boundary, say)
     */
    static Optional<String> of(Connection connection, String schema, String planJson) throws SQLException {
        String sql = """
                SELECT node ->> 'Node Type', relation.relname, idx.relname, node ->> 'Relation Name'
                FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Node Type"))') WITH ORDINALITY AS plan (node, position)
                CROSS JOIN LATERAL (SELECT
                    CASE WHEN node ->> 'Relation Name' IS NOT NULL
                         THEN to_regclass(format('%I.%I', ?, node ->> 'Relation Name')) END AS relation,
                    CASE WHEN node ->> 'Index Name' IS NOT NULL
                         THEN to_regclass(format('%I.%I', ?, node ->> 'Index Name')) END AS idx) named
                -- pg_partition_root is NULL for a table or index that is not in a partition tree.
                LEFT JOIN pg_class relation ON relation.oid = coalesce(pg_partition_root(named.relation), named.relation)
                LEFT JOIN pg_class idx ON idx.oid = coalesce(pg_partition_root(named.idx), named.idx)
                ORDER BY position""";
        List<String> top = new ArrayList<>();
        Set<String> ledgerReads = new LinkedHashSet<>();
        Set<String> partitionsRead = new LinkedHashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            statement.setString(2, schema);
            statement.setString(3, schema);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (top.size() < TOP_NODES) {
                        top.add(rs.getString(1));
                    }
                    if ("token_usage_ledger".equals(rs.getString(2))) {
                        ledgerReads.add(rs.getString(1) + (rs.getString(3) == null ? "" : " using " + rs.getString(3)));
                        partitionsRead.add(rs.getString(4));
                    }
                }
            }
        }
        if (ledgerReads.isEmpty()) {
            return Optional.empty();
        }
        String summary = String.join(" → ", top) + " · ledger: " + String.join(", ", ledgerReads);
        if (LedgerTables.partitioned(connection, schema)) {
            summary += " (" + partitionsRead.size() + " of "
                    + LedgerTables.leaves(connection, schema).size() + " partitions)";
        }
        return Optional.of(summary);
    }

    /** Reads the summary of an {@code EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON)} document. */
    static Summary summary(Connection connection, String planJson) throws SQLException {
        String sql = """
                SELECT (plan ->> 'Planning Time')::float8, (plan ->> 'Execution Time')::float8, plan -> 'JIT' IS NOT NULL
                FROM (SELECT ?::jsonb -> 0) AS explained (plan)""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new Summary(rs.getDouble(1), rs.getDouble(2), rs.getBoolean(3));
            }
        }
    }

    /**
     * Sums up an {@code EXPLAIN (ANALYZE, FORMAT JSON)} document; "Actual Rows" is per loop. A scan
     * of a partitioned ledger names the partition it reads ({@code token_usage_ledger_y2026m11},
     * {@code token_usage_ledger_default}), not the ledger.
     */
    static Analyzed analyzed(Connection connection, String planJson) throws SQLException {
        String sql = """
                SELECT (?::jsonb -> 0 ->> 'Execution Time')::float8,
                       (SELECT coalesce(sum((node ->> 'Actual Rows')::numeric * (node ->> 'Actual Loops')::numeric), 0)
                        FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Node Type"))') AS plan (node)
                        WHERE node ->> 'Relation Name' = 'token_usage_ledger'
                           OR node ->> 'Relation Name' LIKE 'token\\_usage\\_ledger\\_%')::int8""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            statement.setString(2, planJson);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new Analyzed(rs.getDouble(1), rs.getLong(2));
            }
        }
    }
}
