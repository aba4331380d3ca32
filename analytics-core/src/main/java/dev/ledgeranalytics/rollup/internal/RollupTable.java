package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.rollup.internal.Grain.DAY;
import static dev.ledgeranalytics.rollup.internal.Grain.HOUR;
import static dev.ledgeranalytics.rollup.internal.Grain.MONTH;
import static dev.ledgeranalytics.rollup.internal.Grain.QUARTER;
import static dev.ledgeranalytics.rollup.internal.Grain.QUARTER_HOUR;
import static dev.ledgeranalytics.rollup.internal.Grain.SIX_HOURS;
import static dev.ledgeranalytics.rollup.internal.Grain.WEEK;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.schema.Analytics;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * A rollup table: its metrics summed per UTC bucket of each of its grains and per value of its
 * dimensions, the status always among them. The tables themselves are created by the migrations;
 * this is the one description of them that reading and upkeep are derived from, and a test checks
 * that the two agree.
 */
final class RollupTable extends TableImpl<Record> {

    private static final long serialVersionUID = 1L;

    /** Totals by status: the unfiltered dashboard, in quarter hours for any zone's local time. */
    static final RollupTable STATUS = new RollupTable(
            "rollup_status", EnumSet.of(QUARTER_HOUR, HOUR, DAY), List.of(Dimension.STATUS), Metric.TOTALS);

    /** Totals by status and provider: the cost per provider, and provider-filtered totals. */
    static final RollupTable PROVIDER = new RollupTable(
            "rollup_provider", EnumSet.of(HOUR, DAY), List.of(Dimension.STATUS, Dimension.PROVIDER), Metric.TOTALS);

    /** Totals by every filter dimension but the user. */
    static final RollupTable DIMS = new RollupTable(
            "rollup_dims",
            EnumSet.of(HOUR, DAY),
            List.of(Dimension.STATUS, Dimension.PROVIDER, Dimension.MODEL, Dimension.TIER, Dimension.REQUEST_TYPE),
            Metric.TOTALS);

    /**
     * The cost histogram by status, on the fine cost buckets. Hourly too: a range starting or ending
     * inside a day would otherwise read the rest of that day from the ledger. Each bucket of it
     * holds several hundred rows (one per occupied fine bucket), so a range reads more of them
     * the finer its pieces; six-hour and quarter-year buckets read a day's edge in at most 5 hours
     * and 3 quarter days, and nine months as three rows a fine bucket: a year over 10M rows
     * aggregated about 15,000 rows instead of 24,900, docs/benchmarks.md.
     */
    static final RollupTable COSTS = new RollupTable(
            "rollup_costs",
            EnumSet.of(HOUR, SIX_HOURS, DAY, WEEK, MONTH, QUARTER),
            List.of(Dimension.STATUS, Dimension.COST_BUCKET),
            EnumSet.of(Metric.REQUESTS, Metric.VENDOR_COST, Metric.MIN_COST, Metric.MAX_COST));

    /** Totals by status and user, with each user's first and last request. */
    static final RollupTable USERS = new RollupTable(
            "rollup_users",
            EnumSet.of(DAY, WEEK, MONTH),
            List.of(Dimension.STATUS, Dimension.USER),
            union(Metric.TOTALS, EnumSet.of(Metric.FIRST_AT, Metric.LAST_AT)));

    /** Every rollup table, in the order reads prefer them: the smallest that can answer first. */
    static final List<RollupTable> ALL = List.of(STATUS, PROVIDER, COSTS, DIMS, USERS);

    /**
     * A digest of the description of every table above, stored by each build: rollups built to
     * another description are read as not built (see {@code StateTable#builtAtInThisLayout}).
     * {@link String#hashCode} is specified, so the digest is the same in every JVM.
     */
    static final String LAYOUT = layout();

    final Set<Grain> grains;
    final List<Dimension> dimensions;
    final Set<Metric> metrics;
    final Field<Short> grain = createField(DSL.name("grain"), SQLDataType.SMALLINT);
    final Field<Instant> bucketStart = createField(DSL.name("bucket_start"), SQLDataType.INSTANT);
    private final Map<Dimension, Field<?>> dimensionColumns = new EnumMap<>(Dimension.class);
    private final Map<Metric, Field<?>> metricColumns = new EnumMap<>(Metric.class);

    private RollupTable(String name, Set<Grain> grains, List<Dimension> dimensions, Set<Metric> metrics) {
        super(DSL.name(name), Analytics.ANALYTICS);
        this.grains = Collections.unmodifiableSet(EnumSet.copyOf(grains));
        this.dimensions = List.copyOf(dimensions);
        this.metrics = Collections.unmodifiableSet(EnumSet.copyOf(metrics));
        dimensions.forEach(d -> dimensionColumns.put(d, createField(DSL.name(d.column()), d.type())));
        metrics.forEach(m -> metricColumns.put(m, createField(DSL.name(m.column()), m.type())));
    }

    /**
     * The first table that can answer: it keeps every dimension the request groups by or
     * restricts, and every metric it sums; {@code null} when only the ledger can.
     */
    static RollupTable serving(Collection<Dimension> keys, Set<Dimension> restricted, Set<Metric> metrics) {
        for (RollupTable table : ALL) {
            if (table.dimensions.containsAll(keys)
                    && table.dimensions.containsAll(restricted)
                    && table.metrics.containsAll(metrics)) {
                return table;
            }
        }
        return null;
    }

    /** The column of one of this table's dimensions. */
    Field<?> column(Dimension dimension) {
        return require(dimensionColumns.get(dimension), dimension);
    }

    /** The column of one of this table's metrics. */
    Field<?> column(Metric metric) {
        return require(metricColumns.get(metric), metric);
    }

    private <T> T require(T column, Object of) {
        if (column == null) {
            throw new IllegalStateException(getName() + " keeps no " + of);
        }
        return column;
    }

    private static String layout() {
        StringBuilder description = new StringBuilder();
        for (RollupTable table : ALL) {
            description.append(table.getName()).append(':');
            table.grains.forEach(g -> description.append(g.code()).append(','));
            table.dimensions.forEach(d -> description.append(d.column()).append(','));
            table.metrics.forEach(m -> description.append(m.column()).append(','));
            description.append(';');
        }
        return String.format(Locale.ROOT, "%08x", description.toString().hashCode());
    }

    private static Set<Metric> union(Set<Metric> a, Set<Metric> b) {
        Set<Metric> union = EnumSet.copyOf(a);
        union.addAll(b);
        return union;
    }
}
