package dev.ledgeranalytics.query;

/**
 * Hears about every query an {@link AnalyticsQueries} runs, for metrics and tracing: when it
 * starts, and how and from where it was answered. Called on the caller's thread, around the
 * query's transaction; a listener must be fast and must not throw.
 *
 * <pre>{@code
 * AnalyticsQueries queries = AnalyticsQueries.create(dataSource).withListener(query -> {
 *     long start = System.nanoTime();
 *     return (source, failure) -> log.info("{} from {} took {} µs{}", query, source,
 *             (System.nanoTime() - start) / 1_000, failure == null ? "" : " and failed: " + failure);
 * });
 * }</pre>
 */
@FunctionalInterface
public interface QueryListener {

    /** Hears nothing. */
    QueryListener NONE = query -> (source, failure) -> {};

    /**
     * A query starts.
     *
     * @param query the method's name: {@code grossMargin}, {@code providerCosts}, {@code
     *              marginTrend}, {@code costDistribution}, {@code costDistributionByModel} or
     *              {@code userBreakdown}
     * @return what hears how the query ended, called exactly once
     */
    Completion started(String query);

    /** Hears how one query ended. */
    @FunctionalInterface
    interface Completion {

        /**
         * The query ended.
         *
         * @param source  where its answer was read from, or {@code null} if it failed before
         *                that was decided
         * @param failure {@code null} if it succeeded, else the exception its caller gets
         */
        void finished(Source source, Throwable failure);
    }

    /** Where a query's answer was read from. */
    enum Source {
        /** The rollups, at least in part (the ledger's rows at the range's edges may complete them). */
        ROLLUPS,
        /** The ledger's rows alone. */
        LEDGER
    }
}
