package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.Metric;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Record3;
import org.jooq.Record8;
import org.jooq.ResultQuery;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Where a query's sums come from: the one seam between the queries and the rollups. A query
 * states what it sums ({@link SumsRequest}) and reads the answer ({@link Sums}) inside its own
 * statement; the source decides how: from the ledger's rows alone, or from whole clean rollup
 * buckets and the ledger's rows for the rest (see {@link CoverSums}). One source serves one call
 * of one query, in its transaction.
 */
public interface SumsSource {

    /** The sums of {@code request}, as a derived table for the query's statement. */
    Sums sums(SumsRequest request);

    /**
     * A statement returning users among whom the highest sums of {@code metric} over {@code
     * request}'s range surely are, and a bound: every user it does not name has a sum of at most
     * the bound. A query that needs only the top of a ranking sums those users alone, and where its
     * last needed user's sum is above the bound, no other user can rank before it. Each named user
     * comes with how far above the bound its own sum can be at most, and they are named from the
     * highest such bound down: a query can sum the first ones alone, the others then bounded by the
     * next one's. Empty where this source cannot tell cheaply (see {@code CoverSums}); each bucket's
     * list then holds {@code depth} users.
     */
    default Optional<ResultQuery<Record3<UUID[], BigDecimal[], BigDecimal>>> leaders(
            SumsRequest request, Metric metric, int depth) {
        return Optional.empty();
    }

    /** Whether any sums this source returned were read from the rollups. */
    boolean readRollups();

    /**
     * The source for a query's statements reading {@code [from, to)}, in the snapshot of {@code
     * tx}: the rollups as they stand, or the ledger alone while the rollups have not been built or
     * when {@code rollups} is false. Either way the retention boundary is read, so that nothing is
     * ever summed from a range whose raw rows were dropped.
     *
     * <p>Through the rollups, the same statement reads what the change log says of that range: the
     * quarter hours that updates or deletes touched since the last refresh, which only the ledger
     * can answer, and those that inserts alone touched, whose new rows the writers copied beside
     * the rollups ({@link NewRows}). It also reads the first ledger row from {@code to} to the end
     * of its day: a range that ends "now" ends inside the quarter hour, hour and day being written,
     * which the rollups can answer whole while no row lies beyond {@code to} in them.
     *
     * <p>Over a ledger distributed by Citus ({@code server} tells once a call has found it) the call
     * first takes {@link RollupReadLock}, and reads the rollups with statements Citus can run
     * ({@link CoverSums}); a call that finds the ledger distributed without having taken it reads the
     * ledger alone.
     */
    static SumsSource of(DSLContext tx, Instant from, Instant to, boolean rollups, ServerKind server) {
        StateTable state = StateTable.TABLE;
        if (!rollups) {
            Record1<Instant> row = tx.select(state.retainedFrom).from(state).fetchOne();
            return new CoverSums(null, row == null ? null : row.value1(), false);
        }
        boolean locked = server.distributed();
        boolean knownCitus = server.citus();
        if (locked) {
            RollupReadLock.share(tx);
        }
        Instant endOfDay = Grain.DAY.ceiling(to);
        Field<Instant> nextRow = DSL.field(DSL.select(DSL.min(TOKEN_USAGE_LEDGER.CREATED_AT))
                .from(TOKEN_USAGE_LEDGER)
                .where(TOKEN_USAGE_LEDGER.CREATED_AT.ge(to))
                .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(endOfDay)));
        // One scan of the change log's entries for the range, split by kind.
        ChangeLog changes = ChangeLog.TABLE;
        Table<?> changed = DSL.select(
                        DSL.arrayAggDistinct(changes.quarterHour)
                                .filterWhere(changes.recompute)
                                .as("recomputed"),
                        DSL.arrayAggDistinct(changes.quarterHour)
                                .filterWhere(DSL.not(changes.recompute))
                                .as("inserted"))
                .from(changes)
                // From the start of the first day: its rows before the range may be taken away
                // from the day's rollups (Pending#earlier), which must then be clean or copied.
                .where(changes.quarterHour.ge(Grain.DAY.floor(from)))
                .and(changes.quarterHour.lt(endOfDay))
                .asTable("changed");
        Field<Instant[]> recomputed = changed.field("recomputed", SQLDataType.INSTANT.array());
        Field<Instant[]> inserted = changed.field("inserted", SQLDataType.INSTANT.array());
        Record8<Instant, Instant, Instant[], Instant[], Instant, String, Instant, Boolean> row = tx.select(
                        state.builtAtInThisLayout(),
                        state.retainedFrom,
                        recomputed,
                        inserted,
                        nextRow,
                        DSL.function("current_setting", String.class, DSL.inline("transaction_isolation")),
                        DSL.field("transaction_timestamp()", SQLDataType.INSTANT),
                        knownCitus ? ledgerDistributed(tx) : citusInstalled())
                .from(state)
                .crossJoin(changed)
                .fetchOne();
        if (row == null) {
            return new CoverSums(null, null, false);
        }
        boolean distributed = knownCitus && row.value8();
        if (!knownCitus && row.value8()) {
            // Only now may a statement name Citus' catalog: it exists on no other server.
            server.foundCitus();
            distributed = tx.select(ledgerDistributed(tx)).fetchSingle().value1();
        }
        server.foundLedger(distributed);
        if (row.value1() == null || (distributed && !locked)) {
            return new CoverSums(null, row.value2(), distributed);
        }
        // Under READ COMMITTED the statements that follow see a later snapshot: it may hold rows
        // after the range that this one did not, and rows changed in quarter hours this one saw as
        // clean, whose rollups would then disagree with the ledger rows taken away from them. So
        // nothing is read past the range's end there.
        boolean oneSnapshot = !"read committed".equals(row.value6());
        Instant emptyUntil = !oneSnapshot ? to : row.value5() == null ? endOfDay : row.value5();
        return new CoverSums(
                new Pending(
                        sorted(row.value3()), sorted(row.value4()), to, emptyUntil, oneSnapshot ? row.value7() : null),
                row.value2(),
                distributed);
    }

    private static Field<Boolean> citusInstalled() {
        return DSL.field("EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')", SQLDataType.BOOLEAN);
    }

    /** Whether the ledger of the schema {@code tx} renders into is distributed; names Citus' catalog. */
    private static Field<Boolean> ledgerDistributed(DSLContext tx) {
        return DSL.field(
                "EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = cast({0} as regclass))",
                SQLDataType.BOOLEAN, DSL.inline(tx.render(TOKEN_USAGE_LEDGER)));
    }

    /** The instants of an {@code array_agg}, which is {@code NULL} over no row. */
    private static NavigableSet<Instant> sorted(Instant[] instants) {
        return instants == null ? new TreeSet<>() : new TreeSet<>(Arrays.asList(instants));
    }
}
