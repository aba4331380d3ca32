package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.LedgerRows;
import dev.ledgeranalytics.internal.Metric;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.jooq.CaseValueStep;
import org.jooq.CaseWhenStep;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Every statement that keeps the rollup tables: the build from the whole ledger, the
 * recomputation of buckets holding recorded changes, and the upserts of trigger mode. All of them
 * are derived from {@link RollupTable} and {@link Metric}, in one plan of steps: each (table,
 * grain) is summed from the ledger's rows, or from an already computed finer grain of a table
 * that keeps at least its dimensions and metrics (hours from quarter hours, providers from the
 * dimensions table), which is much cheaper.
 */
final class RollupUpkeep {

    /**
     * One (table, grain) and where it is summed from.
     *
     * @param table       the table
     * @param grain       the grain
     * @param source      the finer table it is summed from, or {@code null} for the ledger
     * @param sourceGrain the source's grain
     */
    record Step(RollupTable table, Grain grain, RollupTable source, Grain sourceGrain) {}

    /** The steps, each after its source. */
    static final List<Step> STEPS = plan();

    private RollupUpkeep() {}

    private static List<Step> plan() {
        // Tables with more dimensions first: they are the sources of the others.
        List<RollupTable> tables = new ArrayList<>(RollupTable.ALL);
        tables.sort(Comparator.comparing((RollupTable t) -> -t.dimensions.size()));
        List<Step> steps = new ArrayList<>();
        for (RollupTable table : tables) {
            for (Grain grain : new TreeSet<>(table.grains)) {
                Step source = steps.stream()
                        .filter(s -> s.table.dimensions.containsAll(table.dimensions)
                                && s.table.metrics.containsAll(table.metrics)
                                && s.grain.nestsIn(grain))
                        // The fewest rows: fewest dimensions, then the coarsest grain.
                        .min(Comparator.comparing((Step s) -> s.table.dimensions.size())
                                .thenComparing(s -> s.grain, Comparator.reverseOrder()))
                        .orElse(null);
                steps.add(new Step(
                        table, grain, source == null ? null : source.table, source == null ? null : source.grain));
            }
        }
        return List.copyOf(steps);
    }

    /** Empties every rollup table and sums each from the whole ledger, step by step. */
    static List<Query> build(DSLContext dsl) {
        List<Query> queries = new ArrayList<>();
        RollupTable.ALL.forEach(table -> queries.add(dsl.deleteFrom(table)));
        for (Step step : STEPS) {
            if (step.source == null) {
                queries.add(insert(
                        dsl,
                        step,
                        TOKEN_USAGE_LEDGER,
                        DSL.noCondition(),
                        step.grain.bucketStart(TOKEN_USAGE_LEDGER.CREATED_AT),
                        dimension -> dimension.of(LedgerRows.LEDGER),
                        metric -> metric.ofRows(LedgerRows.LEDGER)));
            } else {
                RollupTable source = step.source;
                queries.add(insert(
                        dsl,
                        step,
                        source,
                        source.grain.eq(step.sourceGrain.code()),
                        step.grain.bucketStart(source.bucketStart),
                        source::column,
                        metric -> metric.combined(source.column(metric))));
            }
        }
        return queries;
    }

    /**
     * Sums again every bucket holding one of {@code changedQuarterHours}, step by step: each
     * bucket is deleted and summed from its source, the ledger's rows of the bucket read by a
     * range scan of their own (LATERAL, fenced by OFFSET 0), whatever the ledger's statistics say.
     * A ledger {@code distributed} by Citus is joined to the buckets instead: Citus cannot push
     * such a LATERAL subquery down to the shards, and plans the join on each of them.
     */
    static List<Query> recompute(DSLContext dsl, Collection<Instant> changedQuarterHours, boolean distributed) {
        List<Query> queries = new ArrayList<>();
        Map<Grain, List<Instant>> startsByGrain = new HashMap<>();
        for (Grain grain : Grain.values()) {
            startsByGrain.put(
                    grain,
                    List.copyOf(new TreeSet<>(
                            changedQuarterHours.stream().map(grain::floor).toList())));
        }
        for (Step step : STEPS) {
            List<Instant> starts = startsByGrain.get(step.grain);
            Table<?> buckets = DSL.table(
                            "unnest({0}, {1})",
                            instants(starts),
                            instants(starts.stream().map(step.grain::next).toList()))
                    .as("buckets", "start_at", "end_at");
            Field<Instant> start = DSL.field(DSL.name("buckets", "start_at"), SQLDataType.INSTANT);
            Field<Instant> end = DSL.field(DSL.name("buckets", "end_at"), SQLDataType.INSTANT);
            queries.add(dsl.deleteFrom(step.table)
                    .where(step.table.grain.eq(step.grain.code()))
                    .and(step.table.bucketStart.coerce(OffsetDateTime.class).eq(DSL.any(instants(starts)))));
            if (step.source == null && distributed) {
                queries.add(insert(
                        dsl,
                        step,
                        buckets.join(TOKEN_USAGE_LEDGER)
                                .on(TOKEN_USAGE_LEDGER.CREATED_AT.ge(start))
                                .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(end)),
                        DSL.noCondition(),
                        start,
                        dimension -> dimension.of(LedgerRows.LEDGER),
                        metric -> metric.ofRows(LedgerRows.LEDGER)));
            } else if (step.source == null) {
                Table<?> rows = DSL.lateral(DSL.selectFrom(TOKEN_USAGE_LEDGER)
                                .where(TOKEN_USAGE_LEDGER.CREATED_AT.ge(start))
                                .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(end))
                                .offset(DSL.inline(0)))
                        .as("ledger_rows");
                LedgerRows ledgerRows = LedgerRows.of(rows);
                queries.add(insert(
                        dsl,
                        step,
                        buckets.crossJoin(rows),
                        DSL.noCondition(),
                        start,
                        dimension -> dimension.of(ledgerRows),
                        metric -> metric.ofRows(ledgerRows)));
            } else {
                RollupTable source = step.source;
                queries.add(insert(
                        dsl,
                        step,
                        buckets.join(source)
                                .on(source.grain.eq(step.sourceGrain.code()))
                                .and(source.bucketStart.ge(start))
                                .and(source.bucketStart.lt(end)),
                        DSL.noCondition(),
                        start,
                        source::column,
                        metric -> metric.combined(source.column(metric))));
            }
        }
        return queries;
    }

    /**
     * Refresh mode: the rows writers inserted ({@link NewRows}) that this snapshot sees, added to
     * every grain of every table as {@link #upserts} adds them, then deleted. A bucket a later
     * {@link #recompute} sums again is overwritten whole, so rows in it are never counted twice.
     */
    static List<Query> addNewRows(DSLContext dsl) {
        List<Query> queries = new ArrayList<>(upserts(dsl, NewRows.TABLE, NewRows.TABLE.rows, DSL.noCondition()));
        queries.add(dsl.deleteFrom(NewRows.TABLE));
        return queries;
    }

    /**
     * Trigger mode: the rows of a statement's transition table that satisfy {@code selected} added to
     * every grain of every table, as additive deltas ({@link Metric#merged}).
     */
    static List<Query> upserts(DSLContext dsl, String transitionTable, Condition selected) {
        return upserts(dsl, DSL.table(DSL.name(transitionTable)), LedgerRows.named(transitionTable), selected);
    }

    /**
     * Per table, the rows summed once at its finest grain, then those partial sums added up into
     * the bucket of each of its grains (the finest one's buckets nest in every other's) and merged
     * into the stored rows: the per-row work (bucket, cost bucket, every metric) is done once, not
     * once per grain, which made a refresh of 120,000 new rows take 1.7 to 2.3 s.
     */
    private static List<Query> upserts(DSLContext dsl, Table<?> from, LedgerRows rows, Condition selected) {
        List<Query> queries = new ArrayList<>();
        for (RollupTable table : RollupTable.ALL) {
            List<Grain> grains = List.copyOf(new TreeSet<>(table.grains));
            List<Field<?>> fineColumns = new ArrayList<>();
            fineColumns.add(grains.get(0)
                    .bucketStart(rows.column(TOKEN_USAGE_LEDGER.CREATED_AT))
                    .as(table.bucketStart.getName()));
            table.dimensions.forEach(dimension -> fineColumns.add(
                    dimension.of(rows).as(table.column(dimension).getName())));
            table.metrics.forEach(metric ->
                    fineColumns.add(metric.ofRows(rows).as(table.column(metric).getName())));
            Table<Record> fine = DSL.select(fineColumns)
                    .from(from)
                    .where(selected)
                    .groupBy(positions(1, 1 + table.dimensions.size()))
                    .asTable("fine");
            Table<?> grainTable = DSL.table(
                            "unnest({0})",
                            DSL.inline(
                                    grains.stream().map(Grain::code).toArray(Short[]::new),
                                    SQLDataType.SMALLINT.array()))
                    .as("grains", "grain");
            Field<Short> grain = DSL.field(DSL.name("grains", "grain"), SQLDataType.SMALLINT);
            Field<Instant> fineStart = fine.field(table.bucketStart);
            CaseValueStep<Short> bucketStart = DSL.choose(grain);
            CaseWhenStep<Short, Instant> cases = null;
            for (Grain g : grains) {
                Field<Instant> start = g == grains.get(0) ? fineStart : g.bucketStart(fineStart);
                cases = cases == null
                        ? bucketStart.when(DSL.inline(g.code()), start)
                        : cases.when(DSL.inline(g.code()), start);
            }
            List<Field<?>> columns = columns(table);
            List<Field<?>> values = new ArrayList<>();
            values.add(grain);
            values.add(cases);
            table.dimensions.forEach(dimension -> values.add(fine.field(table.column(dimension))));
            table.metrics.forEach(metric -> values.add(metric.combined(fine.field(table.column(metric)))));
            List<Field<?>> keys = new ArrayList<>(columns.subList(0, 2 + table.dimensions.size()));
            Map<Field<?>, Field<?>> merges = new LinkedHashMap<>();
            table.metrics.forEach(metric -> merges.put(
                    table.column(metric), metric.merged(table.column(metric), DSL.excluded(table.column(metric)))));
            queries.add(dsl.insertInto(table, columns)
                    .select(DSL.select(values)
                            .from(fine)
                            .crossJoin(grainTable)
                            // The grain too: an hour and a day can start at the same instant.
                            .groupBy(positions(1, 2 + table.dimensions.size())))
                    .onConflict(keys)
                    .doUpdate()
                    .set(merges));
        }
        return queries;
    }

    /** Inserts the sums of one step's buckets, grouped and ordered by bucket start and dimensions. */
    private static Query insert(
            DSLContext dsl,
            Step step,
            Table<?> from,
            Condition where,
            Field<Instant> bucketStart,
            Function<Dimension, Field<?>> dimension,
            Function<Metric, Field<?>> metric) {
        RollupTable table = step.table;
        List<Field<?>> values = new ArrayList<>();
        values.add(DSL.inline(step.grain.code()));
        values.add(bucketStart);
        table.dimensions.forEach(d -> values.add(dimension.apply(d)));
        table.metrics.forEach(m -> values.add(metric.apply(m)));
        Select<Record> sums = DSL.select(values)
                .from(from)
                .where(where)
                // By position: bucket expressions and cost buckets hold subqueries and casts best written once.
                .groupBy(positions(2, 2 + table.dimensions.size()))
                // In primary-key order: a range of buckets is then on few heap pages, not one page per row
                // as a hash aggregate's order leaves it (a year's hours at 10M rows: 522 pages, not 9,998).
                .orderBy(positions(2, 2 + table.dimensions.size()));
        return dsl.insertInto(table, columns(table)).select(sums);
    }

    /** The table's columns in the order its inserts list them: grain, bucket start, dimensions, metrics. */
    private static List<Field<?>> columns(RollupTable table) {
        List<Field<?>> columns = new ArrayList<>();
        columns.add(table.grain);
        columns.add(table.bucketStart);
        table.dimensions.forEach(d -> columns.add(table.column(d)));
        table.metrics.forEach(m -> columns.add(table.column(m)));
        return columns;
    }

    private static List<Field<Integer>> positions(int first, int last) {
        List<Field<Integer>> positions = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            positions.add(DSL.inline(i));
        }
        return positions;
    }

    private static Field<OffsetDateTime[]> instants(List<Instant> instants) {
        return DSL.val(
                instants.stream().map(i -> i.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new),
                SQLDataType.TIMESTAMPWITHTIMEZONE.array());
    }
}
