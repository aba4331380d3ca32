package dev.ledgeranalytics.rollup.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.TreeSet;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record3;
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

    /** Whether any sums this source returned were read from the rollups. */
    boolean readRollups();

    /**
     * The source for a query's statements reading {@code [from, to)}, in the snapshot of {@code
     * tx}: the rollups as they stand (which quarter hours of that range hold writes no refresh has
     * applied; those are read from the ledger), or the ledger alone while the rollups have not been
     * built or when {@code rollups} is false. Either way the retention boundary is read, so that
     * nothing is ever summed from a range whose raw rows were dropped.
     */
    static SumsSource of(DSLContext tx, Instant from, Instant to, boolean rollups) {
        StateTable state = StateTable.TABLE;
        ChangeLog changes = ChangeLog.TABLE;
        Field<Instant[]> changed = rollups
                ? DSL.array(DSL.selectDistinct(changes.quarterHour)
                        .from(changes)
                        .where(changes.quarterHour.ge(Grain.QUARTER_HOUR.floor(from)))
                        .and(changes.quarterHour.lt(to)))
                : DSL.castNull(SQLDataType.INSTANT.array());
        Record3<Instant, Instant, Instant[]> row = tx.select(state.builtAt, state.retainedFrom, changed)
                .from(state)
                .fetchOne();
        if (row == null) {
            return new CoverSums(null, null);
        }
        if (!rollups || row.value1() == null) {
            return new CoverSums(null, row.value2());
        }
        return new CoverSums(new TreeSet<>(Arrays.asList(row.value3())), row.value2());
    }
}
