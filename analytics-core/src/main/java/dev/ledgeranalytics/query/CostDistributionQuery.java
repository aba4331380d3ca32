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
import java.util.TreeMap;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
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
 * in NUMERIC (PostgreSQL's {@code percentile_cont} would go through double precision):
 * <pre>
 * SELECT [model_id,] n, rank, vendor_cost FROM (
 *   SELECT [model_id,] vendor_cost, row_number() OVER (PARTITION BY [model_id] ORDER BY vendor_cost) AS rank,
 *          count(*) OVER (PARTITION BY [model_id]) AS n
 *   FROM token_usage_ledger WHERE ...) ranked
 * WHERE rank IN (floor(0.50 * (n - 1)) + 1, ceil(0.50 * (n - 1)) + 1, ... for 0.90, 0.95, 0.99)
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

    ResultQuery<Record> percentileRanksSql(DSLContext dsl) {
        Field<Long> rank = (perModel
                ? DSL.rowNumber().over(DSL.partitionBy(TOKEN_USAGE_LEDGER.MODEL_ID).orderBy(TOKEN_USAGE_LEDGER.VENDOR_COST))
                : DSL.rowNumber().over(DSL.orderBy(TOKEN_USAGE_LEDGER.VENDOR_COST))).cast(SQLDataType.BIGINT).as("rank");
        Field<Long> n = (perModel
                ? DSL.count().over(DSL.partitionBy(TOKEN_USAGE_LEDGER.MODEL_ID))
                : DSL.count().over()).cast(SQLDataType.BIGINT).as("n");
        List<Field<?>> columns = new ArrayList<>();
        if (perModel) {
            columns.add(MODEL);
        }
        columns.add(TOKEN_USAGE_LEDGER.VENDOR_COST);
        columns.add(rank);
        columns.add(n);
        Table<?> ranked = dsl.select(columns)
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .asTable("ranked");
        Field<BigDecimal> lastIndex = ranked.field(n).cast(SQLDataType.NUMERIC).minus(1);
        List<Field<?>> wantedRanks = new ArrayList<>();
        for (BigDecimal fraction : PERCENTILES) {
            Field<BigDecimal> h = DSL.inline(fraction).mul(lastIndex);
            wantedRanks.add(DSL.floor(h).plus(1));
            wantedRanks.add(DSL.ceil(h).plus(1));
        }
        return dsl.select(ranked.fields())
                .from(ranked)
                .where(ranked.field(rank).cast(SQLDataType.NUMERIC).in(wantedRanks.stream()
                        .map(f -> f.coerce(SQLDataType.NUMERIC)).toList()));
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
        Map<String, Map<Long, BigDecimal>> costsByRank = new HashMap<>();
        Map<String, Long> rankedCounts = new HashMap<>();
        for (Record row : percentileRanksSql(dsl).fetch()) {
            String model = perModel ? row.get(MODEL) : "";
            costsByRank.computeIfAbsent(model, k -> new HashMap<>())
                    .put(row.get("rank", Long.class), row.get(TOKEN_USAGE_LEDGER.VENDOR_COST));
            rankedCounts.put(model, row.get("n", Long.class));
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
