package dev.ledgeranalytics.query;

/**
 * The plan PostgreSQL chose for one statement of a dashboard query, as {@code EXPLAIN (FORMAT JSON)}
 * prints it. Returned by {@link AnalyticsQueries#explain(LedgerFilter)}.
 *
 * @param statement the query and, where a query runs two statements, which one, such as
 *                  {@code "costDistribution (percentiles)"}
 * @param json      the plan, a JSON array holding one object with a {@code "Plan"} member
 */
public record QueryPlan(String statement, String json) {

    /**
     * Checks that both parts are present.
     *
     * @throws IllegalArgumentException if either is {@code null}
     */
    public QueryPlan {
        if (statement == null || json == null) {
            throw new IllegalArgumentException(
                    "statement and json must not be null, but were " + statement + " and " + json);
        }
    }
}
