package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.AnalyticsException;
import java.time.Instant;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Internal API. The retention boundary recorded in {@code rollup_state}: the first instant whose
 * raw rows retention kept. What needs raw rows from before it is refused, never answered in part.
 */
public final class RetentionBoundary {

    private RetentionBoundary() {}

    /** The boundary in the snapshot of {@code tx}, or {@code null} while retention dropped nothing. */
    public static Instant of(DSLContext tx) {
        StateTable state = StateTable.TABLE;
        return tx.select(state.retainedFrom)
                .from(state)
                .fetchOptional(state.retainedFrom)
                .orElse(null);
    }

    /**
     * The boundary, or {@code null} also when the schema does not record one yet (its migrations
     * are behind): for reports on schemas in any state.
     */
    public static Instant ifRecorded(DSLContext tx, String schema) {
        boolean recorded = tx.fetchSingle(
                        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({0}) AND attname = {1})",
                        DSL.val(DSL.name(schema, StateTable.TABLE.getName()).toString()),
                        DSL.val(StateTable.TABLE.retainedFrom.getName()))
                .get(0, Boolean.class);
        return recorded ? of(tx) : null;
    }

    /** Refuses {@code what} when it needs raw rows from {@code from} on, and retention dropped some of those. */
    public static void requireRawRows(DSLContext tx, Instant from, String what) {
        Instant boundary = of(tx);
        if (boundary != null && from.isBefore(boundary)) {
            throw new AnalyticsException(
                    what + " from " + from + " needs raw rows that retention dropped: only rows from " + boundary
                            + " on are kept (docs/partitioning.md)");
        }
    }
}
