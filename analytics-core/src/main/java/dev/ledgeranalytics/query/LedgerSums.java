package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Supplier;
import org.jooq.AggregateFunction;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The aggregates most queries report, all read from {@code idx_token_usage_analytics}'s INCLUDE
 * columns. Money is summed as NUMERIC, so no cent is ever lost to floating point.
 */
final class LedgerSums {

    /** A row's revenue: what the user paid, the margin on top of the provider's cost. */
    static final Field<BigDecimal> REVENUE = TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD.plus(TOKEN_USAGE_LEDGER.VENDOR_COST);

    final Field<Long> requests;
    final Field<BigDecimal> inputTokens;
    final Field<BigDecimal> outputTokens;
    final Field<BigDecimal> vendorCost;
    final Field<BigDecimal> revenue;
    final Field<BigDecimal> grossMargin;
    final Field<BigDecimal> credits;

    private LedgerSums(String prefix, Condition onlyWhere, Source source) {
        // count(*) is a bigint; read as int it would fail past 2^31 matching rows.
        requests = filtered(source.requests().get(), onlyWhere)
                .cast(SQLDataType.BIGINT)
                .as(prefix + "requests");
        inputTokens = filtered(DSL.sum(source.inputTokens()), onlyWhere).as(prefix + "input_tokens");
        outputTokens = filtered(DSL.sum(source.outputTokens()), onlyWhere).as(prefix + "output_tokens");
        vendorCost = filtered(DSL.sum(source.vendorCost()), onlyWhere).as(prefix + "vendor_cost");
        revenue = filtered(DSL.sum(source.grossMargin().plus(source.vendorCost())), onlyWhere)
                .as(prefix + "revenue");
        grossMargin = filtered(DSL.sum(source.grossMargin()), onlyWhere).as(prefix + "gross_margin");
        credits = filtered(DSL.sum(source.credits()), onlyWhere).as(prefix + "credits");
    }

    /** Sums over every row of the query. */
    static LedgerSums all() {
        return new LedgerSums("", null, Source.LEDGER);
    }

    /** Sums over the rows of the query that also satisfy {@code condition}, named with {@code prefix}. */
    static LedgerSums where(String prefix, Condition condition) {
        return new LedgerSums(prefix, condition, Source.LEDGER);
    }

    /**
     * The same sums over partial sums (see {@link RollupReads#PARTIAL_SUMS}): the total of the
     * partial totals, which is the same NUMERIC value, scale included, as the sum over the rows.
     */
    static LedgerSums ofPartials(Table<?> partials, String prefix, Condition onlyWhere) {
        return new LedgerSums(
                prefix,
                onlyWhere,
                new Source(
                        () -> DSL.sum(partials.field(RollupReads.REQUESTS)),
                        partials.field(RollupReads.INPUT_TOKENS),
                        partials.field(RollupReads.OUTPUT_TOKENS),
                        partials.field(RollupReads.VENDOR_COST),
                        partials.field(RollupReads.GROSS_MARGIN),
                        partials.field(RollupReads.CREDITS)));
    }

    /** What the sums add up: ledger rows, or partial sums of them. */
    private record Source(
            Supplier<AggregateFunction<?>> requests,
            Field<? extends Number> inputTokens,
            Field<? extends Number> outputTokens,
            Field<BigDecimal> vendorCost,
            Field<BigDecimal> grossMargin,
            Field<? extends Number> credits) {

        // A supplier: jOOQ's FILTER clause is set on the aggregate object itself, which must not be shared.
        static final Source LEDGER = new Source(
                DSL::count,
                TOKEN_USAGE_LEDGER.INPUT_TOKENS,
                TOKEN_USAGE_LEDGER.OUTPUT_TOKENS,
                TOKEN_USAGE_LEDGER.VENDOR_COST,
                TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD,
                TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED);
    }

    List<Field<?>> fields() {
        return List.of(requests, inputTokens, outputTokens, vendorCost, revenue, grossMargin, credits);
    }

    long requests(Record row) {
        // count(*) over no rows is 0, but a sum of partial counts over no partials is NULL.
        Long count = row.get(requests);
        return count == null ? 0 : count;
    }

    long inputTokens(Record row) {
        return longOrZero(row.get(inputTokens));
    }

    long outputTokens(Record row) {
        return longOrZero(row.get(outputTokens));
    }

    long credits(Record row) {
        return longOrZero(row.get(credits));
    }

    BigDecimal vendorCost(Record row) {
        return moneyOrZero(row.get(vendorCost));
    }

    BigDecimal revenue(Record row) {
        return moneyOrZero(row.get(revenue));
    }

    BigDecimal grossMargin(Record row) {
        return moneyOrZero(row.get(grossMargin));
    }

    /** SUM over no rows is NULL in SQL; on a dashboard it is zero. */
    static BigDecimal moneyOrZero(BigDecimal sum) {
        return sum == null ? BigDecimal.ZERO.setScale(8) : sum;
    }

    private static long longOrZero(BigDecimal sum) {
        return sum == null ? 0 : sum.longValueExact();
    }

    private static <T> Field<T> filtered(AggregateFunction<T> aggregate, Condition onlyWhere) {
        return onlyWhere == null ? aggregate : aggregate.filterWhere(onlyWhere);
    }
}
