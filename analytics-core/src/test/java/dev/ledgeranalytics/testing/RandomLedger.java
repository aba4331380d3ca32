package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.RequestStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** A reproducible ledger of varied requests, for the oracle tests. */
public final class RandomLedger {

    public static final Instant START = Instant.parse("2026-09-01T00:00:00Z");
    public static final Duration SPAN = Duration.ofDays(75);
    public static final List<String> MODELS =
            List.of("gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-pro", "mistral-large");
    public static final List<String> TIERS = List.of("free", "pro", "enterprise");
    public static final List<String> TYPES = List.of("chat", "completion", "embedding");

    private RandomLedger() {}

    public static List<Row> rows(long seed, int count, int users) {
        Random random = new Random(seed);
        List<UUID> userIds = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            userIds.add(new UUID(random.nextLong(), random.nextLong()));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant at = START.plusNanos((long) (random.nextDouble() * SPAN.toNanos()) / 1000 * 1000);
            int model = random.nextInt(MODELS.size());
            RequestStatus status = random.nextInt(10) < 8
                    ? RequestStatus.SUCCESS
                    : random.nextBoolean() ? RequestStatus.FAILED : RequestStatus.CANCELLED;
            // Log-uniform cost over six decades, a few free requests, and repeated values for ties.
            BigDecimal cost = random.nextInt(25) == 0
                    ? BigDecimal.ZERO.setScale(8)
                    : random.nextInt(10) == 0
                            ? new BigDecimal("0.00150000")
                            : BigDecimal.valueOf(Math.pow(10, -7 + 6 * random.nextDouble()))
                                    .setScale(8, RoundingMode.HALF_UP);
            BigDecimal margin = status == RequestStatus.SUCCESS
                    ? cost.multiply(BigDecimal.valueOf(random.nextInt(90) + 10, 2))
                            .setScale(8, RoundingMode.HALF_UP)
                    : cost.negate();
            int input = random.nextInt(20_000);
            int output = random.nextInt(4_000);
            rows.add(Row.of(
                    at,
                    status,
                    Ledger.PROVIDERS.get(Math.min(model, 3)),
                    MODELS.get(model),
                    userIds.get(random.nextInt(users)),
                    TIERS.get(random.nextInt(TIERS.size())),
                    TYPES.get(random.nextInt(TYPES.size())),
                    cost,
                    margin,
                    status == RequestStatus.SUCCESS ? random.nextInt(50) : 0,
                    input,
                    output));
        }
        return rows;
    }
}
