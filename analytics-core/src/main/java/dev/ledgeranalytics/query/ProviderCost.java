package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.UUID;

/**
 * One provider's part of the cost.
 *
 * @param providerId   the provider's id
 * @param slug         its slug, such as {@code "openai"}
 * @param displayName  its display name
 * @param requests     requests it served
 * @param inputTokens  their input tokens
 * @param cachedInputTokens the part of the input tokens read from the provider's prompt cache
 * @param outputTokens their output tokens
 * @param reasoningTokens the part of the output tokens spent on hidden reasoning
 * @param vendorCost   what it charged, USD
 * @param revenue      what its requests earned, USD
 * @param grossMargin  revenue minus vendor cost, USD
 * @param costShare    its share of the total vendor cost, a fraction to six decimals; the shares
 *                     of one result add up to exactly 1 (largest-remainder rounding). {@code null}
 *                     when the total cost is zero
 */
public record ProviderCost(
        UUID providerId,
        String slug,
        String displayName,
        long requests,
        long inputTokens,
        long cachedInputTokens,
        long outputTokens,
        long reasoningTokens,
        BigDecimal vendorCost,
        BigDecimal revenue,
        BigDecimal grossMargin,
        BigDecimal costShare) {

    /** Rejects missing values. */
    public ProviderCost {
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(vendorCost, "vendorCost");
        Objects.requireNonNull(revenue, "revenue");
        Objects.requireNonNull(grossMargin, "grossMargin");
    }
}
