package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.schema.Analytics;
import java.time.Instant;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * Table {@code rollup_changes}: the quarter hours holding writes no refresh has applied yet.
 * Append-only for writers, so that concurrent writers never conflict here; a refresh deletes
 * exactly the entries its snapshot saw, and queries read those quarter hours from the ledger.
 * Entries of inserts alone come with their rows in {@link NewRows}, which a refresh adds; the
 * others' quarter hours are summed again from the ledger.
 */
final class ChangeLog extends TableImpl<Record> {

    private static final long serialVersionUID = 1L;

    static final ChangeLog TABLE = new ChangeLog();

    final Field<Instant> quarterHour = createField(DSL.name("quarter_hour"), SQLDataType.INSTANT);

    /** When the write was recorded: the start of the writer's transaction. */
    final Field<Instant> recordedAt = createField(DSL.name("recorded_at"), SQLDataType.INSTANT);

    /** Whether the quarter hour must be summed again from the ledger: the write was not an insert alone. */
    final Field<Boolean> recompute = createField(DSL.name("recompute"), SQLDataType.BOOLEAN);

    private ChangeLog() {
        super(DSL.name("rollup_changes"), Analytics.ANALYTICS);
    }
}
