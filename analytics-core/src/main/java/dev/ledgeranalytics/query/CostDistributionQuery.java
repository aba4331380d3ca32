package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.LedgerConditions;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import java.math.BigDecimal;
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
import org.jooq.ResultQuery;
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

    static final List<BigDecimal> PERCENTILES = List.of(
            new BigDecimal("0.50"), new BigDecimal("0.90"), new BigDecimal("0.95"), new BigDecimal("0.99"));

    /** Histogram edges: 0, then the 1-2-5 series from 1e-8 to 100, which bounds numeric(10,8). */
    static final List<BigDecimal> EDGES = histogramEdges();

    private static final Field<String> MODEL = TOKEN_USAGE_LEDGER.MODEL_ID.as("model");

    private final LedgerFilter filter;
    private final boolean perModel;
    // A scalar subquery, evaluated once as an InitPlan: as a plain bind value, the cast of text to
    // numeric[] goes through array_in, which PostgreSQL declares STABLE and so does not fold; every
    // row would parse all the edges again (as MarginTrendQuery explains for its boundaries).
    private final Field<Integer> bucket = DSL.function("width_bucket", SQLDataType.INTEGER,
            TOKEN_USAGE_LEDGER.VENDOR_COST,
            DSL.field(DSL.select(DSL.val(EDGES.subList(0, EDGES.size() - 1).toArray(BigDecimal[]::new), SQLDataType.NUMERIC.array()))))
            .as("bucket");
    private final Field<Long> count = DSL.count().cast(SQLDataType.BIGINT).as("count");
    private final Field<BigDecimal> costSum = DSL.sum(TOKEN_USAGE_LEDGER.VENDOR_COST).as("cost_sum");
    private final Field<BigDecimal> min = DSL.min(TOKEN_USAGE_LEDGER.VENDOR_COST).as("min_cost");
    private final Field<BigDecimal> max = DSL.max(TOKEN_USAGE_LEDGER.VENDOR_COST).as("max_cost");

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
                cases = cases == null ? byModel.when(model.getKey(), modelFractions) : cases.when(model.getKey(), modelFractions);
            }
            fractions = Objects.requireNonNull(cases, "counts").otherwise(DSL.castNull(SQLDataType.DOUBLE.array()));
        } else {
            fractions = DSL.val(rankFractions(counts.getOrDefault("", 1L)), SQLDataType.DOUBLE.array());
        }
        Field<BigDecimal[]> costs = DSL.field("percentile_disc({0}) within group (order by {1})", SQLDataType.NUMERIC.array(),
                fractions, TOKEN_USAGE_LEDGER.VENDOR_COST).as("costs");
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

    CostDistribution overall(DSLContext dsl) {
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
            histogramRows.computeIfAbsent(perModel ? row.get(MODEL) : "", k -> new ArrayList<>()).add(row);
        }
        Map<String, Long> counts = new HashMap<>();
        histogramRows.forEach((model, rows) -> counts.put(model, rows.stream().mapToLong(row -> row.get(count)).sum()));
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
                        + distribution.count() + " rows, then " + rankedCounts.get(model) + "); run it in a REPEATABLE READ "
                        + "transaction, or let the library open its own");
            }
            distributions.put(model, distribution);
        });
        return distributions;
    }

    private CostDistribution distribution(List<Record> rows, Map<Long, BigDecimal> costsByRank) {
        Map<Integer, Record> byBucket = new HashMap<>();
        long n = 0;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal lowest = null;
        BigDecimal highest = null;
        int firstBucket = Integer.MAX_VALUE;
        int lastBucket = Integer.MIN_VALUE;
        for (Record row : rows) {
            int index = row.get(bucket);
            byBucket.put(index, row);
            n += row.get(count);
            sum = sum.add(row.get(costSum));
            lowest = lowest == null || row.get(min).compareTo(lowest) < 0 ? row.get(min) : lowest;
            highest = highest == null || row.get(max).compareTo(highest) > 0 ? row.get(max) : highest;
            firstBucket = Math.min(firstBucket, index);
            lastBucket = Math.max(lastBucket, index);
        }
        List<CostBucket> histogram = new ArrayList<>();
        for (int index = firstBucket; index <= lastBucket; index++) {
            Record row = byBucket.get(index);
            histogram.add(new CostBucket(EDGES.get(index - 1), EDGES.get(index),
                    row == null ? 0 : row.get(count),
                    row == null ? BigDecimal.ZERO.setScale(8) : row.get(costSum)));
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(n), Decimals.MEAN_SCALE, RoundingMode.HALF_EVEN);
        List<BigDecimal> percentiles = new ArrayList<>();
        for (BigDecimal fraction : PERCENTILES) {
            percentiles.add(interpolate(fraction, n, costsByRank));
        }
        return new CostDistribution(n, lowest, highest, mean,
                percentiles.get(0), percentiles.get(1), percentiles.get(2), percentiles.get(3), histogram);
    }

    /** percentile_cont's definition, in exact decimal arithmetic; ranks are 1-based. */
    static BigDecimal interpolate(BigDecimal fraction, long n, Map<Long, BigDecimal> costsByRank) {
        BigDecimal h = fraction.multiply(BigDecimal.valueOf(n - 1));
        BigDecimal floor = h.setScale(0, RoundingMode.FLOOR);
        BigDecimal lower = costsByRank.get(floor.longValueExact() + 1);
        BigDecimal upper = costsByRank.get(h.setScale(0, RoundingMode.CEILING).longValueExact() + 1);
        if (lower == null || upper == null) {
            throw new AnalyticsException("The ledger changed between the two statements of the cost distribution: ranks of the "
                    + fraction + " percentile are missing for n = " + n);
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
                edges.add(BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent).setScale(8));
            }
        }
        edges.add(new BigDecimal("100.00000000"));
        return List.copyOf(edges);
    }
}
