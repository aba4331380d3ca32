package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One bucket of a {@link MarginTrend}: the requests made in {@code [start, end)}.
 *
 * @param start       the bucket's first instant: midnight, the top of the hour, the Monday or the
 *                    first of the month in the trend's zone
 * @param end         the next bucket's start; a day bucket is 23 or 25 hours long across a DST change
 * @param requests    requests in the bucket
 * @param revenue     their revenue, USD
 * @param vendorCost  their vendor cost, USD
 * @param grossMargin their gross margin, USD
 */
public record TrendBucket(
        Instant start, Instant end, long requests, BigDecimal revenue, BigDecimal vendorCost, BigDecimal grossMargin) {

    /** Rejects missing values and empty buckets. */
    public TrendBucket {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("start must be before end, but start = " + start + " and end = " + end);
        }
        Objects.requireNonNull(revenue, "revenue");
        Objects.requireNonNull(vendorCost, "vendorCost");
        Objects.requireNonNull(grossMargin, "grossMargin");
    }
}
