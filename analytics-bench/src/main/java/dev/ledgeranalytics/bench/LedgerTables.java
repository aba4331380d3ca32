package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables that hold a ledger's rows, in either layout: the ledger itself when unpartitioned,
 * its leaf partitions when partitioned. A partitioned parent holds no rows, takes no storage
 * parameters and has no pages, so every per-table step (autovacuum off, sizes) goes to
 * the leaves. {@code pg_partition_tree} lists nothing for a table that
 * is neither partitioned nor a partition: {@link #LEAVES} adds such a table as its own only leaf,
 * so that the same statements serve both layouts.
 */
final class LedgerTables {

    /** The leaves of the ledger whose name is bound twice. */
    private static final String LEAVES = """
            SELECT relid FROM pg_partition_tree(?::regclass) WHERE isleaf
            UNION ALL SELECT oid FROM pg_class WHERE oid = ?::regclass AND relkind = 'r'""";

    private LedgerTables() {}

    /** {@code schema.token_usage_ledger}. */
    static String ledger(String schema) {
        return schema + ".token_usage_ledger";
    }

    /** Whether the ledger of {@code schema} is partitioned. */
    static boolean partitioned(Connection connection, String schema) throws SQLException {
        return Sql.strings(connection, "SELECT relkind::text FROM pg_class WHERE oid = ?::regclass", ledger(schema))
                .get(0)
                .equals("p");
    }

    /** The tables that hold the rows, qualified, in name order. */
    static List<String> leaves(Connection connection, String schema) throws SQLException {
        return Sql.strings(
                connection,
                "SELECT relid::regclass::text FROM (" + LEAVES + ") leaf ORDER BY 1",
                ledger(schema),
                ledger(schema));
    }

    /**
     * Autovacuum off on every table that holds rows, from before the rows arrive to the end of the
     * run: an automatic ANALYZE started while they are loaded holds a snapshot that keeps VACUUM
     * from marking them all-visible, and one started between two timed runs would disturb them.
     * Storage parameters are not inherited: call it again after partitions were created.
     */
    static void disableAutovacuum(Connection connection, String schema) throws SQLException {
        for (String table : leaves(connection, schema)) {
            Sql.update(connection, "ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
        }
    }

    /** The ledger's footprint in {@code schema}, its partitions added up. */
    static LedgerStorage storage(Connection connection, String schema) throws SQLException {
        String ledger = ledger(schema);
        long table;
        long indexes;
        int leaves;
        try (PreparedStatement sizes = connection.prepareStatement(
                "SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid)), count(*) FROM (" + LEAVES + ") leaf")) {
            sizes.setString(1, ledger);
            sizes.setString(2, ledger);
            try (ResultSet rs = sizes.executeQuery()) {
                rs.next();
                table = rs.getLong(1);
                indexes = rs.getLong(2);
                leaves = rs.getInt(3);
            }
        }
        Map<String, Long> each = new LinkedHashMap<>();
        try (PreparedStatement sizes = connection.prepareStatement("""
                SELECT c.relname, coalesce((SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(i.indexrelid) t),
                                           pg_relation_size(i.indexrelid))
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = ?::regclass ORDER BY 2 DESC, 1""")) {
            sizes.setString(1, ledger);
            try (ResultSet rs = sizes.executeQuery()) {
                while (rs.next()) {
                    each.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return new LedgerStorage(table, indexes, each, partitioned(connection, schema) ? leaves : 0);
    }
}
