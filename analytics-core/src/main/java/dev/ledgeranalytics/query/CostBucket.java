package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One bar of a {@link CostDistribution}'s histogram: the requests whose vendor cost {@code c}
 * satisfies {@code lower <= c < upper}.
 *
 * @param lower   the bucket's lower bound, USD, included
 * @param upper   its upper bound, USD, excluded
 * @param count   requests in the bucket
 * @param costSum their total vendor cost, USD
 */
public record CostBucket(BigDecimal lower, BigDecimal upper, long count, BigDecimal costSum) {

    /** Rejects missing values and empty ranges. */
    public CostBucket {
        Objects.requireNonNull(lower, "lower");
        Objects.requireNonNull(upper, "upper");
        if (lower.compareTo(upper) >= 0) {
            throw new IllegalArgumentException(
                    "lower must be below upper, but lower = " + lower + " and upper = " + upper);
        }
        Objects.requireNonNull(costSum, "costSum");
    }
}
