package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One line per plan for the report: its top nodes, and how it reads the ledger, such as
 * {@code Aggregate → Index Only Scan · ledger: Index Only Scan using idx_token_usage_analytics};
 * or, from {@code EXPLAIN ANALYZE}, how long a statement ran and how many ledger rows it read.
 */
final class PlanSummary {

    /**
     * What one statement did, from its {@code EXPLAIN (ANALYZE, FORMAT JSON)}.
     *
     * @param millis     its execution time
     * @param ledgerRows rows its scans of the ledger returned, over all their loops
     */
    record Analyzed(double millis, long ledgerRows) {}

    /** Enough to tell a plain aggregate from a gathered, sorted or joined one. */
    private static final int TOP_NODES = 3;

    private PlanSummary() {}

    /**
     * Summarizes an {@code EXPLAIN (FORMAT JSON)} document. PostgreSQL walks it: {@code .**}
     * visits the nodes depth-first, parents before children, which is the order EXPLAIN prints.
     */
    static String of(Connection connection, String planJson) throws SQLException {
        String sql = """
                SELECT node ->> 'Node Type', node ->> 'Relation Name', node ->> 'Index Name'
                FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Node Type"))') WITH ORDINALITY AS plan (node, position)
                ORDER BY position""";
        List<String> top = new ArrayList<>();
        Set<String> ledgerReads = new LinkedHashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, planJson);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (top.size() < TOP_NODES) {
                        top.add(rs.getString(1));
                    }
                    if ("token_usage_ledger".equals(rs.getString(2))) {
                        ledgerReads.add(rs.getString(1) + (rs.getString(3) == null ? "" : " using " + rs.getString(3)));
                    }
                }
            }
        }
        return String.join(" → ", top) + " · ledger: " + String.join(", ", ledgerReads);
    }

    /** Sums up an {@code EXPLAIN (ANALYZE, FORMAT JSON)} document; "Actual Rows" is per loop. */
    static Analyzed analyzed(Connection connection, String planJson) throws SQLException {
        String sql = """
                SELECT (?::jsonb -> 0 ->> 'Execution Time')::float8,
                       (SELECT coalesce(sum((node ->> 'Actual Rows')::numeric * (node ->> 'Actual Loops')::numeric), 0)
                        FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Node Type"))') AS plan (node)
                        WHERE node ->> 'Relation Name' = 'token_usage_ledger')::int8""";
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
