package dev.ledgeranalytics.partition;

import java.time.Instant;
import java.time.YearMonth;

/**
 * One partition of a partitioned ledger.
 *
 * @param name          the table's name, such as {@code token_usage_ledger_y2026m11}
 * @param month         the month it holds, UTC; {@code null} for the default partition, which
 *                      holds the rows of every month without a partition of its own
 * @param from          the first instant it holds, {@code null} for the default partition
 * @param to            the first instant after it, {@code null} for the default partition
 * @param estimatedRows the planner's row estimate ({@code pg_class.reltuples}; 0 before the first
 *                      analyze)
 * @param bytes         its size on disk, indexes and TOAST included
 */
public record LedgerPartition(String name, YearMonth month, Instant from, Instant to, long estimatedRows, long bytes) {

    /** Whether this is the default partition. */
    public boolean isDefault() {
        return month == null;
    }
}
