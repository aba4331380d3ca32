package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;

/**
 * Revenue, cost and margin per time bucket. The bucket boundaries are computed in Java (see
 * {@link TrendBoundaries}); the first and last bucket are clipped to the range, the totals summed
 * per bucket, and the buckets with no rows filled with zeros afterwards.
 */
final class MarginTrendQuery extends DashboardQuery<MarginTrend> {

    private static final Set<Metric> METRICS = EnumSet.of(Metric.REQUESTS, Metric.VENDOR_COST, Metric.GROSS_MARGIN);

    private final Granularity granularity;
    private final ZoneId zone;
    private final List<Instant> boundaries;

    MarginTrendQuery(LedgerFilter filter, Granularity granularity, ZoneId zone) {
        this(filter, granularity, zone, TrendBoundaries.of(filter.from(), filter.to(), granularity, zone));
    }

    private MarginTrendQuery(LedgerFilter filter, Granularity granularity, ZoneId zone, List<Instant> boundaries) {
        super("marginTrend", filter, clipped(boundaries, filter), List.of(), METRICS);
        this.granularity = granularity;
        this.zone = zone;
        this.boundaries = boundaries;
    }

    /** The first bucket can start before the range and the last end after it; only the range is read. */
    private static List<Instant> clipped(List<Instant> boundaries, LedgerFilter filter) {
        List<Instant> clipped = new ArrayList<>(boundaries);
        clipped.set(0, filter.from());
        clipped.set(clipped.size() - 1, filter.to());
        return clipped;
    }

    @Override
    MarginTrend answer(DSLContext dsl, Sums sums, Result<Record> rows) {
        Map<Integer, Record> rowsByBucket = new HashMap<>();
        for (Record row : rows) {
            rowsByBucket.put(sums.bucket(row), row);
        }
        List<TrendBucket> buckets = new ArrayList<>();
        for (int i = 0; i < boundaries.size() - 1; i++) {
            Record row = rowsByBucket.get(i + 1);
            Instant start = boundaries.get(i);
            Instant end = boundaries.get(i + 1);
            buckets.add(
                    row == null
                            ? new TrendBucket(start, end, 0, Sums.NO_MONEY, Sums.NO_MONEY, Sums.NO_MONEY)
                            : new TrendBucket(
                                    start,
                                    end,
                                    sums.count(row, Metric.REQUESTS),
                                    sums.money(row, Metric.GROSS_MARGIN).add(sums.money(row, Metric.VENDOR_COST)),
                                    sums.money(row, Metric.VENDOR_COST),
                                    sums.money(row, Metric.GROSS_MARGIN)));
        }
        return new MarginTrend(granularity, zone, buckets);
    }
}
