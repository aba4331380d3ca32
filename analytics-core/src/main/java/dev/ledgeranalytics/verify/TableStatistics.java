package dev.ledgeranalytics.verify;

import java.time.Instant;
import java.util.Collection;

/**
 * Size of the ledger and freshness of the planner's statistics about it.
 *
 * <p>The statistics are <em>stale</em> when more rows were inserted, updated or deleted since the
 * last analyze than {@link #staleThreshold()}: 50 + 10 % of the rows at that analyze, the point at
 * which autovacuum's default settings analyze a table again. A table never analyzed counts as
 * having had no rows then, so more than 50 rows in it are stale. A table that stays stale means
 * autovacuum is off or cannot keep up; stale statistics mislead the planner, typically into a
 * sequential scan of a table that has grown.
 *
 * @param estimatedRows        the planner's row estimate ({@code pg_class.reltuples}), or the live
 *                             row count when the table was never analyzed or vacuumed
 * @param tableBytes           the table's size on disk, TOAST included, indexes excluded
 * @param indexBytes           the size of all its indexes
 * @param lastAnalyzed         the later of the last manual and automatic analyze; {@code null} if never
 * @param modifiedSinceAnalyze rows inserted, updated or deleted since ({@code n_mod_since_analyze})
 * @param staleThreshold       how many modifications make the statistics stale
 * @param stale                whether they are
 */
public record TableStatistics(
        long estimatedRows,
        long tableBytes,
        long indexBytes,
        Instant lastAnalyzed,
        long modifiedSinceAnalyze,
        long staleThreshold,
        boolean stale) {

    /** autovacuum_analyze_threshold's default. */
    static final long ANALYZE_THRESHOLD = 50;
    /** autovacuum_analyze_scale_factor's default. */
    static final double ANALYZE_SCALE_FACTOR = 0.1;

    /**
     * Applies autovacuum's own rule: a never-analyzed table counts as no rows, and every row in it
     * as modified (the counter may have been reset, as after a crash, so live rows count too).
     */
    static TableStatistics of(
            long reltuples,
            long liveRows,
            long tableBytes,
            long indexBytes,
            Instant lastAnalyzed,
            long modifiedSinceAnalyze) {
        long threshold = ANALYZE_THRESHOLD + (long) (ANALYZE_SCALE_FACTOR * Math.max(reltuples, 0));
        long modified = lastAnalyzed == null ? Math.max(modifiedSinceAnalyze, liveRows) : modifiedSinceAnalyze;
        // reltuples is -1 until the first VACUUM or ANALYZE (PostgreSQL 14+).
        long estimatedRows = reltuples < 0 ? liveRows : reltuples;
        return new TableStatistics(
                estimatedRows,
                tableBytes,
                indexBytes,
                lastAnalyzed,
                modifiedSinceAnalyze,
                threshold,
                modified > threshold);
    }

    /**
     * The statistics of a partitioned ledger, from those of its partitions: sizes and counts add
     * up, the oldest analyze of a partition holding rows is the ledger's, and it is stale when
     * any partition is (autovacuum analyzes partitions one by one, never the parent).
     */
    static TableStatistics ofPartitions(Collection<TableStatistics> partitions) {
        Instant oldestAnalyze = null;
        boolean neverAnalyzed = false;
        for (TableStatistics partition : partitions) {
            if (partition.estimatedRows == 0) {
                continue;
            }
            if (partition.lastAnalyzed == null) {
                neverAnalyzed = true;
            } else if (oldestAnalyze == null || partition.lastAnalyzed.isBefore(oldestAnalyze)) {
                oldestAnalyze = partition.lastAnalyzed;
            }
        }
        return new TableStatistics(
                partitions.stream().mapToLong(TableStatistics::estimatedRows).sum(),
                partitions.stream().mapToLong(TableStatistics::tableBytes).sum(),
                partitions.stream().mapToLong(TableStatistics::indexBytes).sum(),
                neverAnalyzed ? null : oldestAnalyze,
                partitions.stream()
                        .mapToLong(TableStatistics::modifiedSinceAnalyze)
                        .sum(),
                partitions.stream().mapToLong(TableStatistics::staleThreshold).sum(),
                partitions.stream().anyMatch(TableStatistics::stale));
    }
}
