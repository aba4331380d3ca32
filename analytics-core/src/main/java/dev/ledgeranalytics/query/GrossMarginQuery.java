package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;

/**
 * The KPI totals of a period and of the one before it: two buckets, {@code [from - (to - from),
 * from)} and {@code [from, to)}, summed in one statement.
 */
final class GrossMarginQuery extends DashboardQuery<GrossMargin> {

    private static final int PREVIOUS = 1;
    private static final int CURRENT = 2;

    GrossMarginQuery(LedgerFilter filter) {
        super(
                "grossMargin",
                filter,
                List.of(previousFrom(filter), filter.from(), filter.to()),
                List.of(),
                Metric.TOTALS);
    }

    private static Instant previousFrom(LedgerFilter filter) {
        Instant previousFrom = filter.from().minus(Duration.between(filter.from(), filter.to()));
        if (previousFrom.isBefore(LedgerFilter.EARLIEST)) {
            throw new IllegalArgumentException("filter's range [" + filter.from() + ", " + filter.to()
                    + ") is too long to compare with a previous period of equal length, which would start before "
                    + LedgerFilter.EARLIEST);
        }
        return previousFrom;
    }

    @Override
    GrossMargin answer(DSLContext dsl, Sums sums, Result<Record> rows) {
        Totals current = Totals.NONE;
        Totals previous = Totals.NONE;
        for (Record row : rows) {
            if (sums.bucket(row) == CURRENT) {
                current = Totals.of(sums, row);
            } else if (sums.bucket(row) == PREVIOUS) {
                previous = Totals.of(sums, row);
            }
        }
        return new GrossMargin(current.period(filter.from(), filter.to()), previous.period(from(), filter.from()));
    }
}
