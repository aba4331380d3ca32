package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.RequestStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A ledger row as the tests write it and as the oracle reads it back: only the columns the
 * queries look at, with providers by slug.
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
        int outputTokens) {

    public static final UUID ALICE = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    public static final UUID BOB = UUID.fromString("00000000-0000-0000-0000-0000000000b0");

    /** A successful OpenAI chat request by Alice on the pro tier; vary it with the withers. */
    public static Row at(String instant, String vendorCost, String grossMargin) {
        return new Row(
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

    public BigDecimal revenue() {
        return grossMargin.add(vendorCost);
    }

    public Row status(RequestStatus value) {
        return new Row(
                createdAt,
                value,
                provider,
                model,
                user,
                tier,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row provider(String value) {
        return new Row(
                createdAt,
                status,
                value,
                model,
                user,
                tier,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row model(String value) {
        return new Row(
                createdAt,
                status,
                provider,
                value,
                user,
                tier,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row user(UUID value) {
        return new Row(
                createdAt,
                status,
                provider,
                model,
                value,
                tier,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row tier(String value) {
        return new Row(
                createdAt,
                status,
                provider,
                model,
                user,
                value,
                requestType,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row requestType(String value) {
        return new Row(
                createdAt,
                status,
                provider,
                model,
                user,
                tier,
                value,
                vendorCost,
                grossMargin,
                credits,
                inputTokens,
                outputTokens);
    }

    public Row tokens(int input, int output, int creditsDeducted) {
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
                creditsDeducted,
                input,
                output);
    }
}
