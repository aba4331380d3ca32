package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.LedgerConditions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.Table;

/**
 * The KPI totals of a period and of the one before it, in one pass over the index:
 *
 * <pre>
 * SELECT count(*) FILTER (WHERE created_at &gt;= :from), sum(...) FILTER (WHERE created_at &gt;= :from), ...
 *        count(*) FILTER (WHERE created_at &lt;  :from), sum(...) FILTER (WHERE created_at &lt;  :from), ...
 * FROM token_usage_ledger
 * WHERE created_at &gt;= :from - (:to - :from) AND created_at &lt; :to AND status IN (...) ...
 * </pre>
 */
final class GrossMarginQuery {

    private final LedgerFilter filter;
    private final Instant previousFrom;
    private final LedgerSums current;
    private final LedgerSums previous;

    GrossMarginQuery(LedgerFilter filter) {
        this.filter = filter;
        this.previousFrom = filter.from().minus(Duration.between(filter.from(), filter.to()));
        if (previousFrom.isBefore(LedgerFilter.EARLIEST)) {
            throw new IllegalArgumentException("filter's range [" + filter.from() + ", " + filter.to()
                    + ") is too long to " + "compare with a previous period of equal length, which would start before "
                    + LedgerFilter.EARLIEST);
        }
        this.current = LedgerSums.where("current_", TOKEN_USAGE_LEDGER.CREATED_AT.ge(filter.from()));
        this.previous = LedgerSums.where("previous_", TOKEN_USAGE_LEDGER.CREATED_AT.lt(filter.from()));
    }

    ResultQuery<Record> sql(DSLContext dsl) {
        return dsl.select(current.fields())
                .select(previous.fields())
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter, previousFrom, filter.to()));
    }

    GrossMargin run(DSLContext dsl, boolean rollups) {
        RollupReads.Rollup rollup = rollups ? RollupReads.sumsFor(filter, false) : null;
        RollupReads reads = rollup == null ? null : RollupReads.load(dsl, previousFrom, filter.to());
        if (reads == null) {
            Record row = sql(dsl).fetchSingle();
            return new GrossMargin(
                    totals(current, row, filter.from(), filter.to()),
                    totals(previous, row, previousFrom, filter.from()));
        }
        // Bucket 1 is the previous period, bucket 2 the current one.
        Table<Record> partials =
                reads.sums(rollup, List.of(previousFrom, filter.from(), filter.to()), filter, List.of());
        LedgerSums currentSums = LedgerSums.ofPartials(
                partials, "current_", partials.field(RollupReads.BUCKET).eq(2));
        LedgerSums previousSums = LedgerSums.ofPartials(
                partials, "previous_", partials.field(RollupReads.BUCKET).eq(1));
        Record row = dsl.select(currentSums.fields())
                .select(previousSums.fields())
                .from(partials)
                .fetchSingle();
        return new GrossMargin(
                totals(currentSums, row, filter.from(), filter.to()),
                totals(previousSums, row, previousFrom, filter.from()));
    }

    private static PeriodTotals totals(LedgerSums sums, Record row, Instant from, Instant to) {
        return new PeriodTotals(
                from,
                to,
                sums.requests(row),
                sums.inputTokens(row),
                sums.outputTokens(row),
                sums.vendorCost(row),
                sums.revenue(row),
                sums.grossMargin(row),
                Decimals.ratio(sums.grossMargin(row), sums.revenue(row)),
                sums.credits(row));
    }
}
