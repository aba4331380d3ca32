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
 * parameters and has no pages, so every per-table step (autovacuum off, VACUUM until
 * all-visible, sizes) goes to the leaves. {@code pg_partition_tree} lists nothing for a table that
 * is neither partitioned nor a partition: {@link #LEAVES} adds such a table as its own only leaf,
 * so that the same statements serve both layouts.
 */
final class LedgerTables {

    /** A VACUUM that cannot mark every page is retried this often, 200 ms apart: 30 s in all. */
    private static final int VACUUM_ATTEMPTS = 150;

    private static final String VACUUM = "VACUUM (ANALYZE, INDEX_CLEANUP ON) ";

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

    /**
     * Statistics for the planner (of a partitioned ledger's parent too) and a visibility map
     * covering every page of every table that holds rows. VACUUM cannot mark a page all-visible
     * while a snapshot older than its rows is open, so each table is vacuumed again until it could.
     * Index cleanup is forced: by default VACUUM skips it when few pages hold dead items, and such
     * a page is never all-visible (the testkit's unpartitioned ledger holds one, from the row that
     * kept the ledger from being partitioned when it was migrated).
     */
    static void vacuumUntilAllVisible(Connection connection, String schema) throws SQLException {
        // On a partitioned table: every partition, and the parent's statistics sampled across them.
        Sql.update(connection, VACUUM + ledger(schema));
        for (String table : leaves(connection, schema)) {
            for (int attempt = 0; !allVisible(connection, table); attempt++) {
                if (attempt == VACUUM_ATTEMPTS) {
                    throw new IllegalStateException("VACUUM could not mark " + table
                            + " all-visible in 30 s; sessions holding an old snapshot: "
                            + Sql.strings(connection, """
                            SELECT coalesce(string_agg(format('pid %s (%s, xmin %s): %s', pid, backend_type, backend_xmin, left(query, 80)), '; '), 'none')
                            FROM pg_stat_activity WHERE datname = current_database() AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()""").get(0));
                }
                pause(table);
                Sql.update(connection, VACUUM + table);
            }
        }
    }

    /**
     * Whether an index-only scan of every row of {@code table} reads none from the table. Not
     * {@code relallvisible = relpages}: loaders extending the table side by side leave never-used
     * pages between theirs, which VACUUM never marks all-visible nor can truncate, and no scan reads.
     */
    private static boolean allVisible(Connection connection, String table) throws SQLException {
        Sql.update(connection, "SET enable_seqscan = off");
        Sql.update(connection, "SET enable_bitmapscan = off");
        try {
            String plan = Sql.strings(connection, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM " + table)
                    .get(0);
            return "0".equals(Sql.strings(connection, """
                            SELECT sum((scan ->> 'Heap Fetches')::int8)
                            FROM jsonb_path_query(?::jsonb, 'strict $.** ? (exists (@."Heap Fetches"))') AS heap (scan)""", plan).get(0));
        } finally {
            Sql.update(connection, "RESET enable_seqscan");
            Sql.update(connection, "RESET enable_bitmapscan");
        }
    }

    private static void pause(String table) throws SQLException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while vacuuming " + table, e);
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
