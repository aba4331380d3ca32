package dev.ledgeranalytics.verify;

import java.util.List;

/**
 * One expected index of the ledger compared with the live catalog, with its size and how much it
 * has been used since the server's statistics were last reset.
 *
 * @param name               the index
 * @param expectedDefinition what it should be, such as {@code (created_at DESC) WHERE status = 'success'::request_status}
 * @param state              the verdict
 * @param keyColumns         the live key columns, {@code DESC} where descending; empty when missing
 * @param includeColumns     the live {@code INCLUDE} columns
 * @param predicate          the live partial-index predicate, {@code null} for a full index
 * @param sizeBytes          the index's size on disk
 * @param scans              {@code pg_stat_user_indexes.idx_scan}: scans started on it. Zero is
 *                           information, not a finding: a new or reset database has used nothing yet
 * @param entriesRead        {@code pg_stat_user_indexes.idx_tup_read}: index entries those scans returned
 */
public record IndexCheck(
        String name,
        String expectedDefinition,
        State state,
        List<String> keyColumns,
        List<String> includeColumns,
        String predicate,
        long sizeBytes,
        long scans,
        long entriesRead) {

    /** The verdict on one index. */
    public enum State {
        /** Present, valid and defined as expected. */
        OK,
        /** No index of this name. */
        MISSING,
        /** Present but {@code pg_index.indisvalid} is false: the planner ignores it. */
        INVALID,
        /** Present and valid, but with other columns or predicate. */
        DIFFERENT
    }

    /**
     * Copies the column lists.
     *
     * @throws NullPointerException if a list is {@code null}
     */
    public IndexCheck {
        keyColumns = List.copyOf(keyColumns);
        includeColumns = List.copyOf(includeColumns);
    }
}
