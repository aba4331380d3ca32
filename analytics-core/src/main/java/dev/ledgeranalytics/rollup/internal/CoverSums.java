package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.LedgerRows;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Cover.Piece;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.Record3;
import org.jooq.Record5;
import org.jooq.ResultQuery;
import org.jooq.Select;
import org.jooq.SelectConditionStep;
import org.jooq.Table;
import org.jooq.WindowDefinition;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Sums a request over a {@link Cover} of its buckets: whole clean buckets of the smallest rollup
 * table that keeps the request's keys, restrictions and metrics, and the ledger's rows for the
 * rest. Reading the ledger alone is the cover with no rollup table, one ledger piece per bucket.
 *
 * <p>When no piece comes from the rollups, the ledger is read by one scan that numbers each row's
 * bucket, the form whose plan is an index-only scan of {@code idx_token_usage_analytics}:
 *
 * <pre>
 * SELECT width_bucket(created_at, :bucket_starts) AS bucket, &lt;keys&gt;, count(*) AS requests, sum(vendor_cost), ...
 * FROM token_usage_ledger WHERE created_at &gt;= :from AND created_at &lt; :to AND &lt;slice&gt;
 * GROUP BY 1, 2, ...
 * </pre>
 *
 * <p>Otherwise each piece is one range scan, and the partial sums are combined per bucket and key:
 *
 * <pre>
 * SELECT bucket, &lt;keys&gt;, sum(requests) AS requests, sum(vendor_cost), ... FROM (
 *   SELECT width_bucket(bucket_start, :bucket_starts), &lt;keys&gt;, requests, ...      -- whole clean rollup buckets,
 *   FROM rollup_x WHERE grain = 2 AND bucket_start &gt;= '2025-12-02 02:00'         -- per run of one grain, its
 *                   AND bucket_start &lt; '2026-12-02 00:00' AND &lt;slice&gt;               -- bounds written in
 *   UNION ALL ...
 *   UNION ALL
 *   SELECT p.bucket, n.* FROM unnest(:froms, :tos, :buckets) p                     -- rollup pieces with new rows
 *   CROSS JOIN LATERAL (SELECT &lt;keys&gt;, count(*), sum(vendor_cost), ... FROM rollup_new_rows
 *                       WHERE created_at &gt;= p.from AND created_at &lt; p.to AND &lt;slice&gt; GROUP BY &lt;keys&gt;) n
 *   UNION ALL
 *   SELECT 3 AS bucket, l.* FROM (SELECT &lt;keys&gt;, count(*), sum(vendor_cost), ...    -- edges, updated quarter hours:
 *                       FROM token_usage_ledger                                    -- one aggregate per piece, its
 *                       WHERE created_at &gt;= '2026-03-01 18:00' AND created_at &lt; ...  -- bounds written in
 *                       AND &lt;slice&gt; GROUP BY &lt;keys&gt;) l
 *   UNION ALL ...
 * ) partials GROUP BY bucket, &lt;keys&gt;
 * </pre>
 *
 * <p>The runs of rollup buckets are read so where the request has more than one bucket and at
 * most {@value #CONSTANT_PIECES} runs; otherwise, and past {@value #CONSTANT_PIECES} ledger pieces,
 * they are read as the rollup pieces with new rows are, by one {@code CROSS JOIN LATERAL} over an
 * {@code unnest} of their bounds ({@link #rollupRows}, {@link #rowSums}). On Citus, which
 * cannot push a LATERAL subquery over a distributed table down to its shards, each run of rollup
 * buckets and each piece is a statement of its own with its bounds written in, and more than
 * {@value #CONSTANT_PIECES} pieces are one join of their bounds to the table ({@link #rowSumsJoined}).
 *
 * <p>Sums of NUMERIC partial sums are the same NUMERIC values, scale included, as sums over the
 * rows, so both forms answer identically. All of it is read in one snapshot: in the library's
 * own transactions the one {@link Pending} describes (see {@link SumsSource#of} for a host's READ
 * COMMITTED transaction). A quarter hour that an update or delete touched since the last refresh is
 * never clean: it is read from the ledger. One that inserts alone touched is its rollups plus the
 * copies of the new rows, which the writers wrote in the transactions of the rows themselves and
 * a refresh deletes in the transaction that adds them; reading it from the ledger instead would
 * read every row of the quarter hour being written, under a steady load always pending (measured
 * at 2,000 rows/s on 10M rows: seconds per query, docs/benchmarks.md). Where the ledger is empty
 * from the range's end to the end of its quarter hour, hour or day, the last bucket is read to
 * there ({@link Pending#end}), from whole rollup buckets. Where it is not, and every metric is a
 * sum, the last bucket of the finest grain is read whole and the ledger's rows after the range's
 * end are taken away again ({@link Pending#beyond}): on a ledger being written, those are the rows
 * written since the range's end, not every row of the bucket before it. At the range's start, where
 * fewer of that bucket's rows lie before it than after and no update or delete awaits a refresh
 * there, the first bucket is read whole too and the rows before the start taken away ({@link
 * Pending#earlier}): the first day of a year's per-user sums from 02:00 is then that day's rollup
 * rows and two hours of the ledger, not 22 hours of it. A first or last request is not a sum, but
 * for a few named users it is looked up again where a bucket read whole placed it outside the
 * range ({@link #requestTime}), so the user breakdown's page over its leaders reads its edge days
 * so too.
 */
final class CoverSums implements SumsSource {

    /** The name of the bucket number's column. */
    static final String BUCKET = "bucket";

    /** The most ledger pieces read with their bounds written into the statement ({@link #ledgerSums}). */
    private static final int CONSTANT_PIECES = 8;

    /** The metrics a bucket read whole may place outside the range, to be looked up again ({@link #requestTime}). */
    private static final Set<Metric> REQUEST_TIMES = EnumSet.of(Metric.FIRST_AT, Metric.LAST_AT);

    /** What the rollups lack for the range; {@code null} when the ledger alone is read. */
    private final Pending pending;

    /** The first instant whose raw rows are kept, or {@code null} while retention dropped none. */
    private final Instant retainedFrom;

    /**
     * Whether the ledger is distributed by Citus, which cannot push a LATERAL subquery over a
     * distributed table down to the shards ("cannot push down this subquery"): there every piece is
     * read by a statement of its own with its bounds written in, and no user breakdown's leaders are
     * read (their lists are such subqueries).
     */
    private final boolean citus;

    private boolean readRollups;

    CoverSums(Pending pending, Instant retainedFrom, boolean citus) {
        this.pending = pending;
        this.retainedFrom = retainedFrom;
        this.citus = citus;
    }

    @Override
    public boolean readRollups() {
        return readRollups;
    }

    /**
     * How a request is read: the rollup table that serves it ({@code null} for the ledger alone),
     * the request as its pieces are numbered (its first bucket starting where the cover does), the
     * pieces of its cover, and the stretches before its start and after its end taken away again
     * ({@code null} if none).
     */
    private record Plan(RollupTable table, SumsRequest numbered, List<Piece> pieces, Piece earlier, Piece later) {

        List<Piece> fromRollups() {
            return pieces.stream().filter(p -> p.grain() != null).toList();
        }

        List<Piece> fromLedger() {
            return pieces.stream().filter(p -> p.grain() == null).toList();
        }

        List<Piece> takenAway() {
            return Stream.of(earlier, later).filter(Objects::nonNull).toList();
        }
    }

    private Plan plan(SumsRequest request) {
        RollupTable table = pending == null
                ? null
                : RollupTable.serving(request.keys(), request.slice().restricted(), request.metrics());
        if (citus && table == RollupTable.USERS) {
            // On Citus the ledger is summed per user on each shard, in parallel, while the rows of
            // rollup_users that the statements above read go to the coordinator to be summed there:
            // at 1M rows a year's user page took 851 ms through them against 625 ms from the
            // ledger (docs/benchmarks.md).
            table = null;
        }
        Instant end = table == null ? request.to() : pending.end(table.grains);
        // The rows after the range's end, taken away again from its last bucket read whole.
        Piece later = null;
        if (table != null && end.equals(request.to()) && subtractable(request)) {
            Instant beyond = pending.beyond(table.grains);
            if (beyond != null) {
                later = new Piece(null, end, beyond, request.boundaries().size() - 1);
                end = beyond;
            }
        }
        // Likewise the rows before its start, from its first bucket read whole.
        Piece earlier = null;
        List<Instant> boundaries = request.boundaries();
        if (table != null && subtractable(request)) {
            Instant start = pending.earlier(table.grains, request.from(), boundaries.get(1));
            if (start != null && (retainedFrom == null || !start.isBefore(retainedFrom))) {
                earlier = new Piece(null, start, request.from(), 1);
                boundaries = new ArrayList<>(boundaries);
                boundaries.set(0, start);
            }
        }
        List<Piece> pieces = table == null
                ? Cover.of(boundaries, Set.of(), Collections.emptyNavigableSet())
                : Cover.of(endingAt(boundaries, end), table.grains, pending.recomputed());
        requireRetained(pieces, request);
        SumsRequest numbered = earlier == null
                ? request
                : new SumsRequest(boundaries, request.keys(), request.metrics(), request.slice());
        return new Plan(table, numbered, pieces, earlier, later);
    }

    @Override
    public Sums sums(SumsRequest request) {
        Plan plan = plan(request);
        RollupTable table = plan.table();
        List<Piece> fromRollups = plan.fromRollups();
        if (fromRollups.isEmpty()) {
            // One ledger piece per bucket: the cover is the buckets themselves.
            return new Sums(ledgerScan(request), false);
        }
        readRollups = true;
        SumsRequest numbered = plan.numbered();
        List<Piece> runs = Cover.runs(fromRollups);
        boolean manyBuckets = numbered.boundaries().size() > 2;
        Select<Record> partials = citus || (manyBuckets && runs.size() <= CONSTANT_PIECES)
                ? rollupRowsOneByOne(numbered, table, runs)
                : rollupRows(numbered, table, runs);
        Select<Record> rows = rowPartials(plan);
        if (rows != null) {
            partials = partials.unionAll(rows);
        }
        return new Sums(combined(request, plan, partials.asTable("partials")), true);
    }

    /**
     * The partial sums of the plan's rows: the copies of new rows in its rollup pieces that inserts
     * touched since the last refresh, the ledger's in its ledger pieces, and those taken away
     * again before its start and after its end; {@code null} if none.
     */
    private Select<Record> rowPartials(Plan plan) {
        SumsRequest request = plan.numbered();
        Select<Record> partials = null;
        List<Piece> withNewRows = plan.fromRollups().stream()
                .filter(p -> pending.insertedIn(p.from(), p.to()))
                .toList();
        if (!withNewRows.isEmpty()) {
            LedgerRows copies = NewRows.TABLE.rows;
            Field<Instant> createdAt = copies.column(TOKEN_USAGE_LEDGER.CREATED_AT);
            Condition slice = request.slice().of(d -> d.of(copies));
            if (!citus) {
                partials = rowSums(request, withNewRows, NewRows.TABLE, copies, slice, false, "new_rows");
            } else if (withNewRows.size() > CONSTANT_PIECES) {
                partials = rowSumsJoined(request, withNewRows, NewRows.TABLE, copies, slice, false, "new_rows");
            } else {
                partials = rowSumsOneByOne(
                        request,
                        withNewRows,
                        NewRows.TABLE,
                        copies,
                        piece -> createdAt
                                .ge(piece.from())
                                .and(createdAt.lt(piece.to()))
                                .and(slice),
                        false,
                        "new_rows");
            }
        }
        if (!plan.fromLedger().isEmpty()) {
            Select<Record> ledger = ledgerSums(request, plan.fromLedger(), false, "ledger", citus);
            partials = partials == null ? ledger : partials.unionAll(ledger);
        }
        if (!plan.takenAway().isEmpty()) {
            Select<Record> takenAway = ledgerSums(request, plan.takenAway(), true, "taken_away", citus);
            partials = partials == null ? takenAway : partials.unionAll(takenAway);
        }
        return partials;
    }

    /**
     * Reads, for a request summed per user over one bucket, each clean rollup bucket's users from the
     * highest {@code metric} down, {@code depth} of them per bucket (an index scan of {@code
     * rollup_users_by_gross_margin} each), and the rest of the range (the ledger's edges, the
     * copies of new rows) per user, its {@code depth} highest likewise. The lists need sums alone,
     * so their first and last buckets may be read whole, the ledger's rows outside the range then a
     * negative part of the rest ({@link Pending#earlier}, {@link Pending#beyond}):
     *
     * <pre>
     * WITH lists AS (SELECT b.grain, b.bucket_start, l.user_id, l.value,
     *                       CASE WHEN count(*) OVER w &lt; :depth THEN 0 ELSE min(l.value) OVER w END AS threshold
     *                FROM unnest(:grains, :bucket_starts) b CROSS JOIN LATERAL
     *                  (SELECT user_id, gross_margin AS value FROM rollup_users WHERE grain = b.grain
     *                   AND bucket_start = b.bucket_start AND &lt;slice&gt; AND gross_margin &gt; 0
     *                   ORDER BY gross_margin DESC LIMIT :depth) l
     *                WINDOW w AS (PARTITION BY b.grain, b.bucket_start)),
     *      rest AS (SELECT user_id, sum(value) AS value FROM &lt;the rest&gt; GROUP BY user_id
     *               HAVING sum(value) &gt; 0 ORDER BY 2 DESC LIMIT :depth)
     * SELECT array_agg(user_id ORDER BY above DESC, user_id) AS leaders,
     *        array_agg(above ORDER BY above DESC, user_id) AS above,
     *        :statuses * (SELECT sum(threshold) FROM (SELECT max(threshold) FROM lists GROUP BY bucket))
     *        + (SELECT CASE WHEN count(*) &lt; :depth THEN 0 ELSE min(value) END FROM rest) AS bound
     * FROM (SELECT user_id, sum(excess) AS above FROM (SELECT user_id, value - threshold AS excess FROM lists
     *       UNION ALL SELECT user_id, value - &lt;rest's threshold&gt; FROM rest) GROUP BY user_id) candidates
     * </pre>
     *
     * <p>A user listed nowhere has, in each bucket, rows no higher than the list's last (no higher
     * than zero if the list holds every positive row of the bucket), one per status; and in the rest
     * no more than the rest's list's last (or zero). So its sum is at most the bound. A listed user's
     * rows are each above their list's threshold by what they have in excess of it, and its others
     * are not: its sum is at most the bound plus the sum of its excesses.
     *
     * <p>Only where one snapshot serves every statement, the range is one bucket of whole rollup
     * buckets but for at most a tenth of it (counting the stretches taken away), and no user is
     * restricted; empty otherwise. The rest is read here, and its part in the range again by the
     * page's statement for the users it sums: where it is more of the range, reading every user
     * once costs less. A day's first page from 02:00 reads the day's rollup lists and two hours of
     * the ledger here (at 10M rows, p50 24 against 41 ms summing every user).
     */
    @Override
    public Optional<ResultQuery<Record3<UUID[], BigDecimal[], BigDecimal>>> leaders(
            SumsRequest request, Metric metric, int depth) {
        if (pending == null
                || citus
                || pending.now() == null
                || request.boundaries().size() != 2
                || !request.keys().equals(List.of(Dimension.USER))
                || request.slice().users() != null) {
            return Optional.empty();
        }
        // The lists need sums alone, so the range's first and last buckets may be read whole and the
        // ledger's rows outside it taken away, as the rest's (negative) part.
        SumsRequest sums = new SumsRequest(
                request.boundaries(), request.keys(), EnumSet.of(metric, Metric.REQUESTS), request.slice());
        Plan listedPlan = plan(sums);
        RollupTable table = listedPlan.table();
        if (table != RollupTable.USERS || !table.metrics.contains(metric)) {
            return Optional.empty();
        }
        List<Piece> fromRollups = listedPlan.fromRollups();
        Duration rest = Stream.concat(listedPlan.fromLedger().stream(), listedPlan.takenAway().stream())
                .map(p -> Duration.between(p.from(), p.to()))
                .reduce(Duration.ZERO, Duration::plus);
        if (fromRollups.isEmpty()
                || rest.multipliedBy(10).compareTo(Duration.between(request.from(), request.to())) > 0) {
            return Optional.empty();
        }
        List<Short> grains = new ArrayList<>();
        List<Instant> starts = new ArrayList<>();
        for (Piece piece : fromRollups) {
            for (Instant start = piece.from();
                    start.isBefore(piece.to());
                    start = piece.grain().next(start)) {
                grains.add(piece.grain().code());
                starts.add(start);
            }
        }
        Table<?> buckets = DSL.table(
                        "unnest({0}, {1})",
                        DSL.val(grains.toArray(Short[]::new), SQLDataType.SMALLINT.array()),
                        DSL.val(utc(starts), SQLDataType.TIMESTAMPWITHTIMEZONE.array()))
                .as("buckets", "grain", "bucket_start");
        Field<Short> bucketGrain = DSL.field(DSL.name("buckets", "grain"), SQLDataType.SMALLINT);
        Field<Instant> bucketStart = DSL.field(DSL.name("buckets", "bucket_start"), SQLDataType.INSTANT);
        Field<BigDecimal> column = table.column(metric).coerce(BigDecimal.class);
        Table<?> listed = DSL.lateral(
                        DSL.select(table.column(Dimension.USER).as(Dimension.USER.column()), column.as("value"))
                                .from(table)
                                .where(table.grain.eq(bucketGrain))
                                .and(table.bucketStart.eq(bucketStart))
                                .and(request.slice().of(table::column))
                                // The index's predicate (V12), inlined so that every plan can use it.
                                .and(column.gt(DSL.inline(BigDecimal.ZERO)))
                                .orderBy(column.desc())
                                .limit(DSL.inline(depth)))
                .as("listed");
        Field<UUID> listedUser = listed.field(Dimension.USER.column(), UUID.class);
        Field<BigDecimal> listedValue = listed.field("value", BigDecimal.class);
        WindowDefinition bucket = DSL.name("bucket").as(DSL.partitionBy(bucketGrain, bucketStart));
        CommonTableExpression<Record5<Short, Instant, UUID, BigDecimal, BigDecimal>> lists = DSL.name("lists")
                .as(DSL.select(
                                bucketGrain.as("grain"),
                                bucketStart.as("bucket_start"),
                                listedUser,
                                listedValue,
                                lowest(
                                                DSL.count().over(bucket),
                                                DSL.min(listedValue).over(bucket),
                                                depth)
                                        .as("threshold"))
                        .from(buckets)
                        .crossJoin(listed)
                        .window(bucket));
        Field<UUID> user = lists.field(Dimension.USER.column(), UUID.class);
        Field<BigDecimal> value = lists.field("value", BigDecimal.class);
        Field<BigDecimal> threshold = lists.field("threshold", BigDecimal.class);
        Table<?> thresholds = DSL.select(DSL.max(threshold).as("threshold"))
                .from(lists)
                .groupBy(lists.field("grain"), lists.field("bucket_start"))
                .asTable("thresholds");
        Field<BigDecimal> listsBound = DSL.field(DSL.select(
                                DSL.coalesce(DSL.sum(thresholds.field("threshold", BigDecimal.class)), BigDecimal.ZERO))
                        .from(thresholds))
                .times(DSL.inline(request.slice().statuses().size()));
        Select<Record> restRows = rowPartials(listedPlan);
        // What each listed row has above its list's threshold, which bounds the rows not listed.
        Select<Record2<UUID, BigDecimal>> excesses =
                DSL.select(user, value.minus(threshold).as("excess")).from(lists);
        Field<BigDecimal> bound = listsBound;
        CommonTableExpression<Record2<UUID, BigDecimal>> restList = null;
        if (restRows != null) {
            Table<Record> rows = restRows.asTable("rest_rows");
            Field<BigDecimal> total = DSL.sum(rows.field(metric.column(), BigDecimal.class));
            restList = DSL.name("rest")
                    .as(DSL.select(
                                    rows.field(Dimension.USER.column(), UUID.class)
                                            .as(Dimension.USER.column()),
                                    total.as("value"))
                            .from(rows)
                            .groupBy(rows.field(Dimension.USER.column()))
                            .having(total.gt(BigDecimal.ZERO))
                            .orderBy(DSL.inline(2).desc())
                            .limit(DSL.inline(depth)));
            Field<UUID> restUser = restList.field(Dimension.USER.column(), UUID.class);
            Field<BigDecimal> restValue = restList.field("value", BigDecimal.class);
            excesses = excesses.unionAll(DSL.select(
                            restUser,
                            restValue.minus(lowest(
                                    DSL.count().over(), DSL.min(restValue).over(), depth)))
                    .from(restList));
            bound = bound.plus(DSL.field(
                    DSL.select(lowest(DSL.count(), DSL.min(restValue), depth)).from(restList)));
        }
        Table<?> excess = excesses.asTable("excesses");
        Field<UUID> candidate = excess.field(Dimension.USER.column(), UUID.class);
        Field<BigDecimal> above = DSL.sum(excess.field("excess", BigDecimal.class));
        Table<?> candidates = DSL.select(candidate, above.as("above"))
                .from(excess)
                .groupBy(candidate)
                .asTable("candidates");
        Field<UUID> candidateUser = candidates.field(Dimension.USER.column(), UUID.class);
        Field<BigDecimal> candidateAbove = candidates.field("above", BigDecimal.class);
        readRollups = true;
        return Optional.of((restList == null ? DSL.with(lists) : DSL.with(lists, restList))
                .select(
                        DSL.arrayAgg(candidateUser)
                                .orderBy(candidateAbove.desc(), candidateUser)
                                .as("leaders"),
                        DSL.arrayAgg(candidateAbove)
                                .orderBy(candidateAbove.desc(), candidateUser)
                                .as("above"),
                        bound.as("bound"))
                .from(candidates));
    }

    /**
     * A list's threshold: the last value of a full list, no lower than zero; zero for a list that
     * is not full, which holds every user above zero.
     */
    private static Field<BigDecimal> lowest(Field<Integer> listed, Field<BigDecimal> last, int depth) {
        return DSL.when(listed.lt(depth), BigDecimal.ZERO).otherwise(DSL.greatest(last, DSL.inline(BigDecimal.ZERO)));
    }

    /**
     * Whether the rows outside the range can be taken away from sums that hold them: every metric
     * is a sum, or a first or last request that {@link #looksUpRequestTimes} allows, and the count
     * tells a key whose rows all lay outside the range, which the ledger alone would not list.
     */
    private boolean subtractable(SumsRequest request) {
        return request.metrics().contains(Metric.REQUESTS)
                && request.metrics().stream()
                        .allMatch(metric -> metric.subtractable()
                                || (REQUEST_TIMES.contains(metric) && looksUpRequestTimes(request)));
    }

    /**
     * Whether a first or last request time that a bucket read whole places outside the range may be
     * looked up again in the ledger per key ({@link #requestTime}): for a few named users, one
     * probe of the ledger's {@code (user_id, created_at)} index each. That lets the user breakdown's
     * page over its leaders read the range's first day whole and take two hours away where it read
     * 22 hours of the listed users' rows (at 100M rows, about 150,000 rows for a page of 50). Over
     * every user the probes would be as many as the users active at both ends of the stretch; on
     * Citus a correlated subquery of the distributed ledger is refused.
     */
    private boolean looksUpRequestTimes(SumsRequest request) {
        return !citus
                && request.keys().equals(List.of(Dimension.USER))
                && request.slice().users() != null;
    }

    /** The boundaries with the last one moved to {@code end}. */
    private static List<Instant> endingAt(List<Instant> boundaries, Instant end) {
        List<Instant> moved = new ArrayList<>(boundaries);
        moved.set(moved.size() - 1, end);
        return moved;
    }

    /**
     * Refuses a request whose ledger pieces reach before the retention boundary: their raw rows
     * were dropped, and summing what is left would be a silent partial answer.
     */
    private void requireRetained(List<Piece> pieces, SumsRequest request) {
        if (retainedFrom == null) {
            return;
        }
        for (Piece piece : pieces) {
            if (piece.grain() == null && piece.from().isBefore(retainedFrom)) {
                throw new AnalyticsException("Summing [" + request.from() + ", " + request.to()
                        + ") needs the ledger's "
                        + "rows of [" + piece.from() + ", " + piece.to() + "), and retention dropped every row before "
                        + retainedFrom + "; before it the rollups alone answer, "
                        + (pending == null
                                ? "and they are not read here (the rollups are not built, or raw reads were asked for)"
                                : "in whole rollup buckets (UTC hours for totals, trends and the cost distribution, days for the user breakdown): "
                                        + "choose a range that starts on one, or at " + retainedFrom + " or later")
                        + " (docs/partitioning.md)");
            }
        }
    }

    /**
     * The one-pass ledger scan. Two buckets, a period and the one before it, are grouped by whether
     * a row lies in the later one and numbered around that: the planner knows a comparison has two
     * values and aggregates in parallel workers, where for a bucket number computed by {@code
     * width_bucket} or {@code CASE} it expects as many groups as rows and aggregates in one process
     * (a year and the year before at 1M rows: 319–335 ms against 505–728 ms, docs/queries.md).
     */
    private static Table<Record> ledgerScan(SumsRequest request) {
        boolean twoBuckets = request.boundaries().size() == 3;
        List<Field<?>> columns = new ArrayList<>();
        columns.add(
                twoBuckets
                        ? DSL.field(TOKEN_USAGE_LEDGER.CREATED_AT.ge(
                                        request.boundaries().get(1)))
                                .as("later")
                        : bucketOf(request.boundaries(), TOKEN_USAGE_LEDGER.CREATED_AT)
                                .as(BUCKET));
        columns.addAll(columns(request, LedgerRows.LEDGER, false));
        Table<Record> sums = DSL.select(columns)
                .from(TOKEN_USAGE_LEDGER)
                .where(request.slice().ofLedger(request.from(), request.to()))
                // By position: the bucket's array and the cost bucket's bounds are bind values and
                // subqueries, which a repeated expression would bind and run twice.
                .groupBy(positions(1 + request.keys().size()))
                .asTable(twoBuckets ? "halves" : "sums");
        if (!twoBuckets) {
            return sums;
        }
        List<Field<?>> numbered = new ArrayList<>();
        numbered.add(DSL.when(sums.field("later", Boolean.class), DSL.inline(2))
                .otherwise(DSL.inline(1))
                .as(BUCKET));
        Arrays.stream(sums.fields()).skip(1).forEach(numbered::add);
        return DSL.select(numbered).from(sums).asTable("sums");
    }

    /**
     * The bucket number of a row starting at {@code start}: {@code width_bucket} over the bucket
     * starts, a binary search. The
     * starts are a scalar subquery, evaluated once per statement: as a plain bind value, the cast of
     * text to {@code timestamptz[]} is only STABLE (it reads the session's TimeZone), so PostgreSQL
     * does not fold it, and every row parsed every boundary again (a year of daily buckets over
     * 100,000 rows took 12.7 s instead of milliseconds).
     */
    private static Field<Integer> bucketOf(List<Instant> boundaries, Field<Instant> start) {
        if (boundaries.size() == 2) {
            return DSL.inline(1);
        }
        OffsetDateTime[] starts = utc(boundaries.subList(0, boundaries.size() - 1));
        return DSL.function(
                "width_bucket",
                SQLDataType.INTEGER,
                start,
                DSL.field(DSL.select(DSL.val(starts, SQLDataType.TIMESTAMPWITHTIMEZONE.array()))));
    }

    /**
     * The rows of the rollup table in runs of clean pieces ({@link Cover#runs}) for a request of
     * one bucket, or of more than {@value #CONSTANT_PIECES} runs, such as a range cut by many
     * quarter hours that changes left stale ({@link #rollupRowsOneByOne} says why). Each row's
     * bucket is numbered from its start as the ledger scan numbers a row's ({@link #bucketOf}): a
     * row of a clean piece lies within one bucket.
     *
     * <p>Each run is read in a LATERAL subquery, fenced by OFFSET 0 so that PostgreSQL cannot
     * flatten it into a join: each run becomes one range scan of the table's primary key.
     * Flattened, the planner hashed the pieces and filtered a scan of the whole table against them
     * (a year's trend at 1M rows: 318 ms against 10 ms). The planner does not know the runs'
     * bounds, so neither how many rows they hold.
     */
    private static Select<Record> rollupRows(SumsRequest request, RollupTable table, List<Piece> runs) {
        String run = "rollup_runs";
        List<Field<?>> columns = new ArrayList<>();
        columns.add(table.bucketStart.as("bucket_start"));
        request.keys().forEach(key -> columns.add(table.column(key).as(key.column())));
        request.metrics().forEach(metric -> columns.add(table.column(metric).as(metric.column())));
        Table<Record> rows = DSL.lateral(DSL.select(columns)
                        .from(table)
                        .where(table.grain.eq(DSL.field(DSL.name(run, "grain"), SQLDataType.SMALLINT)))
                        .and(table.bucketStart.ge(pieceBound(run, "from_at")))
                        .and(table.bucketStart.lt(pieceBound(run, "to_at")))
                        .and(request.slice().of(table::column))
                        .offset(DSL.inline(0)))
                .as("rollup_rows");
        List<Field<?>> numbered = new ArrayList<>();
        numbered.add(bucketOf(request.boundaries(), rows.field("bucket_start", Instant.class))
                .as(BUCKET));
        Arrays.stream(rows.fields()).skip(1).forEach(numbered::add);
        return DSL.select(numbered).from(runTable(runs, run)).crossJoin(rows);
    }

    /** The runs as a set-returning function in FROM, so that each array is bound and parsed once. */
    private static Table<?> runTable(List<Piece> runs, String alias) {
        Field<Short[]> grains =
                DSL.val(runs.stream().map(p -> p.grain().code()).toArray(Short[]::new), SQLDataType.SMALLINT.array());
        return DSL.table("unnest({0}, {1}, {2})", grains, froms(runs), tos(runs))
                .as(alias, "grain", "from_at", "to_at");
    }

    /**
     * The partial sums of rows in the pieces: of the ledger's for the pieces no rollup answers, of
     * the writers' copies ({@link NewRows}) for the inserts a refresh has yet to add to the rollup
     * pieces. Aggregated per piece inside the LATERAL: one range scan each.
     */
    private static Select<Record> rowSums(
            SumsRequest request,
            List<Piece> pieces,
            Table<?> table,
            LedgerRows rows,
            Condition slice,
            boolean takenAway,
            String name) {
        String piece = name + "_pieces";
        Field<Instant> createdAt = rows.column(TOKEN_USAGE_LEDGER.CREATED_AT);
        Table<Record> sums = DSL.lateral(DSL.select(columns(request, rows, takenAway))
                        .from(table)
                        .where(createdAt.ge(pieceBound(piece, "from_at")))
                        .and(createdAt.lt(pieceBound(piece, "to_at")))
                        .and(slice)
                        .groupBy(positions(request.keys().size())))
                .as(name + "_rows");
        return DSL.select(withBucket(piece, sums))
                .from(pieceTable(pieces, piece))
                .crossJoin(sums);
    }

    /**
     * The partial sums of the ledger's rows in the pieces. Up to {@value #CONSTANT_PIECES} pieces
     * (a range's two edges, the rows after its end, a few changed quarter hours) are each summed by
     * a statement of their own with the piece's bounds written in, so the planner knows every
     * range: it prunes the partitions while planning and compares the status as the enum it is on
     * the index ({@link dev.ledgeranalytics.internal.Slice#ofLedger}). A day's user breakdown with
     * an 18-hour edge at 10M rows: planning 2.1 against 0.6 ms, execution 38 against 32 ms
     * (docs/queries.md). More pieces are read in one statement however many: as {@link #rowSums}
     * reads them on one server, as {@link #rowSumsJoined} does on Citus.
     */
    private static Select<Record> ledgerSums(
            SumsRequest request, List<Piece> pieces, boolean takenAway, String name, boolean citus) {
        if (!citus && pieces.size() > CONSTANT_PIECES) {
            return rowSums(
                    request,
                    pieces,
                    TOKEN_USAGE_LEDGER,
                    LedgerRows.LEDGER,
                    request.slice().ofLedgerRows(),
                    takenAway,
                    name);
        }
        if (pieces.size() > CONSTANT_PIECES) {
            return rowSumsJoined(
                    request,
                    pieces,
                    TOKEN_USAGE_LEDGER,
                    LedgerRows.LEDGER,
                    request.slice().of(d -> d.of(LedgerRows.LEDGER)),
                    takenAway,
                    name);
        }
        return rowSumsOneByOne(
                request,
                pieces,
                TOKEN_USAGE_LEDGER,
                LedgerRows.LEDGER,
                piece -> request.slice().ofLedger(piece.from(), piece.to()),
                takenAway,
                name);
    }

    /**
     * On Citus, the partial sums of rows in many pieces: the pieces' bounds joined to the table,
     * which Citus runs on every shard, where a statement per piece would be a distributed
     * statement per piece (a task per piece and shard) and a LATERAL subquery per piece is refused.
     * The sums are grouped by each piece's start and numbered into buckets from it afterwards, on
     * the coordinator, as rollup rows are ({@link #bucketOf}): Citus 13 reads back the columns of a
     * multi-array {@code unnest} of mixed types with the wrong types ("attribute 2 of type record
     * has wrong type"), so the piece list holds the two bounds alone.
     */
    private static Select<Record> rowSumsJoined(
            SumsRequest request,
            List<Piece> pieces,
            Table<?> table,
            LedgerRows rows,
            Condition slice,
            boolean takenAway,
            String name) {
        String alias = name + "_pieces";
        Table<?> list =
                DSL.table("unnest({0}, {1})", froms(pieces), tos(pieces)).as(alias, "from_at", "to_at");
        Field<Instant> createdAt = rows.column(TOKEN_USAGE_LEDGER.CREATED_AT);
        List<Field<?>> columns = new ArrayList<>();
        columns.add(pieceBound(alias, "from_at").as("piece_from"));
        columns.addAll(columns(request, rows, takenAway));
        Table<Record> sums = DSL.select(columns)
                .from(list)
                .join(table)
                .on(createdAt.ge(pieceBound(alias, "from_at")))
                .and(createdAt.lt(pieceBound(alias, "to_at")))
                .where(slice)
                .groupBy(positions(1 + request.keys().size()))
                .asTable(name + "_sums");
        List<Field<?>> numbered = new ArrayList<>();
        numbered.add(bucketOf(request.boundaries(), sums.field("piece_from", Instant.class))
                .as(BUCKET));
        Arrays.stream(sums.fields()).skip(1).forEach(numbered::add);
        return DSL.select(numbered).from(sums);
    }

    /** The partial sums of rows in the pieces, one aggregate per piece with its bounds written in ({@code rows}). */
    private static Select<Record> rowSumsOneByOne(
            SumsRequest request,
            List<Piece> pieces,
            Table<?> table,
            LedgerRows rows,
            Function<Piece, Condition> inPiece,
            boolean takenAway,
            String name) {
        Select<Record> sums = null;
        for (int i = 0; i < pieces.size(); i++) {
            Piece piece = pieces.get(i);
            SelectConditionStep<Record> pieceRows =
                    DSL.select(columns(request, rows, takenAway)).from(table).where(inPiece.apply(piece));
            // Without keys, a plain aggregate: one row, as GROUP BY () gives, in a form every server takes.
            Table<Record> piecesSums = (request.keys().isEmpty()
                            ? pieceRows
                            : pieceRows.groupBy(positions(request.keys().size())))
                    .asTable(name + "_rows_" + (i + 1));
            List<Field<?>> columns = new ArrayList<>();
            columns.add(DSL.inline(piece.bucket()).as(BUCKET));
            columns.addAll(Arrays.asList(piecesSums.fields()));
            Select<Record> one = DSL.select(columns).from(piecesSums);
            sums = sums == null ? one : sums.unionAll(one);
        }
        return sums;
    }

    /**
     * The rows of the rollup table in runs of clean pieces: pieces of one grain that follow one
     * another are read as one run, whatever buckets they belong to, and each row's bucket numbered
     * from its start ({@link #bucketOf}). A year's trend by New York days is then one range scan of
     * hourly rows, not one per day (at 10M rows: 9.1 against 4.9 ms p50).
     *
     * <p>Each run is read by a statement of its own with its grain and bounds written in as
     * literals, so that the planner counts each run's rows, however the statement is prepared.
     * Where the rows are numbered into more than one bucket, knowing their count it sums them per
     * bucket by hashing: the year's trend reads 8,759 hourly rows into 366 days, which it sorted
     * first when the runs' bounds were bound per row of an {@code unnest} (estimated at 146 rows),
     * a choice between plans it costed within 1 % of each other: 8.7–11.0 against 4.3–4.7 ms of
     * execution at 10M rows (docs/benchmarks.md). A request of one bucket (the cost distribution,
     * the user breakdown) groups by its keys alone, and there the constant bounds gave the cost
     * histogram a parallel plan and the user page another that were slower: those, and reads of
     * more than {@value #CONSTANT_PIECES} runs, whose statement would grow with them, are read by
     * {@link #rollupRows}. Not on Citus, where every run is read so: Citus cannot push that LATERAL
     * form down over a distributed table ({@code rollup_users}), and over a reference table beside
     * distributed pieces it reads the runs' multi-array {@code unnest} back with the wrong types
     * ({@link #rowSumsJoined}).
     */
    private static Select<Record> rollupRowsOneByOne(SumsRequest request, RollupTable table, List<Piece> runs) {
        Select<Record> rows = null;
        for (Piece run : runs) {
            List<Field<?>> columns = new ArrayList<>();
            columns.add(bucketOf(request.boundaries(), table.bucketStart).as(BUCKET));
            request.keys().forEach(key -> columns.add(table.column(key).as(key.column())));
            request.metrics().forEach(metric -> columns.add(table.column(metric).as(metric.column())));
            Select<Record> one = DSL.select(columns)
                    .from(table)
                    .where(table.grain.eq(DSL.inline(run.grain().code())))
                    .and(table.bucketStart.ge(DSL.inline(run.from())))
                    .and(table.bucketStart.lt(DSL.inline(run.to())))
                    .and(request.slice().of(table::column));
            rows = rows == null ? one : rows.unionAll(one);
        }
        return rows;
    }

    /**
     * The keys, then the metrics over {@code rows}, or taken away over them; rows taken away hold
     * no first or last request of the range, which lies outside them.
     */
    private static List<Field<?>> columns(SumsRequest request, LedgerRows rows, boolean takenAway) {
        List<Field<?>> columns = new ArrayList<>();
        request.keys().forEach(key -> columns.add(key.of(rows).as(key.column())));
        for (Metric metric : request.metrics()) {
            Field<?> value = !takenAway
                    ? metric.ofRows(rows)
                    : metric.subtractable() ? metric.takenAwayOver(rows) : DSL.castNull(metric.type());
            columns.add(value.as(metric.column()));
        }
        return columns;
    }

    /**
     * The partial sums combined per bucket and key. Where the plan read the range's first bucket
     * whole, a first request before the range's start is one of the rows taken away again: the
     * key's first request in the range is then looked up in the ledger, in the first bucket's part
     * of the range and on from there; likewise a last request at or after its end, read with the
     * last bucket whole ({@link #looksUpRequestTimes}).
     */
    private static Table<Record> combined(SumsRequest request, Plan plan, Table<Record> partials) {
        Function<String, Field<?>> column = partials::field;
        List<Field<?>> groups = new ArrayList<>();
        groups.add(column.apply(BUCKET));
        request.keys().forEach(key -> groups.add(column.apply(key.column())));
        List<Field<?>> columns = new ArrayList<>(groups);
        Field<Integer> bucket = column.apply(BUCKET).coerce(Integer.class);
        int lastBucket = request.boundaries().size() - 1;
        for (Metric metric : request.metrics()) {
            Field<?> combined = metric.combined(column.apply(metric.column()));
            if (metric == Metric.FIRST_AT && plan.earlier() != null) {
                combined = requestTime(request, column, combined.coerce(Instant.class), bucket.eq(1), true);
            } else if (metric == Metric.LAST_AT && plan.later() != null) {
                combined = requestTime(request, column, combined.coerce(Instant.class), bucket.eq(lastBucket), false);
            }
            columns.add(combined.as(metric.column()));
        }
        Condition anyRequest = !plan.takenAway().isEmpty()
                ? DSL.sum(column.apply(Metric.REQUESTS.column()).coerce(Long.class))
                        .ne(BigDecimal.ZERO)
                : DSL.noCondition();
        return DSL.select(columns)
                .from(partials)
                .groupBy(groups)
                .having(anyRequest)
                .asTable("sums");
    }

    /**
     * A key's first ({@code first}) or last request in the range where the combined value, from a
     * bucket read whole, may lie outside it: in the range's first bucket, a first request before
     * {@code from}; in its last, a last request at or after {@code to}. Then the ledger's earliest
     * (latest) row of the key in the range is read, by the index on {@code (user_id, created_at)}
     * in the range's order, which stops at the first row of the slice. The ledger keeps those rows:
     * a stretch is taken away only where its rows are retained, and the range lies after it.
     */
    private static Field<Instant> requestTime(
            SumsRequest request,
            Function<String, Field<?>> column,
            Field<Instant> combined,
            Condition inEdgeBucket,
            boolean first) {
        Field<UUID> user = column.apply(Dimension.USER.column()).coerce(UUID.class);
        Field<Instant> createdAt = TOKEN_USAGE_LEDGER.CREATED_AT;
        Field<Instant> inLedger = DSL.field(DSL.select(createdAt)
                .from(TOKEN_USAGE_LEDGER)
                .where(TOKEN_USAGE_LEDGER.USER_ID.eq(user))
                .and(request.slice().ofLedger(request.from(), request.to()))
                .orderBy(first ? createdAt.asc() : createdAt.desc())
                .limit(DSL.inline(1)));
        Condition outside = first ? combined.lt(request.from()) : combined.ge(request.to());
        return DSL.when(inEdgeBucket.and(outside), inLedger).otherwise(combined);
    }

    private static List<Field<?>> withBucket(String piece, Table<Record> rows) {
        List<Field<?>> columns = new ArrayList<>();
        columns.add(DSL.field(DSL.name(piece, BUCKET), SQLDataType.INTEGER).as(BUCKET));
        columns.addAll(Arrays.asList(rows.fields()));
        return columns;
    }

    private static Field<Instant> pieceBound(String piece, String column) {
        return DSL.field(DSL.name(piece, column), SQLDataType.INSTANT);
    }

    /** The pieces as a set-returning function in FROM, so that each array is bound and parsed once. */
    private static Table<?> pieceTable(List<Piece> pieces, String alias) {
        Field<Integer[]> buckets =
                DSL.val(pieces.stream().map(Piece::bucket).toArray(Integer[]::new), SQLDataType.INTEGER.array());
        return DSL.table("unnest({0}, {1}, {2})", froms(pieces), tos(pieces), buckets)
                .as(alias, "from_at", "to_at", BUCKET);
    }

    private static Field<OffsetDateTime[]> froms(List<Piece> pieces) {
        return DSL.val(utc(pieces.stream().map(Piece::from).toList()), SQLDataType.TIMESTAMPWITHTIMEZONE.array());
    }

    private static Field<OffsetDateTime[]> tos(List<Piece> pieces) {
        return DSL.val(utc(pieces.stream().map(Piece::to).toList()), SQLDataType.TIMESTAMPWITHTIMEZONE.array());
    }

    /** Positions 1 to {@code n} of the select list, to group by. */
    private static List<Field<Integer>> positions(int n) {
        List<Field<Integer>> positions = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            positions.add(DSL.inline(i));
        }
        return positions;
    }

    private static OffsetDateTime[] utc(List<Instant> instants) {
        return instants.stream().map(i -> i.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    }
}
