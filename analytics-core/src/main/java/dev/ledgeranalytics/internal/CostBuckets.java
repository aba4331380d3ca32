package dev.ledgeranalytics.internal;

import dev.ledgeranalytics.schema.Analytics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * Internal API. The fine buckets of the cost histogram, table {@code rollup_cost_buckets}: bucket
 * {@code n} holds the costs from its lower bound up to the next bucket's. Below 50e-8 USD every
 * representable cost has a bucket of its own; above, each bound is at most 2 % above the one
 * before, so the geometric middle of a bucket is within 1 % of every cost in it. The 1-2-5 bars
 * of the dashboard's histogram are among the bounds, so each bar is an exact sum of fine buckets.
 * The migration {@code V3__rollups.sql} fills the table.
 */
public final class CostBuckets extends TableImpl<Record> {

    private static final long serialVersionUID = 1L;

    /** The table. */
    public static final CostBuckets TABLE = new CostBuckets();

    /** The bucket's number, from 1. */
    public final TableField<Record, Integer> bucket = createField(DSL.name("bucket"), SQLDataType.INTEGER);

    /** The smallest cost in the bucket. */
    public final TableField<Record, BigDecimal> lowerBound =
            createField(DSL.name("lower_bound"), SQLDataType.NUMERIC(10, 8));

    /** The bars' edges: 0, then the 1-2-5 series from 1e-8 to 100, which bounds numeric(10,8). */
    public static final List<BigDecimal> BAR_EDGES = barEdges();

    private static final Double[] BAR_LOWER_EDGES = BAR_EDGES.subList(0, BAR_EDGES.size() - 1).stream()
            .map(BigDecimal::doubleValue)
            .toArray(Double[]::new);

    private CostBuckets() {
        super(DSL.name("rollup_cost_buckets"), Analytics.ANALYTICS);
    }

    /**
     * The fine bucket of each cost, by binary search over the bounds as {@code float8}: a
     * numeric(10, 8) has at most ten significant digits, so its nearest double is distinct for
     * distinct values and keeps their order, and the bucket is the one exact arithmetic gives.
     * Over {@code numeric[]}, {@code width_bucket} walks the whole array for every row. The bounds
     * are a scalar subquery, evaluated once per statement.
     */
    static Field<Integer> of(Field<BigDecimal> cost) {
        return DSL.function(
                "width_bucket",
                SQLDataType.INTEGER,
                cost.cast(SQLDataType.DOUBLE),
                DSL.field(DSL.select(DSL.arrayAgg(TABLE.lowerBound.cast(SQLDataType.DOUBLE))
                                .orderBy(TABLE.bucket))
                        .from(TABLE)));
    }

    /**
     * The 1-2-5 bar of each cost, numbered from 1: bar {@code b} holds the costs from {@code
     * BAR_EDGES[b - 1]} up to {@code BAR_EDGES[b]}. The edges are inlined as {@code float8}, a
     * constant the planner folds once, and found by binary search as {@link #of} finds its bounds;
     * the edges are themselves numeric(10, 8) values, so the comparisons are the exact ones.
     */
    static Field<Integer> barOf(Field<BigDecimal> cost) {
        return DSL.function(
                "width_bucket",
                SQLDataType.INTEGER,
                cost.cast(SQLDataType.DOUBLE),
                DSL.inline(BAR_LOWER_EDGES, SQLDataType.DOUBLE.array()));
    }

    private static List<BigDecimal> barEdges() {
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
