package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The footprint of one partition of a partitioned ledger.
 *
 * @param name    the partition, qualified
 * @param rows    its rows, counted
 * @param table   bytes of heap, TOAST, free space and visibility maps
 * @param indexes bytes of each of its indexes, by the name of the ledger's index it belongs to
 */
record PartitionSizes(String name, long rows, long table, Map<String, Long> indexes) {

    PartitionSizes {
        indexes = Collections.unmodifiableMap(new LinkedHashMap<>(indexes));
    }

    long allIndexes() {
        return indexes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every partition of the ledger in {@code schema}, in name order. */
    static List<PartitionSizes> of(Connection connection, String schema) throws SQLException {
        List<PartitionSizes> partitions = new ArrayList<>();
        for (String leaf : LedgerTables.leaves(connection, schema)) {
            partitions.add(measure(connection, leaf));
        }
        return partitions;
    }

    private static PartitionSizes measure(Connection connection, String partition) throws SQLException {
        Map<String, Long> indexes = new LinkedHashMap<>();
        try (PreparedStatement each = connection.prepareStatement("""
                SELECT root.relname, pg_relation_size(i.indexrelid) FROM pg_index i
                JOIN pg_class root ON root.oid = pg_partition_root(i.indexrelid)
                WHERE i.indrelid = ?::regclass ORDER BY 2 DESC, 1""")) {
            each.setString(1, partition);
            try (ResultSet rs = each.executeQuery()) {
                while (rs.next()) {
                    indexes.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return new PartitionSizes(
                partition,
                Sql.number(connection, "SELECT count(*) FROM " + partition),
                Sql.number(connection, "SELECT pg_table_size(?::regclass)", partition),
                indexes);
    }
}
