package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * On Citus, what keeps a query through the rollups from seeing a refresh half-way. Citus commits a
 * refresh on the coordinator and then on each worker, and a query has no snapshot across nodes:
 * one that read the refreshed rollups on the coordinator and a worker's change log and copies of
 * new rows before the refresh deleted them there would count those rows twice. So such a query
 * holds this lock shared from its first statement to its end, and a refresh takes it alone just
 * before it commits, waiting for the queries under way and keeping new ones waiting until its
 * commit is done on every node. On one server a transaction is seen whole, and neither side takes
 * it.
 *
 * <p>An advisory lock of the coordinator, keyed by a constant for this purpose and the ledger's
 * OID, which both sides find from the schema their statements are rendered into.
 */
final class RollupReadLock {

    /** The first half of the key: "LARR", for the library's rollup reads. */
    private static final int PURPOSE = 0x4c415252;

    private RollupReadLock() {}

    /** Takes the lock shared until the end of {@code tx}'s transaction: a query's side. */
    static void share(DSLContext tx) {
        tx.select(DSL.function("pg_advisory_xact_lock_shared", Object.class, DSL.inline(PURPOSE), ledger(tx)))
                .fetch();
    }

    /** Takes the lock alone until the end of {@code tx}'s transaction: a refresh's side. */
    static void takeAlone(DSLContext tx) {
        tx.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.inline(PURPOSE), ledger(tx)))
                .fetch();
    }

    private static Field<Integer> ledger(DSLContext tx) {
        return DSL.field(
                "cast(cast(cast({0} as regclass) as oid) as integer)",
                SQLDataType.INTEGER, DSL.inline(tx.render(TOKEN_USAGE_LEDGER)));
    }
}
