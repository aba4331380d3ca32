package dev.ledgeranalytics.verify;

import java.util.List;

/**
 * How PostgreSQL plans one dashboard statement on the live database.
 *
 * @param statement the statement, as named by {@link dev.ledgeranalytics.query.AnalyticsQueries#explain}
 * @param verdict   whether it reads the ledger through the intended index
 * @param nodes     the plan, one node per entry in depth-first order, indented two spaces per
 *                  level, such as {@code "  Index Only Scan using idx_token_usage_analytics on token_usage_ledger"}
 */
public record PlanCheck(String statement, Verdict verdict, List<String> nodes) {

    /** The verdict on one statement's plan. */
    public enum Verdict {
        /** Reads the ledger through {@code idx_token_usage_analytics} and never sequentially. */
        USES_INDEX,
        /** Reads the ledger sequentially or through other indexes only. */
        OFF_INDEX,
        /**
         * Reads the rollups alone, no ledger row: the range is covered by clean rollup buckets
         * (see {@link dev.ledgeranalytics.rollup.Rollups}).
         */
        READS_ROLLUPS,
        /**
         * The ledger holds too few rows to judge: on a small table a sequential scan is the
         * planner's right choice, so its plan says nothing about the index.
         */
        TOO_FEW_ROWS
    }

    /**
     * Copies the plan nodes.
     *
     * @throws NullPointerException if {@code nodes} is {@code null}
     */
    public PlanCheck {
        nodes = List.copyOf(nodes);
    }
}
