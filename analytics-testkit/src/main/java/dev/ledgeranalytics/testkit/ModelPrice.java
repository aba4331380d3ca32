package dev.ledgeranalytics.testkit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * A model's list price, in USD per million tokens, as its provider publishes it.
 *
 * @param providerSlug        the provider's slug, such as {@code "openai"}
 * @param providerName        the provider's display name
 * @param modelId             the model's id as the provider names it
 * @param requestType         what it serves: {@code "chat"} or {@code "embedding"}
 * @param inputPerMillion     price of a million input tokens
 * @param cachedInputPerMillion price of a million input tokens read from the prompt cache; equal to
 *                            the input price where the provider offers no cache discount
 * @param outputPerMillion    price of a million output tokens
 * @param reasoning           whether part of the output is hidden reasoning
 * @param popularity          relative share of traffic in seeded ledgers
 */
public record ModelPrice(
        String providerSlug,
        String providerName,
        String modelId,
        String requestType,
        BigDecimal inputPerMillion,
        BigDecimal cachedInputPerMillion,
        BigDecimal outputPerMillion,
        boolean reasoning,
        int popularity) {

    /** Rejects missing values and prices below zero or finer than a hundredth of a cent. */
    public ModelPrice {
        Objects.requireNonNull(providerSlug, "providerSlug");
        Objects.requireNonNull(providerName, "providerName");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(requestType, "requestType");
        for (BigDecimal price : List.of(inputPerMillion, cachedInputPerMillion, outputPerMillion)) {
            if (price.signum() < 0 || price.scale() > 4) {
                throw new IllegalArgumentException(
                        "prices must be non-negative with at most 4 decimals, but " + modelId + " has " + price);
            }
        }
        if (popularity < 0) {
            throw new IllegalArgumentException(
                    "popularity must not be negative, but " + modelId + " has " + popularity);
        }
    }

    /**
     * The models a seeded ledger uses: list prices published by OpenAI, Anthropic, Google and
     * Mistral, and open-weight models as served by Together AI, as of autumn 2025. They make the
     * data realistic; they are not a billing reference.
     *
     * @return the catalog
     */
    public static List<ModelPrice> catalog() {
        return CATALOG;
    }

    private static final List<ModelPrice> CATALOG = List.of(
            chat("openai", "OpenAI", "gpt-5", "1.25", "0.125", "10.00", true, 10),
            chat("openai", "OpenAI", "gpt-5-mini", "0.25", "0.025", "2.00", true, 12),
            chat("openai", "OpenAI", "gpt-4.1", "2.00", "0.50", "8.00", false, 6),
            chat("openai", "OpenAI", "gpt-4.1-mini", "0.40", "0.10", "1.60", false, 8),
            chat("openai", "OpenAI", "gpt-4o", "2.50", "1.25", "10.00", false, 10),
            chat("openai", "OpenAI", "gpt-4o-mini", "0.15", "0.075", "0.60", false, 14),
            chat("openai", "OpenAI", "o4-mini", "1.10", "0.275", "4.40", true, 4),
            embedding("openai", "OpenAI", "text-embedding-3-small", "0.02", 8),
            embedding("openai", "OpenAI", "text-embedding-3-large", "0.13", 2),
            chat("anthropic", "Anthropic", "claude-opus-4-1", "15.00", "1.50", "75.00", true, 2),
            chat("anthropic", "Anthropic", "claude-sonnet-4-5", "3.00", "0.30", "15.00", true, 12),
            chat("anthropic", "Anthropic", "claude-haiku-4-5", "1.00", "0.10", "5.00", false, 6),
            chat("google", "Google", "gemini-2.5-pro", "1.25", "0.31", "10.00", true, 6),
            chat("google", "Google", "gemini-2.5-flash", "0.30", "0.075", "2.50", true, 8),
            chat("google", "Google", "gemini-2.5-flash-lite", "0.10", "0.025", "0.40", false, 4),
            chat("mistral", "Mistral AI", "mistral-large-2411", "2.00", "2.00", "6.00", false, 2),
            chat("mistral", "Mistral AI", "mistral-medium-3", "0.40", "0.40", "2.00", false, 3),
            chat("mistral", "Mistral AI", "mistral-small-3-2", "0.10", "0.10", "0.30", false, 2),
            chat("together", "Together AI", "llama-3.3-70b-instruct-turbo", "0.88", "0.88", "0.88", false, 3),
            chat("together", "Together AI", "deepseek-v3", "1.25", "1.25", "1.25", false, 2),
            chat("together", "Together AI", "qwen2.5-72b-instruct-turbo", "1.20", "1.20", "1.20", false, 1),
            chat("together", "Together AI", "gpt-oss-120b", "0.15", "0.15", "0.60", true, 2));

    private static ModelPrice chat(
            String slug,
            String name,
            String model,
            String input,
            String cached,
            String output,
            boolean reasoning,
            int popularity) {
        return new ModelPrice(
                slug,
                name,
                model,
                "chat",
                new BigDecimal(input),
                new BigDecimal(cached),
                new BigDecimal(output),
                reasoning,
                popularity);
    }

    private static ModelPrice embedding(String slug, String name, String model, String input, int popularity) {
        BigDecimal price = new BigDecimal(input);
        return new ModelPrice(slug, name, model, "embedding", price, price, BigDecimal.ZERO, false, popularity);
    }
}
