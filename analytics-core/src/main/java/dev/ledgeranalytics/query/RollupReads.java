package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.ROLLUP_CHANGES;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_COSTS;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_COST_BUCKETS;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_DIMS;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_PROVIDER;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_STATE;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_STATUS;
import static dev.ledgeranalytics.schema.Tables.ROLLUP_USERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.Grain;
import dev.ledgeranalytics.internal.LedgerConditions;
import dev.ledgeranalytics.internal.LedgerConditions.LedgerColumns;
import dev.ledgeranalytics.internal.RollupCover;
import dev.ledgeranalytics.internal.RollupCover.Piece;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Reads a query's range from the rollup tables where they hold it and from the ledger where they
 * do not, as one table of partial aggregates per query bucket ({@link #BUCKET}) that the query
 * aggregates once more, exactly as it would aggregate ledger rows:
 *
 * <pre>
 * SELECT p.bucket, r.provider_id, r.requests, r.vendor_cost, ...               -- whole clean rollup buckets
 * FROM unnest(:grains, :froms, :tos, :buckets) p JOIN rollup_provider r
 *   ON r.grain = p.grain AND r.bucket_start &gt;= p.from AND r.bucket_start &lt; p.to
 * WHERE status::text = ANY (:statuses) ...
 * UNION ALL
 * SELECT p.bucket, l.provider_id, count(*), sum(l.vendor_cost), ...             -- edges and changed quarter hours
 * FROM unnest(:froms, :tos, :buckets) p JOIN token_usage_ledger l
 *   ON l.created_at &gt;= p.from AND l.created_at &lt; p.to
 * WHERE ... GROUP BY 1, 2
 * </pre>
 *
 * <p>Sums of NUMERIC partial sums are the same NUMERIC values, scale included, as sums over the
 * rows, so the answers are identical to the ledger's. Quarter hours with changes no refresh has
 * applied yet are read from the ledger, in the same snapshot as the rollups.
 */
final class RollupReads {

    static final Field<Integer> BUCKET = DSL.field(DSL.name("bucket"), SQLDataType.INTEGER);
    static final Field<Long> REQUESTS = DSL.field(DSL.name("requests"), SQLDataType.BIGINT);
    static final Field<Long> INPUT_TOKENS = DSL.field(DSL.name("input_tokens"), SQLDataType.BIGINT);
    static final Field<Long> OUTPUT_TOKENS = DSL.field(DSL.name("output_tokens"), SQLDataType.BIGINT);
    static final Field<BigDecimal> VENDOR_COST = DSL.field(DSL.name("vendor_cost"), SQLDataType.NUMERIC);
    static final Field<BigDecimal> GROSS_MARGIN = DSL.field(DSL.name("gross_margin"), SQLDataType.NUMERIC);
    static final Field<Long> CREDITS = DSL.field(DSL.name("credits"), SQLDataType.BIGINT);
    static final Field<Integer> COST_BUCKET = DSL.field(DSL.name("cost_bucket"), SQLDataType.INTEGER);
    static final Field<BigDecimal> MIN_COST = DSL.field(DSL.name("min_cost"), SQLDataType.NUMERIC);
    static final Field<BigDecimal> MAX_COST = DSL.field(DSL.name("max_cost"), SQLDataType.NUMERIC);
    static final Field<Instant> FIRST_AT = DSL.field(DSL.name("first_at"), SQLDataType.INSTANT);
    static final Field<Instant> LAST_AT = DSL.field(DSL.name("last_at"), SQLDataType.INSTANT);

    /** The names of the partial sums every sums table has, after {@link #BUCKET} and its keys. */
    static final List<Field<?>> PARTIAL_SUMS =
            List.of(REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS, VENDOR_COST, GROSS_MARGIN, CREDITS);

    /** A rollup table, the grains it keeps and the filters it can apply. */
    enum Rollup {
        STATUS(
                ROLLUP_STATUS,
                EnumSet.of(Grain.QUARTER_HOUR, Grain.HOUR, Grain.DAY),
                new LedgerColumns(ROLLUP_STATUS.STATUS, null, null, null, null, null)),
        PROVIDER(
                ROLLUP_PROVIDER,
                EnumSet.of(Grain.HOUR, Grain.DAY),
                new LedgerColumns(ROLLUP_PROVIDER.STATUS, ROLLUP_PROVIDER.PROVIDER_ID, null, null, null, null)),
        DIMS(
                ROLLUP_DIMS,
                EnumSet.of(Grain.HOUR, Grain.DAY),
                new LedgerColumns(
                        ROLLUP_DIMS.STATUS,
                        ROLLUP_DIMS.PROVIDER_ID,
                        ROLLUP_DIMS.MODEL_ID,
                        null,
                        ROLLUP_DIMS.USER_TIER,
                        ROLLUP_DIMS.REQUEST_TYPE)),
        COSTS(
                ROLLUP_COSTS,
                EnumSet.of(Grain.DAY, Grain.WEEK, Grain.MONTH),
                new LedgerColumns(ROLLUP_COSTS.STATUS, null, null, null, null, null)),
        USERS(
                ROLLUP_USERS,
                EnumSet.of(Grain.DAY, Grain.WEEK, Grain.MONTH),
                new LedgerColumns(ROLLUP_USERS.STATUS, null, null, ROLLUP_USERS.USER_ID, null, null));

        final Table<?> table;
        final Set<Grain> grains;
        final LedgerColumns columns;

        Rollup(Table<?> table, Set<Grain> grains, LedgerColumns columns) {
            this.table = table;
            this.grains = grains;
            this.columns = columns;
        }

        /** Whether this table holds every dimension the filter restricts. */
        boolean canFilter(LedgerFilter filter) {
            return (filter.providers() == null || columns.provider() != null)
                    && (filter.models() == null || columns.model() != null)
                    && (filter.users() == null || columns.user() != null)
                    && (filter.tiers() == null || columns.tier() != null)
                    && (filter.requestTypes() == null || columns.requestType() != null);
        }

        Field<Short> grain() {
            return table.field("grain", Short.class);
        }

        Field<Instant> bucketStart() {
            return table.field("bucket_start", Instant.class);
        }

        Field<?> column(Field<?> named) {
            return table.field(named.getName());
        }
    }

    private final NavigableSet<Instant> changedQuarterHours;

    private RollupReads(NavigableSet<Instant> changedQuarterHours) {
        this.changedQuarterHours = changedQuarterHours;
    }

    /**
     * The rollups as of this statement's snapshot, if they have been built.
     *
     * @param from the first instant the query reads
     * @param to   the instant after the last it reads
     * @return the rollups, or {@code null} when queries must read the ledger
     */
    static RollupReads load(DSLContext dsl, Instant from, Instant to) {
        Record2<Boolean, Instant[]> state = dsl.select(
                        ROLLUP_STATE.BUILT_AT.isNotNull(),
                        DSL.array(DSL.selectDistinct(ROLLUP_CHANGES.QUARTER_HOUR)
                                .from(ROLLUP_CHANGES)
                                .where(ROLLUP_CHANGES.QUARTER_HOUR.ge(Grain.QUARTER_HOUR.floor(from)))
                                .and(ROLLUP_CHANGES.QUARTER_HOUR.lt(to))))
                .from(ROLLUP_STATE)
                .fetchOne();
        if (state == null || !state.value1()) {
            return null;
        }
        return new RollupReads(new TreeSet<>(Arrays.asList(state.value2())));
    }

    /** The sums table to read for {@code filter}, or {@code null} if only the ledger can answer it. */
    static Rollup sumsFor(LedgerFilter filter, boolean byProvider) {
        for (Rollup rollup : byProvider
                ? List.of(Rollup.PROVIDER, Rollup.DIMS)
                : List.of(Rollup.STATUS, Rollup.PROVIDER, Rollup.DIMS)) {
            if (rollup.canFilter(filter)) {
                return rollup;
            }
        }
        return null;
    }

    /**
     * Partial sums per query bucket: {@link #BUCKET}, then {@code keys} (ledger columns the rollup
     * table also has), then {@link #PARTIAL_SUMS}.
     */
    Table<Record> sums(Rollup rollup, List<Instant> boundaries, LedgerFilter filter, List<Field<?>> keys) {
        List<Field<?>> rollupColumns = new ArrayList<>();
        keys.forEach(key -> rollupColumns.add(rollup.column(key)));
        PARTIAL_SUMS.forEach(sum -> rollupColumns.add(rollup.column(sum)));
        List<Field<?>> ledgerColumns = new ArrayList<>(keys);
        ledgerColumns.addAll(ledgerPartialSums());
        return partials(rollup, boundaries, filter, rollupColumns, ledgerColumns, keys);
    }

    /** Per fine cost bucket ({@link #COST_BUCKET}): requests, cost sum, smallest and largest cost. */
    Table<Record> costs(List<Instant> boundaries, LedgerFilter filter) {
        List<Field<?>> rollupColumns = List.of(
                ROLLUP_COSTS.COST_BUCKET,
                ROLLUP_COSTS.REQUESTS,
                ROLLUP_COSTS.VENDOR_COST,
                ROLLUP_COSTS.MIN_COST,
                ROLLUP_COSTS.MAX_COST);
        // As the rollups place costs (V3__rollups.sql): over float8, which keeps the order of
        // numeric(10, 8) values and lets width_bucket search instead of walking the array. A
        // scalar subquery: evaluated once, where a bound array would be parsed again for every row.
        Field<Integer> fineBucket = DSL.function(
                        "width_bucket",
                        SQLDataType.INTEGER,
                        TOKEN_USAGE_LEDGER.VENDOR_COST.cast(SQLDataType.DOUBLE),
                        DSL.field(DSL.select(DSL.arrayAgg(ROLLUP_COST_BUCKETS.LOWER_BOUND.cast(SQLDataType.DOUBLE))
                                        .orderBy(ROLLUP_COST_BUCKETS.BUCKET))
                                .from(ROLLUP_COST_BUCKETS)))
                .as(COST_BUCKET);
        List<Field<?>> ledgerColumns = List.of(
                fineBucket,
                DSL.count().cast(SQLDataType.BIGINT).as(REQUESTS),
                DSL.sum(TOKEN_USAGE_LEDGER.VENDOR_COST).as(VENDOR_COST),
                DSL.min(TOKEN_USAGE_LEDGER.VENDOR_COST).as(MIN_COST),
                DSL.max(TOKEN_USAGE_LEDGER.VENDOR_COST).as(MAX_COST));
        return partials(Rollup.COSTS, boundaries, filter, rollupColumns, ledgerColumns, List.of(DSL.inline(1)));
    }

    /** Per user: the partial sums and the first and last request. */
    Table<Record> users(List<Instant> boundaries, LedgerFilter filter) {
        List<Field<?>> rollupColumns = new ArrayList<>();
        rollupColumns.add(ROLLUP_USERS.USER_ID);
        PARTIAL_SUMS.forEach(sum -> rollupColumns.add(Rollup.USERS.column(sum)));
        rollupColumns.add(ROLLUP_USERS.FIRST_AT);
        rollupColumns.add(ROLLUP_USERS.LAST_AT);
        List<Field<?>> ledgerColumns = new ArrayList<>();
        ledgerColumns.add(TOKEN_USAGE_LEDGER.USER_ID);
        ledgerColumns.addAll(ledgerPartialSums());
        ledgerColumns.add(DSL.min(TOKEN_USAGE_LEDGER.CREATED_AT).as(FIRST_AT));
        ledgerColumns.add(DSL.max(TOKEN_USAGE_LEDGER.CREATED_AT).as(LAST_AT));
        return partials(
                Rollup.USERS, boundaries, filter, rollupColumns, ledgerColumns, List.of(TOKEN_USAGE_LEDGER.USER_ID));
    }

    /**
     * {@link #PARTIAL_SUMS} over ledger rows, typed as the rollup tables store them so that the
     * two sides of the UNION ALL agree. New aggregates on every call: jOOQ keeps a FILTER clause
     * on the aggregate object itself.
     */
    private static List<Field<?>> ledgerPartialSums() {
        return List.of(
                DSL.count().cast(SQLDataType.BIGINT).as(REQUESTS),
                DSL.sum(TOKEN_USAGE_LEDGER.INPUT_TOKENS)
                        .cast(SQLDataType.BIGINT)
                        .as(INPUT_TOKENS),
                DSL.sum(TOKEN_USAGE_LEDGER.OUTPUT_TOKENS)
                        .cast(SQLDataType.BIGINT)
                        .as(OUTPUT_TOKENS),
                DSL.sum(TOKEN_USAGE_LEDGER.VENDOR_COST).as(VENDOR_COST),
                DSL.sum(TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD).as(GROSS_MARGIN),
                DSL.sum(TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED)
                        .cast(SQLDataType.BIGINT)
                        .as(CREDITS));
    }

    /**
     * The rollup rows of the clean pieces, and the ledger's partial aggregates of the others,
     * grouped by piece and {@code ledgerKeys} (columns, or positions where a key is an expression
     * with bind values), in one UNION ALL named {@code partials}.
     */
    private Table<Record> partials(
            Rollup rollup,
            List<Instant> boundaries,
            LedgerFilter filter,
            List<Field<?>> rollupColumns,
            List<Field<?>> ledgerColumns,
            List<Field<?>> ledgerKeys) {
        List<Piece> pieces = RollupCover.of(boundaries, rollup.grains, changedQuarterHours);
        List<Piece> fromRollups =
                pieces.stream().filter(piece -> piece.grain() != null).toList();
        List<Piece> fromLedger =
                pieces.stream().filter(piece -> piece.grain() == null).toList();

        Select<Record> union = null;
        if (!fromRollups.isEmpty()) {
            String alias = "rollup_pieces";
            // LATERAL, fenced by OFFSET 0 so that PostgreSQL cannot flatten it into a join: each piece
            // becomes one range scan of the rollup table's primary key. Flattened, the planner hashed
            // the pieces and filtered a scan of the whole table against them.
            Table<Record> rows = DSL.lateral(DSL.select(rollupColumns)
                            .from(rollup.table)
                            .where(rollup.grain().eq(DSL.field(DSL.name(alias, "grain"), SQLDataType.SMALLINT)))
                            .and(rollup.bucketStart().ge(pieceBound(alias, "from_at")))
                            .and(rollup.bucketStart().lt(pieceBound(alias, "to_at")))
                            .and(LedgerConditions.dimensions(filter, rollup.columns))
                            .offset(DSL.inline(0)))
                    .as("rollup_rows");
            List<Field<?>> columns = new ArrayList<>();
            columns.add(DSL.field(DSL.name(alias, BUCKET.getName()), SQLDataType.INTEGER)
                    .as(BUCKET));
            columns.addAll(Arrays.asList(rows.fields()));
            union = DSL.select(columns)
                    .from(pieceTable(fromRollups, true, alias))
                    .crossJoin(rows);
        }
        if (!fromLedger.isEmpty()) {
            String alias = "ledger_pieces";
            // Aggregated per piece inside the LATERAL, which also keeps it a range scan of the ledger's index per
            // piece.
            Table<Record> rows = DSL.lateral(DSL.select(ledgerColumns)
                            .from(TOKEN_USAGE_LEDGER)
                            .where(TOKEN_USAGE_LEDGER.CREATED_AT.ge(pieceBound(alias, "from_at")))
                            .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(pieceBound(alias, "to_at")))
                            .and(LedgerConditions.dimensions(filter, LedgerColumns.LEDGER))
                            .groupBy(ledgerKeys))
                    .as("ledger_rows");
            List<Field<?>> columns = new ArrayList<>();
            columns.add(DSL.field(DSL.name(alias, BUCKET.getName()), SQLDataType.INTEGER)
                    .as(BUCKET));
            columns.addAll(Arrays.asList(rows.fields()));
            Select<Record> fromRows = DSL.select(columns)
                    .from(pieceTable(fromLedger, false, alias))
                    .crossJoin(rows);
            union = union == null ? fromRows : union.unionAll(fromRows);
        }
        return union.asTable("partials");
    }

    private static Field<Instant> pieceBound(String alias, String column) {
        return DSL.field(DSL.name(alias, column), TOKEN_USAGE_LEDGER.CREATED_AT.getDataType());
    }

    /** The pieces as a set-returning function in FROM, so that each array is bound and parsed once. */
    private static Table<?> pieceTable(List<Piece> pieces, boolean withGrain, String alias) {
        Field<OffsetDateTime[]> froms = DSL.val(
                pieces.stream().map(piece -> utc(piece.from())).toArray(OffsetDateTime[]::new),
                SQLDataType.TIMESTAMPWITHTIMEZONE.array());
        Field<OffsetDateTime[]> tos = DSL.val(
                pieces.stream().map(piece -> utc(piece.to())).toArray(OffsetDateTime[]::new),
                SQLDataType.TIMESTAMPWITHTIMEZONE.array());
        Field<Integer[]> buckets =
                DSL.val(pieces.stream().map(Piece::bucket).toArray(Integer[]::new), SQLDataType.INTEGER.array());
        if (!withGrain) {
            return DSL.table("unnest({0}, {1}, {2})", froms, tos, buckets).as(alias, "from_at", "to_at", "bucket");
        }
        Field<Short[]> grains = DSL.val(
                pieces.stream().map(piece -> piece.grain().code()).toArray(Short[]::new), SQLDataType.SMALLINT.array());
        return DSL.table("unnest({0}, {1}, {2}, {3})", grains, froms, tos, buckets)
                .as(alias, "grain", "from_at", "to_at", "bucket");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
