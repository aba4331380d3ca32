package dev.ledgeranalytics.verify;

import java.time.Instant;

/**
 * Size of the ledger and freshness of the planner's statistics about it.
 *
 * <p>The statistics are <em>stale</em> when rows exist but the table was never analyzed, or when
 * more rows were modified since the last analyze than {@link #staleThreshold()}: 50 + 10 % of the
 * estimated rows, the point at which autovacuum's default settings would analyze it again. Stale
 * statistics mislead the planner, typically into a sequential scan of a table that has grown.
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
public record TableStatistics(long estimatedRows, long tableBytes, long indexBytes, Instant lastAnalyzed,
                              long modifiedSinceAnalyze, long staleThreshold, boolean stale) {

    /** autovacuum_analyze_threshold's default. */
    static final long ANALYZE_THRESHOLD = 50;
    /** autovacuum_analyze_scale_factor's default. */
    static final double ANALYZE_SCALE_FACTOR = 0.1;

    static TableStatistics of(long estimatedRows, long liveRows, long tableBytes, long indexBytes, Instant lastAnalyzed,
                              long modifiedSinceAnalyze) {
        long threshold = ANALYZE_THRESHOLD + (long) (ANALYZE_SCALE_FACTOR * estimatedRows);
        boolean neverAnalyzedWithRows = lastAnalyzed == null && Math.max(estimatedRows, liveRows) > 0;
        return new TableStatistics(estimatedRows, tableBytes, indexBytes, lastAnalyzed, modifiedSinceAnalyze, threshold,
                neverAnalyzedWithRows || modifiedSinceAnalyze > threshold);
    }
}
