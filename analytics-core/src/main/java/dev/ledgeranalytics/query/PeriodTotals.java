package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * The ledger's totals over one period {@code [from, to)}.
 *
 * @param from          the first instant of the period
 * @param to            the first instant after it
 * @param requests      how many requests matched
 * @param inputTokens   their input tokens
 * @param cachedInputTokens the part of the input tokens read from the provider's prompt cache
 * @param outputTokens  their output tokens
 * @param reasoningTokens the part of the output tokens spent on hidden reasoning
 * @param vendorCost    what the providers charged, USD
 * @param revenue       what was earned, USD: gross margin plus vendor cost
 * @param grossMargin   revenue minus vendor cost, USD
 * @param marginRatio   gross margin / revenue, a fraction ({@code 0.25} is 25 %) to six decimals;
 *                      {@code null} when revenue is zero
 * @param credits       credits deducted from users
 */
public record PeriodTotals(
        Instant from,
        Instant to,
        long requests,
        long inputTokens,
        long cachedInputTokens,
        long outputTokens,
        long reasoningTokens,
        BigDecimal vendorCost,
        BigDecimal revenue,
        BigDecimal grossMargin,
        BigDecimal marginRatio,
        long credits) {

    /** Rejects missing values. */
    public PeriodTotals {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(vendorCost, "vendorCost");
        Objects.requireNonNull(revenue, "revenue");
        Objects.requireNonNull(grossMargin, "grossMargin");
    }
}
