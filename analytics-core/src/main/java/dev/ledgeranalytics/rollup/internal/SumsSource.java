package dev.ledgeranalytics.rollup.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.TreeSet;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;

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

    /** Sums of the ledger's rows alone. */
    static SumsSource ledger() {
        return new CoverSums(null);
    }

    /**
     * The rollups as of the snapshot of {@code tx}, for statements reading {@code [from, to)}:
     * which quarter hours of that range hold writes no refresh has applied (they are read from
     * the ledger); the ledger alone while the rollups have not been built.
     */
    static SumsSource of(DSLContext tx, Instant from, Instant to) {
        StateTable state = StateTable.TABLE;
        ChangeLog changes = ChangeLog.TABLE;
        Record2<Instant, Instant[]> row = tx.select(
                        state.builtAt,
                        DSL.array(DSL.selectDistinct(changes.quarterHour)
                                .from(changes)
                                .where(changes.quarterHour.ge(Grain.QUARTER_HOUR.floor(from)))
                                .and(changes.quarterHour.lt(to))))
                .from(state)
                .fetchOne();
        if (row == null || row.value1() == null) {
            return ledger();
        }
        return new CoverSums(new TreeSet<>(Arrays.asList(row.value2())));
    }
}
