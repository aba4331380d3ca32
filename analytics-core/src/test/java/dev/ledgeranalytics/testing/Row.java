package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.RequestStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A ledger row as the tests write it and as the oracle reads it back: only the columns the
 * queries look at, with providers by slug. The cached input and reasoning tokens follow from the
 * input and output tokens ({@link #cachedPart}, {@link #reasoningPart}), so that every row has
 * some of each, within the ledger's CHECK constraints, without drawing more random numbers.
 */
public record Row(
        Instant createdAt,
        RequestStatus status,
        String provider,
        String model,
        UUID user,
        String tier,
        String requestType,
        BigDecimal vendorCost,
        BigDecimal grossMargin,
        int credits,
        int inputTokens,
        int outputTokens,
        int cachedInputTokens,
        int reasoningTokens) {

    public static final UUID ALICE = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    public static final UUID BOB = UUID.fromString("00000000-0000-0000-0000-0000000000b0");

    /** A row whose cached input and reasoning tokens follow from its input and output tokens. */
    public static Row of(
            Instant createdAt,
            RequestStatus status,
            String provider,
            String model,
            UUID user,
            String tier,
            String requestType,
            BigDecimal vendorCost,
            BigDecimal grossMargin,
            int credits,
            int inputTokens,
            int outputTokens) {
        return new Row(
                createdAt,
                status,
                provider,
                model,
                user,
                tier,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens,
                cachedPart(inputTokens),
                reasoningPart(outputTokens));
    }

    /** A successful OpenAI chat request by Alice on the pro tier; vary it with the withers. */
    public static Row at(String instant, String vendorCost, String grossMargin) {
        return of(
                Instant.parse(instant),
                RequestStatus.SUCCESS,
                "openai",
                "gpt-4o",
                ALICE,
                "pro",
                "chat",
                new BigDecimal(vendorCost),
                new BigDecimal(grossMargin),
                1,
                100,
                10);
    }

    /** The cached part of {@code input} tokens: none for some, up to 60 % for others. */
    public static int cachedPart(int input) {
        return input % 5 == 0 ? 0 : input / 10 * (input % 7);
    }

    /** The reasoning part of {@code output} tokens: none for some, up to half for others. */
    public static int reasoningPart(int output) {
        return output % 3 == 0 ? 0 : output / 8 * (output % 5);
    }

    public BigDecimal revenue() {
        return grossMargin.add(vendorCost);
    }

    public Row status(RequestStatus value) {
        return with(row -> row.status = value);
    }

    public Row provider(String value) {
        return with(row -> row.provider = value);
    }

    public Row model(String value) {
        return with(row -> row.model = value);
    }

    public Row user(UUID value) {
        return with(row -> row.user = value);
    }

    public Row tier(String value) {
        return with(row -> row.tier = value);
    }

    public Row requestType(String value) {
        return with(row -> row.requestType = value);
    }

    public Row tokens(int input, int output, int creditsDeducted) {
        return with(row -> {
            row.inputTokens = input;
            row.outputTokens = output;
            row.credits = creditsDeducted;
        });
    }

    /** A copy with some values changed; the cached and reasoning tokens follow the new input and output. */
    private Row with(Consumer<Values> change) {
        Values values = new Values(this);
        change.accept(values);
        return of(
                createdAt,
                values.status,
                values.provider,
                values.model,
                values.user,
                values.tier,
                values.requestType,
                vendorCost,
                grossMargin,
                values.credits,
                values.inputTokens,
                values.outputTokens);
    }

    private static final class Values {
        RequestStatus status;
        String provider;
        String model;
        UUID user;
        String tier;
        String requestType;
        int credits;
        int inputTokens;
        int outputTokens;

        Values(Row row) {
            status = row.status;
            provider = row.provider;
            model = row.model;
            user = row.user;
            tier = row.tier;
            requestType = row.requestType;
            credits = row.credits;
            inputTokens = row.inputTokens;
            outputTokens = row.outputTokens;
        }
    }
}
