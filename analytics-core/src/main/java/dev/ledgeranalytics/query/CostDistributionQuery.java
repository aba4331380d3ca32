package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.ROLLUP_COST_BUCKETS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.LedgerConditions;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jooq.CaseValueStep;
import org.jooq.CaseWhenStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The distribution of per-request vendor cost, overall or per model, in two statements.
 *
 * <p>The histogram and the extremes come from one aggregate:
 * <pre>
 * SELECT [model_id,] width_bucket(vendor_cost, :edges::numeric[]) AS bucket, count(*), sum(vendor_cost), min(...), max(...)
 * FROM token_usage_ledger WHERE ... GROUP BY [model_id,] bucket
 * </pre>
 *
 * <p>The percentiles come from the ranks they interpolate between, picked out of the sorted costs
 * in NUMERIC (PostgreSQL's {@code percentile_cont} would go through double precision) by one
 * ordered-set aggregate, with fractions chosen to land on exact ranks (see {@link #percentileSql}):
 * <pre>
 * SELECT [model_id,] count(*), percentile_disc(:fractions) WITHIN GROUP (ORDER BY vendor_cost)
 * FROM token_usage_ledger WHERE ... [GROUP BY model_id]
 * </pre>
 */
final class CostDistributionQuery {

    static final List<BigDecimal> PERCENTILES =
            List.of(new BigDecimal("0.50"), new BigDecimal("0.90"), new BigDecimal("0.95"), new BigDecimal("0.99"));

    /** Histogram edges: 0, then the 1-2-5 series from 1e-8 to 100, which bounds numeric(10,8). */
    static final List<BigDecimal> EDGES = histogramEdges();

    private static final Field<String> MODEL = TOKEN_USAGE_LEDGER.MODEL_ID.as("model");

    private final LedgerFilter filter;
    private final boolean perModel;
    // A scalar subquery, evaluated once as an InitPlan: as a plain bind value, the cast of text to
    // numeric[] goes through array_in, which PostgreSQL declares STABLE and so does not fold; every
    // row would parse all the edges again (as MarginTrendQuery explains for its boundaries).
    private final Field<Integer> bucket = DSL.function(
                    "width_bucket",
                    SQLDataType.INTEGER,
                    TOKEN_USAGE_LEDGER.VENDOR_COST,
                    DSL.field(DSL.select(DSL.val(
                            EDGES.subList(0, EDGES.size() - 1).toArray(BigDecimal[]::new),
                            SQLDataType.NUMERIC.array()))))
            .as("bucket");
    private final Field<Long> count = DSL.count().cast(SQLDataType.BIGINT).as("count");
    private final Field<BigDecimal> costSum =
            DSL.sum(TOKEN_USAGE_LEDGER.VENDOR_COST).as("cost_sum");
    private final Field<BigDecimal> min =
            DSL.min(TOKEN_USAGE_LEDGER.VENDOR_COST).as("min_cost");
    private final Field<BigDecimal> max =
            DSL.max(TOKEN_USAGE_LEDGER.VENDOR_COST).as("max_cost");

    CostDistributionQuery(LedgerFilter filter, boolean perModel) {
        this.filter = filter;
        this.perModel = perModel;
    }

    ResultQuery<Record> histogramSql(DSLContext dsl) {
        List<Field<?>> keys = perModel ? List.of(MODEL, bucket) : List.of(bucket);
        return dsl.select(keys)
                .select(count, costSum, min, max)
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .groupBy(perModel ? List.of(DSL.inline(1), DSL.inline(2)) : List.of(DSL.inline(1)));
    }

    /**
     * The costs at the ranks {@link #interpolate} needs, read by one ordered-set aggregate per
     * model: {@code percentile_disc(f)} returns the value at rank {@code ceil(f * n)}, so
     * {@code f = (rank - 0.5) / n} picks an exact rank (exactly, in double precision, for any
     * {@code n} below 2^51). Unlike window functions over every row, it sorts the costs once and
     * keeps no ranks. {@code counts} are the histogram's row counts from the same snapshot: the
     * fractions depend on them, and the statement counts again so that a mismatch shows.
     */
    ResultQuery<Record> percentileSql(DSLContext dsl, Map<String, Long> counts) {
        Field<Double[]> fractions;
        if (perModel) {
            // A direct argument may depend on the grouping column: each model gets its own fractions.
            CaseValueStep<String> byModel = DSL.choose(TOKEN_USAGE_LEDGER.MODEL_ID);
            CaseWhenStep<String, Double[]> cases = null;
            for (Map.Entry<String, Long> model : counts.entrySet()) {
                Field<Double[]> modelFractions = DSL.val(rankFractions(model.getValue()), SQLDataType.DOUBLE.array());
                cases = cases == null
                        ? byModel.when(model.getKey(), modelFractions)
                        : cases.when(model.getKey(), modelFractions);
            }
            fractions = Objects.requireNonNull(cases, "counts").otherwise(DSL.castNull(SQLDataType.DOUBLE.array()));
        } else {
            fractions = DSL.val(rankFractions(counts.getOrDefault("", 1L)), SQLDataType.DOUBLE.array());
        }
        Field<BigDecimal[]> costs = DSL.field(
                        "percentile_disc({0}) within group (order by {1})",
                        SQLDataType.NUMERIC.array(), fractions, TOKEN_USAGE_LEDGER.VENDOR_COST)
                .as("costs");
        Field<Long> n = DSL.count().cast(SQLDataType.BIGINT).as("n");
        List<Field<?>> columns = new ArrayList<>();
        if (perModel) {
            columns.add(MODEL);
        }
        columns.add(n);
        columns.add(costs);
        return dsl.select(columns)
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .groupBy(perModel ? List.of(TOKEN_USAGE_LEDGER.MODEL_ID) : List.of());
    }

    /** The 1-based ranks {@link #interpolate} reads for each percentile, lower and upper, in order. */
    static List<Long> wantedRanks(long n) {
        List<Long> ranks = new ArrayList<>();
        for (BigDecimal fraction : PERCENTILES) {
            BigDecimal h = fraction.multiply(BigDecimal.valueOf(n - 1));
            ranks.add(h.setScale(0, RoundingMode.FLOOR).longValueExact() + 1);
            ranks.add(h.setScale(0, RoundingMode.CEILING).longValueExact() + 1);
        }
        return ranks;
    }

    private static Double[] rankFractions(long n) {
        return wantedRanks(n).stream().map(rank -> (rank - 0.5) / n).toArray(Double[]::new);
    }

    CostDistribution overall(DSLContext dsl, boolean rollups) {
        RollupReads reads = rollups && !perModel && RollupReads.Rollup.COSTS.canFilter(filter)
                ? RollupReads.load(dsl, filter.from(), filter.to())
                : null;
        if (reads != null) {
            return fromRollups(dsl, reads);
        }
        Map<String, CostDistribution> byModel = run(dsl);
        return byModel.isEmpty() ? empty() : byModel.values().iterator().next();
    }

    List<ModelCostDistribution> perModel(DSLContext dsl) {
        return run(dsl).entrySet().stream()
                .map(e -> new ModelCostDistribution(e.getKey(), e.getValue()))
                .toList();
    }

    /** Distributions by model id (one entry under "" when not per model), models in order. */
    private Map<String, CostDistribution> run(DSLContext dsl) {
        Map<String, List<Record>> histogramRows = new TreeMap<>();
        for (Record row : histogramSql(dsl).fetch()) {
            histogramRows
                    .computeIfAbsent(perModel ? row.get(MODEL) : "", k -> new ArrayList<>())
                    .add(row);
        }
        Map<String, Long> counts = new HashMap<>();
        histogramRows.forEach((model, rows) ->
                counts.put(model, rows.stream().mapToLong(row -> row.get(count)).sum()));
        Map<String, Map<Long, BigDecimal>> costsByRank = new HashMap<>();
        Map<String, Long> rankedCounts = new HashMap<>();
        if (!counts.isEmpty()) {
            for (Record row : percentileSql(dsl, counts).fetch()) {
                String model = perModel ? row.get(MODEL) : "";
                long n = row.get("n", Long.class);
                rankedCounts.put(model, n);
                BigDecimal[] costs = row.get("costs", BigDecimal[].class);
                List<Long> ranks = wantedRanks(n);
                Map<Long, BigDecimal> byRank = new HashMap<>();
                for (int i = 0; costs != null && i < ranks.size(); i++) {
                    byRank.put(ranks.get(i), costs[i]);
                }
                costsByRank.put(model, byRank);
            }
        }
        Map<String, CostDistribution> distributions = new TreeMap<>();
        histogramRows.forEach((model, rows) -> {
            CostDistribution distribution = distribution(rows, costsByRank.getOrDefault(model, Map.of()));
            // Both statements share a snapshot when the library owns the transaction; inside a host's
            // READ COMMITTED transaction, rows written between them would mix two states of the ledger.
            if (!rankedCounts.containsKey(model) || rankedCounts.get(model) != distribution.count()) {
                throw new AnalyticsException("The ledger changed between the two statements of the cost distribution ("
                        + distribution.count() + " rows, then " + rankedCounts.get(model)
                        + "); run it in a REPEATABLE READ "
                        + "transaction, or let the library open its own");
            }
            distributions.put(model, distribution);
        });
        return distributions;
    }

    private CostDistribution distribution(List<Record> rows, Map<Long, BigDecimal> costsByRank) {
        Map<Integer, Long> counts = new HashMap<>();
        Map<Integer, BigDecimal> costSums = new HashMap<>();
        long n = 0;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal lowest = null;
        BigDecimal highest = null;
        for (Record row : rows) {
            int index = row.get(bucket);
            counts.put(index, row.get(count));
            costSums.put(index, row.get(costSum));
            n += row.get(count);
            sum = sum.add(row.get(costSum));
            lowest = lowest == null || row.get(min).compareTo(lowest) < 0 ? row.get(min) : lowest;
            highest = highest == null || row.get(max).compareTo(highest) > 0 ? row.get(max) : highest;
        }
        return distribution(n, sum, lowest, highest, counts, costSums, costsByRank);
    }

    /** The distribution from its totals, its histogram bars by 1-based bar index, and the costs at the percentiles' ranks. */
    private static CostDistribution distribution(
            long n,
            BigDecimal sum,
            BigDecimal lowest,
            BigDecimal highest,
            Map<Integer, Long> counts,
            Map<Integer, BigDecimal> costSums,
            Map<Long, BigDecimal> costsByRank) {
        int firstBucket = counts.keySet().stream().min(Integer::compare).orElseThrow();
        int lastBucket = counts.keySet().stream().max(Integer::compare).orElseThrow();
        List<CostBucket> histogram = new ArrayList<>();
        for (int index = firstBucket; index <= lastBucket; index++) {
            histogram.add(new CostBucket(
                    EDGES.get(index - 1),
                    EDGES.get(index),
                    counts.getOrDefault(index, 0L),
                    costSums.getOrDefault(index, BigDecimal.ZERO.setScale(8))));
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(n), Decimals.MEAN_SCALE, RoundingMode.HALF_EVEN);
        List<BigDecimal> percentiles = new ArrayList<>();
        for (BigDecimal fraction : PERCENTILES) {
            percentiles.add(interpolate(fraction, n, costsByRank));
        }
        return new CostDistribution(
                n,
                lowest,
                highest,
                mean,
                percentiles.get(0),
                percentiles.get(1),
                percentiles.get(2),
                percentiles.get(3),
                histogram);
    }

    /**
     * The distribution from the cost histogram rollup and the ledger's edges. Everything but the
     * percentiles is exact: the fine cost buckets nest in the histogram's bars, and sums, counts,
     * extremes add up. A percentile's ranks are estimated by the geometric middle of their fine
     * bucket, kept within the smallest and largest cost in it; every cost in a fine bucket is
     * within 1 % of that middle, so the interpolated percentile is too.
     */
    private CostDistribution fromRollups(DSLContext dsl, RollupReads reads) {
        Table<Record> partials = reads.costs(List.of(filter.from(), filter.to()), filter);
        Field<Integer> fine = partials.field(RollupReads.COST_BUCKET);
        var lower = ROLLUP_COST_BUCKETS.as("lower");
        var upper = ROLLUP_COST_BUCKETS.as("upper");
        Field<Long> requests = DSL.sum(partials.field(RollupReads.REQUESTS))
                .cast(SQLDataType.BIGINT)
                .as("requests");
        Field<BigDecimal> costs =
                DSL.sum(partials.field(RollupReads.VENDOR_COST)).as("vendor_cost");
        Field<BigDecimal> least = DSL.min(partials.field(RollupReads.MIN_COST)).as("min_cost");
        Field<BigDecimal> most = DSL.max(partials.field(RollupReads.MAX_COST)).as("max_cost");
        Field<BigDecimal> upperBound =
                DSL.coalesce(upper.LOWER_BOUND, EDGES.get(EDGES.size() - 1)).as("upper_bound");
        Result<? extends Record> rows = dsl.select(fine, lower.LOWER_BOUND, upperBound, requests, costs, least, most)
                .from(partials)
                .join(lower)
                .on(lower.BUCKET.eq(fine))
                .leftJoin(upper)
                .on(upper.BUCKET.eq(fine.plus(1)))
                .groupBy(fine, lower.LOWER_BOUND, upper.LOWER_BOUND)
                .orderBy(fine)
                .fetch();
        if (rows.isEmpty()) {
            return empty();
        }
        Map<Integer, Long> counts = new HashMap<>();
        Map<Integer, BigDecimal> costSums = new HashMap<>();
        long n = 0;
        BigDecimal sum = BigDecimal.ZERO;
        for (Record row : rows) {
            int bar = bar(row.get(lower.LOWER_BOUND));
            counts.merge(bar, row.get(requests), Long::sum);
            costSums.merge(bar, row.get(costs), BigDecimal::add);
            n += row.get(requests);
            sum = sum.add(row.get(costs));
        }
        Map<Long, BigDecimal> costsByRank = new HashMap<>();
        List<Long> ranks = wantedRanks(n);
        long before = 0;
        for (Record row : rows) {
            long after = before + row.get(requests);
            for (long rank : ranks) {
                if (rank > before && rank <= after) {
                    costsByRank.put(
                            rank,
                            estimate(row.get(lower.LOWER_BOUND), row.get(upperBound), row.get(least), row.get(most)));
                }
            }
            before = after;
        }
        return distribution(
                n,
                sum,
                rows.get(0).get(least),
                rows.stream()
                        .map(row -> row.get(most))
                        .max(BigDecimal::compareTo)
                        .orElseThrow(),
                counts,
                costSums,
                costsByRank);
    }

    /** The 1-based histogram bar of a fine bucket's lower bound, as {@code width_bucket} numbers them. */
    private static int bar(BigDecimal lowerBound) {
        int bar = 0;
        while (bar < EDGES.size() - 1 && EDGES.get(bar).compareTo(lowerBound) <= 0) {
            bar++;
        }
        return bar;
    }

    /** A cost in {@code [lower, upper)} known to lie between {@code least} and {@code most}. */
    static BigDecimal estimate(BigDecimal lower, BigDecimal upper, BigDecimal least, BigDecimal most) {
        if (least.compareTo(most) == 0) {
            return least;
        }
        BigDecimal middle = lower.multiply(upper).sqrt(MathContext.DECIMAL64).setScale(8, RoundingMode.HALF_EVEN);
        return middle.max(least).min(most);
    }

    /** percentile_cont's definition, in exact decimal arithmetic; ranks are 1-based. */
    static BigDecimal interpolate(BigDecimal fraction, long n, Map<Long, BigDecimal> costsByRank) {
        BigDecimal h = fraction.multiply(BigDecimal.valueOf(n - 1));
        BigDecimal floor = h.setScale(0, RoundingMode.FLOOR);
        BigDecimal lower = costsByRank.get(floor.longValueExact() + 1);
        BigDecimal upper = costsByRank.get(h.setScale(0, RoundingMode.CEILING).longValueExact() + 1);
        if (lower == null || upper == null) {
            throw new AnalyticsException(
                    "The ledger changed between the two statements of the cost distribution: ranks of the " + fraction
                            + " percentile are missing for n = " + n);
        }
        BigDecimal value = lower.add(h.subtract(floor).multiply(upper.subtract(lower)));
        // Keep the ledger's eight decimals where they suffice, more only where interpolation needs them.
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() <= 8 ? value.setScale(8, RoundingMode.UNNECESSARY) : stripped;
    }

    private static CostDistribution empty() {
        return new CostDistribution(0, null, null, null, null, null, null, null, List.of());
    }

    private static List<BigDecimal> histogramEdges() {
        List<BigDecimal> edges = new ArrayList<>();
        edges.add(BigDecimal.ZERO.setScale(8));
        for (int exponent = -8; exponent <= 1; exponent++) {
            for (int mantissa : new int[] {1, 2, 5}) {
                edges.add(
                        BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent).setScale(8));
            }
        }
        edges.add(new BigDecimal("100.00000000"));
        return List.copyOf(edges);
    }
}
