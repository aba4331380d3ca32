package dev.ledgeranalytics.verify;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.rollup.internal.RetentionBoundary;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.impl.DSL;

/**
 * What PostgreSQL's catalog and statistics views say about the ledger, read in one transaction.
 * Read with the ledger's schema on the search path, so that types and predicates print
 * unqualified, as {@link LedgerContract} writes them.
 *
 * @param table    sizes and statistics, {@code null} when the table does not exist; of a
 *                 partitioned ledger, summed over its partitions
 * @param partitioned whether the ledger is partitioned
 * @param partitions each partition's statistics, by name; empty for an unpartitioned ledger
 * @param defaultPartitionHoldsRows whether the default partition holds rows, of months that have
 *                 no partition of their own, as far as the statistics tell
 * @param retainedFrom the retention boundary, {@code null} while retention dropped nothing
 * @param providersPresent whether the {@code providers} table the ledger refers to exists
 * @param columns  column name to column, in table order
 * @param statusValues the enum's values in sort order; empty when the type does not exist
 * @param indexes  index name to index
 */
record CatalogSnapshot(
        TableStatistics table,
        boolean partitioned,
        Map<String, TableStatistics> partitions,
        boolean defaultPartitionHoldsRows,
        Instant retainedFrom,
        boolean providersPresent,
        Map<String, LedgerContract.Column> columns,
        List<String> statusValues,
        Map<String, LiveIndex> indexes) {

    record LiveIndex(
            String name,
            boolean unique,
            boolean valid,
            List<String> keys,
            List<String> include,
            String predicate,
            long sizeBytes,
            long scans,
            long entriesRead) {}

    /** The table, or each partition of a partitioned one (pg_partition_tree lists nothing for a plain table). */
    private static final String TABLE_SQL = """
            SELECT c.reltuples::bigint, coalesce(s.n_live_tup, 0), pg_table_size(c.oid), pg_indexes_size(c.oid),
                   greatest(s.last_analyze, s.last_autoanalyze), coalesce(s.n_mod_since_analyze, 0), p.relkind = 'p',
                   c.relname
            FROM pg_class p
            JOIN pg_namespace n ON n.oid = p.relnamespace
            CROSS JOIN LATERAL (SELECT t.relid FROM pg_partition_tree(p.oid) t WHERE t.isleaf
                                UNION SELECT p.oid WHERE p.relkind = 'r') leaf
            JOIN pg_class c ON c.oid = leaf.relid
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = {0} AND p.relname = {1} AND p.relkind IN ('r', 'p')
            ORDER BY c.relname""";

    private static final String RELATION_EXISTS_SQL = """
            SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = {0} AND c.relname = {1} AND c.relkind IN ('r', 'p'))""";

    private static final String COLUMNS_SQL = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = {0} AND c.relname = {1} AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private static final String ENUM_SQL = """
            SELECT e.enumlabel
            FROM pg_enum e
            JOIN pg_type t ON t.oid = e.enumtypid
            JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = {0} AND t.typname = {1}
            ORDER BY e.enumsortorder""";

    // pg_get_indexdef(oid, k, true) prints the k-th column alone; DESC lives in indoption's bit 0.
    private static final String INDEXES_SQL = """
            -- A partitioned index is only as valid as the index of each partition.
            SELECT ic.relname, i.indisunique,
                   i.indisvalid AND NOT EXISTS (SELECT 1 FROM pg_partition_tree(i.indexrelid) t
                                                JOIN pg_index li ON li.indexrelid = t.relid WHERE NOT li.indisvalid),
                   i.indnkeyatts,
                   ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                                || CASE WHEN k <= i.indnkeyatts AND i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                         FROM generate_series(1, i.indnatts) AS k ORDER BY k),
                   pg_get_expr(i.indpred, i.indrelid, true),
                   u.bytes, u.scans, u.entries
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class tc ON tc.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = tc.relnamespace
            -- A partitioned index has no storage or counters of its own: those of its partitions add up.
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(pg_relation_size(t.relid)), 0)::bigint AS bytes, coalesce(sum(s.idx_scan), 0)::bigint AS scans,
                       coalesce(sum(s.idx_tup_read), 0)::bigint AS entries
                FROM (SELECT relid FROM pg_partition_tree(i.indexrelid) UNION SELECT i.indexrelid) t
                LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = t.relid) u
            WHERE n.nspname = {0} AND tc.relname = {1}
            ORDER BY ic.relname""";

    static CatalogSnapshot read(DSLContext tx, String schema) {
        tx.select(DSL.function(
                        "set_config", String.class, DSL.inline("search_path"), DSL.val(schema), DSL.inline(true)))
                .fetch();
        Result<Record> leaves = tx.resultQuery(TABLE_SQL, DSL.val(schema), DSL.val(LedgerContract.TABLE))
                .fetch();
        boolean partitioned = !leaves.isEmpty() && leaves.get(0).get(6, Boolean.class);
        Map<String, TableStatistics> partitions = new LinkedHashMap<>();
        if (partitioned) {
            leaves.forEach(leaf -> partitions.put(leaf.get(7, String.class), statistics(leaf)));
        }
        Map<String, LedgerContract.Column> columns = new LinkedHashMap<>();
        tx.resultQuery(COLUMNS_SQL, DSL.val(schema), DSL.val(LedgerContract.TABLE))
                .forEach(column -> columns.put(
                        column.get(0, String.class),
                        new LedgerContract.Column(
                                column.get(0, String.class),
                                column.get(1, String.class),
                                column.get(2, Boolean.class))));
        List<String> statusValues = tx.resultQuery(ENUM_SQL, DSL.val(schema), DSL.val(LedgerContract.STATUS_TYPE))
                .fetch(0, String.class);
        Map<String, LiveIndex> indexes = new LinkedHashMap<>();
        tx.resultQuery(INDEXES_SQL, DSL.val(schema), DSL.val(LedgerContract.TABLE))
                .forEach(index -> {
                    List<String> all = List.of(index.get(4, String[].class));
                    int keyCount = index.get(3, Integer.class);
                    indexes.put(
                            index.get(0, String.class),
                            new LiveIndex(
                                    index.get(0, String.class),
                                    index.get(1, Boolean.class),
                                    index.get(2, Boolean.class),
                                    all.subList(0, keyCount),
                                    all.subList(keyCount, all.size()),
                                    index.get(5, String.class),
                                    index.get(6, Long.class),
                                    index.get(7, Long.class),
                                    index.get(8, Long.class)));
                });
        boolean providersPresent = tx.resultQuery(
                        RELATION_EXISTS_SQL, DSL.val(schema), DSL.val(LedgerContract.PROVIDERS_TABLE))
                .fetchSingle(0, Boolean.class);
        TableStatistics table = leaves.isEmpty()
                ? null
                : partitioned ? TableStatistics.ofPartitions(partitions.values()) : statistics(leaves.get(0));
        // From the statistics: a reader may read the ledger, not its partitions directly.
        boolean defaultPartitionHoldsRows = leaves.stream()
                .anyMatch(leaf -> LedgerLayout.DEFAULT_PARTITION.equals(leaf.get(7, String.class))
                        && (leaf.get(0, Long.class) > 0 || leaf.get(1, Long.class) > 0));
        Instant retainedFrom = RetentionBoundary.ifRecorded(tx, schema);
        return new CatalogSnapshot(
                table,
                partitioned,
                partitions,
                defaultPartitionHoldsRows,
                retainedFrom,
                providersPresent,
                columns,
                statusValues,
                indexes);
    }

    private static TableStatistics statistics(Record table) {
        OffsetDateTime lastAnalyzed = table.get(4, OffsetDateTime.class);
        return TableStatistics.of(
                table.get(0, Long.class),
                table.get(1, Long.class),
                table.get(2, Long.class),
                table.get(3, Long.class),
                lastAnalyzed == null ? null : lastAnalyzed.toInstant(),
                table.get(5, Long.class));
    }
}
