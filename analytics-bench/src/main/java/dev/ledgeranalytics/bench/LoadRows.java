package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.testkit.ModelPrice;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The rows one writer inserts, as a gateway meters its requests: the seeder's model catalog and
 * tiers, heavy-tailed users, 2.5 % failed and 1 % cancelled requests, money consistent within
 * every row, and a share of late rows created in the past. Every row carries the writer's own
 * {@code api_key_id}, so that the checks can count each writer's rows in the ledger.
 */
final class LoadRows {

    /** One single-row statement, as a gateway sends it; the status is the schema's own enum type. */
    static final String INSERT = "INSERT INTO " + BenchLedger.INDEXED + ".token_usage_ledger (request_id, user_id, "
            + "model_id, provider_id, vendor_cost, credits_deducted, margin_multiplier, gross_margin_usd, status, "
            + "created_at, input_tokens, output_tokens, user_tier, api_key_id, request_type, cached_input_tokens, "
            + "reasoning_tokens, latency_ms, error_code, is_streaming) VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS "
            + BenchLedger.INDEXED + ".request_status), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String[] TIERS = {"free", "pro", "enterprise"};
    private static final BigDecimal[] MULTIPLIERS = {
        new BigDecimal("2.50"), new BigDecimal("1.80"), new BigDecimal("1.50")
    };
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal CREDITS_PER_USD = BigDecimal.valueOf(1_000);
    /** Distinct from the seeded users: the load's users are new customers. */
    private static final long USER_ID_HIGH = 0x10adL << 48;

    private final List<ModelPrice> models = ModelPrice.catalog();
    private final double[] popularity;
    private final Map<String, UUID> providerIds;
    private final UUID apiKey;
    private final SplittableRandom random;
    private final double lateShare;
    private final long lateSpanMicros;

    /**
     * @param providerIds the seeded providers' ids by slug
     * @param apiKey      the writer's own key, in every row it writes
     * @param seed        the random seed of this writer
     * @param plan        the share and age of late rows
     */
    LoadRows(Map<String, UUID> providerIds, UUID apiKey, long seed, LoadPlan plan) {
        this.providerIds = Map.copyOf(providerIds);
        this.apiKey = apiKey;
        this.random = new SplittableRandom(seed);
        this.lateShare = plan.lateShare();
        this.lateSpanMicros = plan.lateMaxAge().minus(LoadPlan.LATE_MIN_AGE).toNanos() / 1_000;
        popularity = new double[models.size()];
        double total = 0;
        for (int i = 0; i < models.size(); i++) {
            total += models.get(i).popularity();
            popularity[i] = total;
        }
        for (int i = 0; i < popularity.length; i++) {
            popularity[i] /= total;
        }
    }

    /**
     * Binds the values of the next row to {@link #INSERT}, created at {@code now}, or in the past
     * for a late row.
     *
     * @return whether the row is late
     */
    boolean bindNext(PreparedStatement insert, Instant now) throws SQLException {
        ModelPrice model = model();
        // Cubing a uniform draw gives a few heavy users and a long tail, as in the seeded ledger.
        int user = (int) (20_000 * Math.pow(random.nextDouble(), 3));
        int tier = user % 100 < 60 ? 0 : user % 100 < 92 ? 1 : 2;
        boolean chat = model.requestType().equals("chat");
        int input = chat ? 200 + random.nextInt(3_000) : 50 + random.nextInt(2_000);
        int cached = chat && random.nextInt(10) < 3 ? random.nextInt(input * 8 / 10 + 1) : 0;
        int output = chat ? 20 + random.nextInt(800) : 0;
        int reasoning = model.reasoning() ? random.nextInt(output * 6 / 10 + 1) : 0;
        BigDecimal cost = model.inputPerMillion()
                .multiply(BigDecimal.valueOf(input - cached))
                .add(model.cachedInputPerMillion().multiply(BigDecimal.valueOf(cached)))
                .add(model.outputPerMillion().multiply(BigDecimal.valueOf(output)))
                .divide(MILLION, 8, RoundingMode.HALF_UP);
        int outcome = random.nextInt(1_000);
        String status = outcome < 965 ? "success" : outcome < 990 ? "failed" : "cancelled";
        BigDecimal revenue = cost.multiply(MULTIPLIERS[tier]).setScale(8, RoundingMode.HALF_UP);
        boolean success = status.equals("success");
        boolean late = random.nextDouble() < lateShare;
        Instant createdAt =
                late ? now.minus(LoadPlan.LATE_MIN_AGE).minusNanos(random.nextLong(lateSpanMicros) * 1_000) : now;
        insert.setObject(1, UUID.randomUUID());
        insert.setObject(2, new UUID(USER_ID_HIGH, user));
        insert.setString(3, model.modelId());
        insert.setObject(4, providerIds.get(model.providerSlug()));
        insert.setBigDecimal(5, cost);
        insert.setInt(
                6,
                success
                        ? revenue.multiply(CREDITS_PER_USD)
                                .setScale(0, RoundingMode.CEILING)
                                .intValueExact()
                        : 0);
        insert.setBigDecimal(7, MULTIPLIERS[tier]);
        insert.setBigDecimal(8, success ? revenue.subtract(cost) : cost.negate());
        insert.setString(9, status);
        insert.setObject(10, createdAt.atOffset(ZoneOffset.UTC));
        insert.setInt(11, input);
        insert.setInt(12, output);
        insert.setString(13, TIERS[tier]);
        insert.setObject(14, apiKey);
        insert.setString(15, model.requestType());
        insert.setInt(16, cached);
        insert.setInt(17, reasoning);
        insert.setInt(18, 150 + random.nextInt(6_000));
        insert.setString(19, status.equals("failed") ? "upstream_timeout" : null);
        insert.setBoolean(20, chat && random.nextBoolean());
        return late;
    }

    private ModelPrice model() {
        double draw = random.nextDouble();
        for (int i = 0; i < popularity.length - 1; i++) {
            if (draw < popularity[i]) {
                return models.get(i);
            }
        }
        return models.get(popularity.length - 1);
    }
}
