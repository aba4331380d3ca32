package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.CostBuckets;
import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import dev.ledgeranalytics.rollup.internal.SumsRequest;
import dev.ledgeranalytics.rollup.internal.SumsSource;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.jooq.SelectConditionStep;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The distribution of per-request vendor cost, overall or per model.
 *
 * <p>The counts, sums and extremes are summed like every other query's totals, per bar of the
 * 1-2-5 histogram ({@link CostBuckets#BAR_EDGES}) or, where the rollups are read, per fine cost
 * bucket ({@link CostBuckets}), the finest they keep, folded into the bars here: either way the
 * bars are exact.
 *
 * <p>Read from the ledger alone, the percentiles are exact: the ranks they interpolate between
 * are picked out of the sorted costs in NUMERIC (PostgreSQL's {@code percentile_cont} would go
 * through double precision) by one ordered-set aggregate, with fractions chosen to land on exact
 * ranks (see {@link #percentileSql}). Read through the rollups, a rank's cost is estimated by the
 * geometric middle of its fine bucket, kept within the smallest and largest cost in it; every cost
 * in a fine bucket is within 1 % of that middle, so the interpolated percentile is too.
 */
final class CostDistributionQuery extends DashboardQuery<Map<String, CostDistribution>> {

    static final List<BigDecimal> PERCENTILES =
            List.of(new BigDecimal("0.50"), new BigDecimal("0.90"), new BigDecimal("0.95"), new BigDecimal("0.99"));

    private static final List<BigDecimal> EDGES = CostBuckets.BAR_EDGES;

    private static final Field<BigDecimal> LOWER_BOUND = DSL.field(DSL.name("lower_bound"), SQLDataType.NUMERIC);
    private static final Field<BigDecimal> UPPER_BOUND = DSL.field(DSL.name("upper_bound"), SQLDataType.NUMERIC);

    private final String name;
    private final boolean perModel;
    private final SumsRequest barsRequest;

    CostDistributionQuery(LedgerFilter filter, boolean perModel) {
        this(perModel ? "costDistributionByModel" : "costDistribution", filter, perModel);
    }

    private CostDistributionQuery(String name, LedgerFilter filter, boolean perModel) {
        super(
                name,
                filter,
                List.of(filter.from(), filter.to()),
                keys(perModel, Dimension.COST_BUCKET),
                EnumSet.of(Metric.REQUESTS, Metric.VENDOR_COST, Metric.MIN_COST, Metric.MAX_COST));
        this.name = name;
        this.perModel = perModel;
        this.barsRequest = new SumsRequest(
                request.boundaries(), keys(perModel, Dimension.COST_BAR), request.metrics(), request.slice());
    }

    private static List<Dimension> keys(boolean perModel, Dimension cost) {
        return perModel ? List.of(Dimension.MODEL, cost) : List.of(cost);
    }

    /**
     * The fine buckets where the rollups are read: the percentiles are estimated in them. From the
     * ledger alone the percentiles come exact from the rows, and summing the bars directly, a few
     * dozen groups and no join to the fine buckets' bounds, takes half the time (1.8 against 3.4
     * ms over a day of a 1M-row ledger).
     */
    @Override
    Sums sums(SumsSource source) {
        Sums fine = source.sums(request);
        return fine.readRollups() ? fine : source.sums(barsRequest);
    }

    /** The histogram, and where the ledger alone is read the statement of the exact percentiles. */
    @Override
    Map<String, ResultQuery<?>> statements(DSLContext dsl, SumsSource source) {
        Sums sums = sums(source);
        Map<String, ResultQuery<?>> statements = new LinkedHashMap<>();
        statements.put(name + " (histogram)", statement(dsl, sums));
        if (!sums.readRollups()) {
            statements.put(name + " (percentiles)", percentileSql(dsl, Map.of("", 1L)));
        }
        return statements;
    }

    /** Distributions by model id (one entry under "" when not per model), models in order; none without requests. */
    @Override
    Map<String, CostDistribution> answer(DSLContext dsl, Sums sums, Result<Record> rows) {
        Map<String, List<Record>> buckets = new TreeMap<>();
        for (Record row : rows) {
            String model = perModel ? row.get(Dimension.MODEL.column(), String.class) : "";
            buckets.computeIfAbsent(model, k -> new ArrayList<>()).add(row);
        }
        Map<String, Long> counts = new HashMap<>();
        buckets.forEach((model, modelBuckets) -> counts.put(
                model,
                modelBuckets.stream()
                        .mapToLong(row -> sums.count(row, Metric.REQUESTS))
                        .sum()));
        Map<String, Map<Long, BigDecimal>> costsByRank =
                sums.readRollups() ? estimatedRanks(sums, buckets, counts) : exactRanks(dsl, counts);
        Map<String, CostDistribution> distributions = new TreeMap<>();
        buckets.forEach((model, modelBuckets) ->
                distributions.put(model, distribution(sums, modelBuckets, costsByRank.get(model))));
        return distributions;
    }

    /** The sums per bar (and model), or where the rollups are read per fine bucket, in order, with its bounds. */
    @Override
    ResultQuery<Record> statement(DSLContext dsl, Sums sums) {
        if (!sums.readRollups()) {
            return super.statement(dsl, sums);
        }
        Table<Record> lower = CostBuckets.TABLE.as("lower");
        Table<Record> upper = CostBuckets.TABLE.as("upper");
        Field<Integer> fine = sums.key(Dimension.COST_BUCKET).coerce(Integer.class);
        List<Field<?>> order = new ArrayList<>();
        if (perModel) {
            order.add(sums.key(Dimension.MODEL));
        }
        order.add(fine);
        return dsl.select(sums.table().fields())
                .select(
                        lower.field(CostBuckets.TABLE.lowerBound).as(LOWER_BOUND),
                        DSL.coalesce(upper.field(CostBuckets.TABLE.lowerBound), EDGES.get(EDGES.size() - 1))
                                .as(UPPER_BOUND))
                .from(sums.table())
                .join(lower)
                .on(lower.field(CostBuckets.TABLE.bucket).eq(fine))
                .leftJoin(upper)
                .on(upper.field(CostBuckets.TABLE.bucket).eq(fine.plus(1)))
                .orderBy(order.toArray(Field[]::new));
    }

    /**
     * The costs at the ranks {@link #interpolate} needs, read by one ordered-set aggregate per
     * model: {@code percentile_disc(f)} returns the value at rank {@code ceil(f * n)}, so {@code f =
     * (rank - 0.5) / n} picks an exact rank (exactly, in double precision, for any {@code n} below
     * 2^51). Unlike window functions over every row, it sorts the costs once and keeps no ranks.
     * {@code counts} are the histogram's row counts from the same snapshot: the fractions depend on
     * them, and the statement counts again so that a mismatch shows.
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
            columns.add(TOKEN_USAGE_LEDGER.MODEL_ID);
        }
        columns.add(n);
        columns.add(costs);
        SelectConditionStep<Record> select = dsl.select(columns)
                .from(TOKEN_USAGE_LEDGER)
                .where(filter.slice().ofLedger(filter.from(), filter.to()));
        // An aggregate without GROUP BY, not GROUP BY (): the same one row, but Citus runs no
        // distributed query with grouping sets, the empty one included.
        return perModel ? select.groupBy(TOKEN_USAGE_LEDGER.MODEL_ID) : select;
    }

    private Map<String, Map<Long, BigDecimal>> exactRanks(DSLContext dsl, Map<String, Long> counts) {
        Map<String, Map<Long, BigDecimal>> costsByRank = new HashMap<>();
        if (counts.isEmpty()) {
            return costsByRank;
        }
        for (Record row : percentileSql(dsl, counts).fetch()) {
            String model = perModel ? row.get(TOKEN_USAGE_LEDGER.MODEL_ID) : "";
            long n = row.get("n", Long.class);
            // Both statements share a snapshot when the library owns the transaction; inside a host's
            // READ COMMITTED transaction, rows written between them would mix two states of the ledger.
            if (!counts.containsKey(model) || counts.get(model) != n) {
                throw new AnalyticsException("The ledger changed between the two statements of the cost distribution ("
                        + counts.get(model) + " rows, then " + n + "); run it in a REPEATABLE READ transaction, or let "
                        + "the library open its own");
            }
            BigDecimal[] costs = row.get("costs", BigDecimal[].class);
            List<Long> ranks = wantedRanks(n);
            Map<Long, BigDecimal> byRank = new HashMap<>();
            for (int i = 0; costs != null && i < ranks.size(); i++) {
                byRank.put(ranks.get(i), costs[i]);
            }
            costsByRank.put(model, byRank);
        }
        if (!costsByRank.keySet().equals(counts.keySet())) {
            throw new AnalyticsException("The ledger changed between the two statements of the cost distribution: "
                    + "models " + counts.keySet() + ", then " + costsByRank.keySet());
        }
        return costsByRank;
    }

    /** The ranks' costs estimated from the fine buckets, as the class comment says. */
    private static Map<String, Map<Long, BigDecimal>> estimatedRanks(
            Sums sums, Map<String, List<Record>> fineBuckets, Map<String, Long> counts) {
        Map<String, Map<Long, BigDecimal>> costsByRank = new HashMap<>();
        fineBuckets.forEach((model, rows) -> {
            Map<Long, BigDecimal> byRank = new HashMap<>();
            List<Long> ranks = wantedRanks(counts.get(model));
            long before = 0;
            for (Record row : rows) {
                long after = before + sums.count(row, Metric.REQUESTS);
                for (long rank : ranks) {
                    if (rank > before && rank <= after) {
                        byRank.put(
                                rank,
                                estimate(
                                        row.get(LOWER_BOUND),
                                        row.get(UPPER_BOUND),
                                        sums.money(row, Metric.MIN_COST),
                                        sums.money(row, Metric.MAX_COST)));
                    }
                }
                before = after;
            }
            costsByRank.put(model, byRank);
        });
        return costsByRank;
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

    /** One distribution from its bars, or its fine buckets folded into the bars. */
    private static CostDistribution distribution(Sums sums, List<Record> buckets, Map<Long, BigDecimal> costsByRank) {
        Map<Integer, Long> counts = new HashMap<>();
        Map<Integer, BigDecimal> costSums = new HashMap<>();
        long n = 0;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal lowest = null;
        BigDecimal highest = null;
        for (Record row : buckets) {
            int bar = sums.readRollups()
                    ? bar(row.get(LOWER_BOUND))
                    : row.get(Dimension.COST_BAR.column(), Integer.class);
            long requests = sums.count(row, Metric.REQUESTS);
            BigDecimal cost = sums.money(row, Metric.VENDOR_COST);
            counts.merge(bar, requests, Long::sum);
            costSums.merge(bar, cost, BigDecimal::add);
            n += requests;
            sum = sum.add(cost);
            BigDecimal least = sums.money(row, Metric.MIN_COST);
            BigDecimal most = sums.money(row, Metric.MAX_COST);
            lowest = lowest == null || least.compareTo(lowest) < 0 ? least : lowest;
            highest = highest == null || most.compareTo(highest) > 0 ? most : highest;
        }
        int firstBar = counts.keySet().stream().min(Integer::compare).orElseThrow();
        int lastBar = counts.keySet().stream().max(Integer::compare).orElseThrow();
        List<CostBucket> histogram = new ArrayList<>();
        for (int bar = firstBar; bar <= lastBar; bar++) {
            histogram.add(new CostBucket(
                    EDGES.get(bar - 1),
                    EDGES.get(bar),
                    counts.getOrDefault(bar, 0L),
                    costSums.getOrDefault(bar, Sums.NO_MONEY)));
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
                    "The ledger changed between the two statements of the cost distribution: ranks " + "of the "
                            + fraction + " percentile are missing for n = " + n);
        }
        BigDecimal value = lower.add(h.subtract(floor).multiply(upper.subtract(lower)));
        // Keep the ledger's eight decimals where they suffice, more only where interpolation needs them.
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() <= 8 ? value.setScale(8, RoundingMode.UNNECESSARY) : stripped;
    }
}
