package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One user's usage in the filtered range. Users are identified by the host's id only: the ledger
 * holds no personal data.
 *
 * @param userId       the host's user id
 * @param requests     requests the user made
 * @param inputTokens  their input tokens
 * @param cachedInputTokens the part of the input tokens read from the provider's prompt cache
 * @param outputTokens their output tokens
 * @param reasoningTokens the part of the output tokens spent on hidden reasoning
 * @param vendorCost   their vendor cost, USD
 * @param revenue      their revenue, USD
 * @param grossMargin  their gross margin, USD
 * @param marginRatio  gross margin / revenue to six decimals; {@code null} when revenue is zero
 * @param firstRequest the earliest matching request
 * @param lastRequest  the latest matching request
 */
public record UserUsage(
        UUID userId,
        long requests,
        long inputTokens,
        long cachedInputTokens,
        long outputTokens,
        long reasoningTokens,
        BigDecimal vendorCost,
        BigDecimal revenue,
        BigDecimal grossMargin,
        BigDecimal marginRatio,
        Instant firstRequest,
        Instant lastRequest) {

    /** Rejects missing values. */
    public UserUsage {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(vendorCost, "vendorCost");
        Objects.requireNonNull(revenue, "revenue");
        Objects.requireNonNull(grossMargin, "grossMargin");
        Objects.requireNonNull(firstRequest, "firstRequest");
        Objects.requireNonNull(lastRequest, "lastRequest");
    }

    /**
     * Input plus output tokens.
     *
     * @return the user's total tokens
     */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
