package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import java.math.BigDecimal;
import java.util.List;
import org.jooq.AggregateFunction;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record;
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

    private LedgerSums(String prefix, Condition onlyWhere) {
        // count(*) is a bigint; read as int it would fail past 2^31 matching rows.
        requests = filtered(DSL.count(), onlyWhere).cast(SQLDataType.BIGINT).as(prefix + "requests");
        inputTokens = filtered(DSL.sum(TOKEN_USAGE_LEDGER.INPUT_TOKENS), onlyWhere).as(prefix + "input_tokens");
        outputTokens = filtered(DSL.sum(TOKEN_USAGE_LEDGER.OUTPUT_TOKENS), onlyWhere).as(prefix + "output_tokens");
        vendorCost = filtered(DSL.sum(TOKEN_USAGE_LEDGER.VENDOR_COST), onlyWhere).as(prefix + "vendor_cost");
        revenue = filtered(DSL.sum(REVENUE), onlyWhere).as(prefix + "revenue");
        grossMargin = filtered(DSL.sum(TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD), onlyWhere).as(prefix + "gross_margin");
        credits = filtered(DSL.sum(TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED), onlyWhere).as(prefix + "credits");
    }

    /** Sums over every row of the query. */
    static LedgerSums all() {
        return new LedgerSums("", null);
    }

    /** Sums over the rows of the query that also satisfy {@code condition}, named with {@code prefix}. */
    static LedgerSums where(String prefix, Condition condition) {
        return new LedgerSums(prefix, condition);
    }

    List<Field<?>> fields() {
        return List.of(requests, inputTokens, outputTokens, vendorCost, revenue, grossMargin, credits);
    }

    long requests(Record row) {
        return row.get(requests);
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
