package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jooq.Record;

/**
 * The additive totals of one group of rows ({@link Metric#TOTALS}), as every result record
 * reports them, with the revenue derived: gross margin plus vendor cost, exact.
 */
record Totals(
        long requests,
        long inputTokens,
        long cachedInputTokens,
        long outputTokens,
        long reasoningTokens,
        BigDecimal vendorCost,
        BigDecimal grossMargin,
        long credits) {

    /** The totals of no rows. */
    static final Totals NONE = new Totals(0, 0, 0, 0, 0, Sums.NO_MONEY, Sums.NO_MONEY, 0);

    /** The totals in {@code row}, a row of {@code sums}. */
    static Totals of(Sums sums, Record row) {
        return new Totals(
                sums.count(row, Metric.REQUESTS),
                sums.count(row, Metric.INPUT_TOKENS),
                sums.count(row, Metric.CACHED_INPUT_TOKENS),
                sums.count(row, Metric.OUTPUT_TOKENS),
                sums.count(row, Metric.REASONING_TOKENS),
                sums.money(row, Metric.VENDOR_COST),
                sums.money(row, Metric.GROSS_MARGIN),
                sums.count(row, Metric.CREDITS));
    }

    /** What users paid: the margin on top of the providers' cost. */
    BigDecimal revenue() {
        return grossMargin.add(vendorCost);
    }

    /** Gross margin over revenue, or {@code null} without revenue. */
    BigDecimal marginRatio() {
        return Decimals.ratio(grossMargin, revenue());
    }

    /** These totals as one period's. */
    PeriodTotals period(Instant from, Instant to) {
        return new PeriodTotals(
                from,
                to,
                requests,
                inputTokens,
                cachedInputTokens,
                outputTokens,
                reasoningTokens,
                vendorCost,
                revenue(),
                grossMargin,
                marginRatio(),
                credits);
    }

    /** These totals as one provider's. */
    ProviderCost provider(UUID id, String slug, String displayName, BigDecimal costShare) {
        return new ProviderCost(
                id,
                slug,
                displayName,
                requests,
                inputTokens,
                cachedInputTokens,
                outputTokens,
                reasoningTokens,
                vendorCost,
                revenue(),
                grossMargin,
                costShare);
    }

    /** These totals as one user's. */
    UserUsage user(UUID id, Instant firstRequest, Instant lastRequest) {
        return new UserUsage(
                id,
                requests,
                inputTokens,
                cachedInputTokens,
                outputTokens,
                reasoningTokens,
                vendorCost,
                revenue(),
                grossMargin,
                marginRatio(),
                firstRequest,
                lastRequest);
    }
}
