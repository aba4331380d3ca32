package dev.ledgeranalytics.query;

import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * Revenue, cost and margin over time, one bucket per hour, day, ISO week or month of the
 * caller's time zone. Every bucket of the range is present, empty ones with zeros.
 *
 * <p>The first bucket starts at or before the filter's {@code from} and the last ends at or
 * after its {@code to}; only requests inside {@code [from, to)} are counted.
 *
 * @param granularity the bucket size
 * @param zone        the zone the buckets were cut in
 * @param buckets     the buckets in time order
 */
public record MarginTrend(Granularity granularity, ZoneId zone, List<TrendBucket> buckets) {

    /** Copies the buckets, so the trend stays immutable. */
    public MarginTrend {
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(zone, "zone");
        buckets = List.copyOf(buckets);
    }
}
