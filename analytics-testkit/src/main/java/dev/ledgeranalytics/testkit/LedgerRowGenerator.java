package dev.ledgeranalytics.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Produces seeded ledger rows in time order, one at a time and in constant memory, as lines of
 * PostgreSQL's COPY text format. Everything is derived from the seed, so the same seed and options
 * give the same rows, ids included.
 *
 * <p>Money is computed in integers of 1e-8 USD (the ledger's scale) and rounded once per row,
 * half up: {@code vendor_cost = (uncached input × input price + cached × cached price + output ×
 * output price) / 10^6}, revenue = cost × the tier's multiplier, gross margin = revenue − cost,
 * credits = revenue in thousandths of a dollar, rounded up. Failed and cancelled requests carry
 * the provider's cost but no credits, so their margin is the negative cost.
 */
final class LedgerRowGenerator {

    /** The ledger columns the generator fills, in COPY order. */
    static final List<String> COLUMNS = List.of(
            "id",
            "request_id",
            "user_id",
            "model_id",
            "provider_id",
            "vendor_cost",
            "credits_deducted",
            "margin_multiplier",
            "gross_margin_usd",
            "status",
            "created_at",
            "input_tokens",
            "output_tokens",
            "user_tier",
            "api_key_id",
            "request_type",
            "cached_input_tokens",
            "reasoning_tokens",
            "latency_ms",
            "time_to_first_token_ms",
            "error_code",
            "is_streaming",
            "updated_at");

    /** Users' tiers with their share of users and their margin multiplier in hundredths. */
    private static final String[] TIERS = {"free", "pro", "enterprise"};

    private static final int[] TIER_PERCENT = {60, 32, 8};
    private static final int[] TIER_MULTIPLIER = {250, 180, 150};

    /** One credit is worth a thousandth of a dollar, 100,000 units of 1e-8 USD. */
    static final long CREDIT_UNITS = 100_000;

    private static final String[] ERRORS = {
        "rate_limited", "upstream_timeout", "context_length_exceeded", "provider_error"
    };

    /** Relative traffic per UTC hour: quiet nights, a European morning and an American afternoon. */
    private static final double[] HOURLY = {
        0.35, 0.30, 0.28, 0.27, 0.30, 0.40, 0.55, 0.75, 0.95, 1.10, 1.20, 1.25,
        1.30, 1.45, 1.60, 1.65, 1.60, 1.50, 1.35, 1.15, 0.95, 0.75, 0.55, 0.45
    };

    private static final double WEEKEND = 0.55;

    private SplittableRandom random;
    private final long seed;
    private final long streamSeed;
    private final Instant segmentEnd;
    private final List<ModelPrice> models;
    private final List<String> providerIds;
    private final double[] modelCdf;
    private final double[] userCdf;
    private final long rows;
    private final Instant from;
    private final Instant to;

    private final double totalWeight;
    private Instant hourStart;
    private double weightBefore;
    private long hourRemaining;
    private long hourStartMicros;
    private long hourSpanMicros;
    private double hourHeadroom;

    /**
     * A generator of the rows that fall in {@code [segmentStart, segmentEnd)}, a stretch of whole
     * UTC hours of the seeded range. Every hour draws from its own random stream, derived from the
     * seed and the hour, so the rows are the same however the range is split between loaders.
     *
     * @param providerIds the providers' ids, parallel to {@code models}
     */
    LedgerRowGenerator(
            long seed,
            long rows,
            Instant from,
            Instant to,
            Instant segmentStart,
            Instant segmentEnd,
            int users,
            List<ModelPrice> models,
            List<String> providerIds) {
        this.seed = seed;
        // Every option shapes the rows, so every option feeds the streams: two loads that differ in
        // anything but the split between loaders never produce the same ids.
        this.streamSeed = mix(
                mix(
                        mix(mix(seed, rows), from.getEpochSecond() * 1_000_000_000L + from.getNano()),
                        to.getEpochSecond() * 1_000_000_000L + to.getNano()),
                users);
        this.rows = rows;
        this.from = from;
        this.to = to;
        this.models = models;
        this.providerIds = providerIds;
        this.modelCdf = cdf(models.stream().mapToDouble(ModelPrice::popularity).toArray());
        double[] zipf = new double[users];
        for (int i = 0; i < users; i++) {
            // Heavy-tailed activity: the k-th most active user makes about 1/k^1.1 of the top user's requests.
            zipf[i] = 1 / StrictMath.pow(i + 1, 1.1);
        }
        this.userCdf = cdf(zipf);
        this.totalWeight = weightBetween(from, to);
        this.segmentEnd = segmentEnd;
        this.hourStart = hourOf(segmentStart);
        this.weightBefore = segmentStart.isAfter(from) ? weightBetween(from, segmentStart) : 0;
    }

    /** The whole seeded range as one segment. */
    LedgerRowGenerator(
            long seed,
            long rows,
            Instant from,
            Instant to,
            int users,
            List<ModelPrice> models,
            List<String> providerIds) {
        this(seed, rows, from, to, from, to, users, models, providerIds);
    }

    /**
     * Cuts {@code [from, to)} into at most {@code parts} segments of whole hours holding about
     * equally many rows.
     *
     * @return the segment boundaries, from {@code from} to {@code to}
     */
    static List<Instant> segments(long rows, Instant from, Instant to, int parts) {
        double total = weightBetween(from, to);
        List<Instant> bounds = new java.util.ArrayList<>();
        bounds.add(from);
        double weight = 0;
        for (Instant hour = hourOf(from).plus(Duration.ofHours(1));
                hour.isBefore(to);
                hour = hour.plus(Duration.ofHours(1))) {
            weight += weightBetween(
                    hour.minus(Duration.ofHours(1)).isBefore(from) ? from : hour.minus(Duration.ofHours(1)), hour);
            if (bounds.size() < parts && weight >= total * bounds.size() / parts) {
                bounds.add(hour);
            }
        }
        bounds.add(to);
        return bounds;
    }

    boolean hasNext() {
        while (hourRemaining == 0 && hourStart.isBefore(segmentEnd)) {
            startHour();
        }
        return hourRemaining > 0;
    }

    /** Appends the next row, newline-terminated, to {@code line}. */
    void next(StringBuilder line) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("all rows of the segment were generated");
        }
        long at = nextTimestampMicros();

        int user = pick(userCdf);
        long userBits = mix(seed ^ 0x5EEDL, user);
        int tier = tierOf(userBits);
        int modelIndex = pick(modelCdf);
        ModelPrice model = models.get(modelIndex);
        boolean embedding = model.requestType().equals("embedding");
        String requestType = embedding ? "embedding" : random.nextInt(100) < 85 ? "chat" : "completion";

        int roll = random.nextInt(1000);
        String status = roll < 965 ? "success" : roll < 990 ? "failed" : "cancelled";
        long input = embedding ? logNormal(400, 1.0, 1, 8_000) : logNormal(1_500, 1.1, 1, 200_000);
        long cached = !embedding && random.nextInt(100) < 35 ? (long) (input * (0.2 + 0.7 * random.nextDouble())) : 0;
        long output = embedding ? 0 : logNormal(350, 0.9, 1, 16_000);
        boolean streaming = !embedding && random.nextInt(100) < 60;
        if (status.equals("failed")) {
            output = 0;
        } else if (status.equals("cancelled")) {
            output = (long) (output * random.nextDouble());
            streaming = !embedding;
        }
        long reasoning = model.reasoning() && output > 0 ? (long) (output * (0.2 + 0.6 * random.nextDouble())) : 0;

        long costUnits = divideHalfUp(
                (input - cached) * priceUnits(model.inputPerMillion())
                        + cached * priceUnits(model.cachedInputPerMillion())
                        + output * priceUnits(model.outputPerMillion()),
                100);
        boolean charged = status.equals("success");
        long revenueUnits = charged ? divideHalfUp(costUnits * TIER_MULTIPLIER[tier], 100) : 0;
        long credits = charged ? (revenueUnits + CREDIT_UNITS - 1) / CREDIT_UNITS : 0;
        long latency =
                embedding ? 40 + random.nextInt(200) : 250 + output * (8 + random.nextInt(25)) + random.nextInt(400);
        long firstToken = streaming ? Math.min(latency, 120 + random.nextInt(900)) : -1;

        uuid(line, random.nextLong(), random.nextLong()).append('\t');
        uuid(line, random.nextLong(), random.nextLong()).append('\t');
        uuid(line, userBits, mix(userBits, 1)).append('\t');
        line.append(model.modelId()).append('\t');
        line.append(providerIds.get(modelIndex)).append('\t');
        money(line, costUnits).append('\t');
        line.append(credits).append('\t');
        line.append(TIER_MULTIPLIER[tier] / 100).append('.');
        twoDigits(line, TIER_MULTIPLIER[tier] % 100).append('\t');
        money(line, revenueUnits - costUnits).append('\t');
        line.append(status).append('\t');
        timestamp(line, at).append('\t');
        line.append(input).append('\t');
        line.append(output).append('\t');
        line.append(TIERS[tier]).append('\t');
        uuid(line, mix(userBits, 2), mix(userBits, 3)).append('\t');
        line.append(requestType).append('\t');
        line.append(cached).append('\t');
        line.append(reasoning).append('\t');
        line.append(latency).append('\t');
        if (firstToken < 0) {
            line.append("\\N");
        } else {
            line.append(firstToken);
        }
        line.append('\t');
        line.append(
                charged ? "\\N" : status.equals("failed") ? ERRORS[random.nextInt(ERRORS.length)] : "client_cancelled");
        line.append('\t').append(streaming ? 't' : 'f').append('\t');
        timestamp(line, at).append('\n');
    }

    /**
     * Moves to the next hour. Rows are spread over the range's UTC hours in proportion to the
     * diurnal and weekly traffic shape, by cumulative rounding over the whole range, so that exactly
     * {@code rows} come out and every segment agrees on its hours' counts.
     */
    private void startHour() {
        Instant hourEnd = hourStart.plus(Duration.ofHours(1));
        Instant start = hourStart.isBefore(from) ? from : hourStart;
        Instant end = hourEnd.isAfter(to) ? to : hourEnd;
        double weightAfter = weightBefore + weightBetween(start, end);
        long before = Math.round(rows * weightBefore / totalWeight);
        long after = end.equals(to) ? rows : Math.round(rows * weightAfter / totalWeight);
        hourRemaining = after - before;
        hourStartMicros = micros(start);
        hourSpanMicros = micros(end) - hourStartMicros;
        hourHeadroom = 1.0;
        random = new SplittableRandom(mix(streamSeed, hourStart.getEpochSecond() / 3600));
        weightBefore = weightAfter;
        hourStart = hourEnd;
    }

    /**
     * The next creation time, uniform within the hour and drawn directly in ascending order: the
     * largest of {@code k} uniforms is {@code V^(1/k)}, the next the largest of {@code k - 1} below
     * it, and so on, so no hour is ever held in memory, however many rows it has.
     */
    private long nextTimestampMicros() {
        hourHeadroom *= StrictMath.pow(random.nextDouble(), 1.0 / hourRemaining);
        hourRemaining--;
        long offset = Math.min(hourSpanMicros - 1, (long) ((1 - hourHeadroom) * hourSpanMicros));
        return hourStartMicros + Math.max(0, offset);
    }

    private static Instant hourOf(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC)
                .withMinute(0)
                .withSecond(0)
                .withNano(0)
                .toInstant();
    }

    private static double weightBetween(Instant start, Instant end) {
        double weight = 0;
        Instant hour = hourOf(start);
        while (hour.isBefore(end)) {
            Instant next = hour.plus(Duration.ofHours(1));
            Instant a = hour.isBefore(start) ? start : hour;
            Instant b = next.isAfter(end) ? end : next;
            LocalDateTime local = LocalDateTime.ofInstant(hour, ZoneOffset.UTC);
            double shape = HOURLY[local.getHour()] * (local.getDayOfWeek().getValue() >= 6 ? WEEKEND : 1.0);
            weight += shape * Duration.between(a, b).toNanos() / 3.6e12;
            hour = next;
        }
        return weight;
    }

    private long logNormal(double median, double sigma, long min, long max) {
        double value = median * StrictMath.exp(sigma * gaussian());
        return Math.max(min, Math.min(max, Math.round(value)));
    }

    /** A standard normal variate (Box–Muller), from this generator's own stream. */
    private double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
    }

    private int pick(double[] cdf) {
        int index = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(index >= 0 ? index : -index - 1, cdf.length - 1);
    }

    private static int tierOf(long userBits) {
        int percent = (int) Math.floorMod(userBits, 100L);
        return percent < TIER_PERCENT[0] ? 0 : percent < TIER_PERCENT[0] + TIER_PERCENT[1] ? 1 : 2;
    }

    private static double[] cdf(double[] weights) {
        double total = Arrays.stream(weights).sum();
        double[] cdf = new double[weights.length];
        double running = 0;
        for (int i = 0; i < weights.length; i++) {
            running += weights[i];
            cdf[i] = running / total;
        }
        return cdf;
    }

    /** A price per million tokens in units of 1e-4 USD, so that tokens × units / 100 is in 1e-8 USD. */
    static long priceUnits(java.math.BigDecimal perMillion) {
        return perMillion.movePointRight(4).longValueExact();
    }

    private static long divideHalfUp(long value, long divisor) {
        return (value + divisor / 2) / divisor;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /** A well-mixed 64-bit value from two inputs (SplitMix64's finaliser). */
    static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static StringBuilder uuid(StringBuilder line, long most, long least) {
        // Version 4, IETF variant: random ids shaped like the ones gen_random_uuid() makes.
        return line.append(new UUID((most & ~0xF000L) | 0x4000L, (least & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L));
    }

    private static StringBuilder money(StringBuilder line, long units) {
        if (units < 0) {
            line.append('-');
            units = -units;
        }
        line.append(units / 100_000_000).append('.');
        String fraction = Long.toString(units % 100_000_000);
        for (int i = fraction.length(); i < 8; i++) {
            line.append('0');
        }
        return line.append(fraction);
    }

    private static StringBuilder twoDigits(StringBuilder line, int value) {
        return line.append(value < 10 ? "0" : "").append(value);
    }

    /** An ISO timestamp in UTC with microseconds, which COPY reads as timestamptz. */
    private static StringBuilder timestamp(StringBuilder line, long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000);
        LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        line.append(time.getYear()).append('-');
        twoDigits(line, time.getMonthValue()).append('-');
        twoDigits(line, time.getDayOfMonth()).append(' ');
        twoDigits(line, time.getHour()).append(':');
        twoDigits(line, time.getMinute()).append(':');
        twoDigits(line, time.getSecond()).append('.');
        String fraction = Long.toString(Math.floorMod(micros, 1_000_000));
        for (int i = fraction.length(); i < 6; i++) {
            line.append('0');
        }
        return line.append(fraction).append("+00");
    }
}
