package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.schema.Analytics;
import java.time.Instant;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/** Table {@code rollup_state}, one row: whether the rollups are built, when, and how writes reach them. */
final class StateTable extends TableImpl<Record> {

    private static final long serialVersionUID = 1L;

    static final StateTable TABLE = new StateTable();

    /** When the rollups were last built from the whole ledger; {@code null} until then, and queries read the ledger. */
    final Field<Instant> builtAt = createField(DSL.name("built_at"), SQLDataType.INSTANT);

    /** The {@link RollupTable#LAYOUT} the last build filled the tables in. */
    final Field<String> layout = createField(DSL.name("layout"), SQLDataType.VARCHAR);

    /** When the last refresh or build committed. */
    final Field<Instant> refreshedAt = createField(DSL.name("refreshed_at"), SQLDataType.INSTANT);

    /**
     * The first instant whose raw rows retention kept, or {@code null} while it dropped none:
     * before it, the rollups alone answer.
     */
    final Field<Instant> retainedFrom = createField(DSL.name("retained_from"), SQLDataType.INSTANT);

    /** {@code refresh} or {@code trigger}, see {@code RollupMode}. */
    final Field<String> mode = createField(DSL.name("mode"), SQLDataType.VARCHAR);

    /**
     * When rollups of this library's layout were built, or {@code null}: rollups of another layout
     * (built by a library that kept other grains) may lack the buckets this one reads, so they
     * count as not built until a refresh builds them again.
     */
    Field<Instant> builtAtInThisLayout() {
        return DSL.when(layout.eq(DSL.inline(RollupTable.LAYOUT)), builtAt);
    }

    private StateTable() {
        super(DSL.name("rollup_state"), Analytics.ANALYTICS);
    }
}
