package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.util.List;

/**
 * How per-request vendor cost is distributed: extremes, mean, percentiles and a histogram.
 *
 * <p>Percentiles follow {@code percentile_cont}: linear interpolation between the two closest
 * ranks, {@code p(f) = v[⌊h⌋] + (h - ⌊h⌋)(v[⌈h⌉] - v[⌊h⌋])} with {@code h = f·(n - 1)} over the
 * sorted costs {@code v[0..n-1]}. Read from the ledger they are computed in NUMERIC and are exact,
 * where PostgreSQL's own {@code percentile_cont} would convert the costs to double precision;
 * read through the rollups they are estimated from a fine histogram, within 1 % of the exact ones.
 *
 * <p>The histogram's bounds are log-spaced on the 1-2-5 series (…, 0.001, 0.002, 0.005, 0.01, …
 * USD) with a first bucket {@code [0, 0.00000001)} for free requests. It runs without gaps from
 * the bucket of the cheapest request to that of the dearest; empty buckets in between have zero
 * counts. With no requests, every statistic except {@code count} is {@code null} and the histogram
 * is empty.
 *
 * @param count     requests measured
 * @param min       the smallest cost, USD
 * @param max       the largest cost, USD
 * @param mean      the mean cost, USD, to twelve decimals (half-even)
 * @param p50       the median cost, USD
 * @param p90       the 90th percentile, USD
 * @param p95       the 95th percentile, USD
 * @param p99       the 99th percentile, USD
 * @param histogram the histogram, cheapest bucket first
 */
public record CostDistribution(
        long count,
        BigDecimal min,
        BigDecimal max,
        BigDecimal mean,
        BigDecimal p50,
        BigDecimal p90,
        BigDecimal p95,
        BigDecimal p99,
        List<CostBucket> histogram) {

    /** Copies the histogram, so the distribution stays immutable. */
    public CostDistribution {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, but was " + count);
        }
        histogram = List.copyOf(histogram);
    }
}
