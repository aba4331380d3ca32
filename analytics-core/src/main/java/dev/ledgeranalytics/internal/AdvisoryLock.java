package dev.ledgeranalytics.internal;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. A PostgreSQL advisory lock of one schema, for one purpose: {@link #ROLLUPS}
 * (refreshes, builds and trigger-mode writers), {@link #TRIGGERS} (installing the ledger's
 * triggers) or {@link #PARTITIONS} (creating, converting and dropping partitions). Every instance
 * of every host takes the same key for the same schema and purpose.
 *
 * @param purpose what the lock serialises
 * @param schema  the ledger's schema, a checked identifier
 */
public record AdvisoryLock(String purpose, String schema) {

    public static final String ROLLUPS = "rollups";
    public static final String TRIGGERS = "triggers";
    public static final String PARTITIONS = "partitions";

    /** The lock's 64-bit key, as an SQL expression (inlined: the trigger functions embed it). */
    public Field<Long> key() {
        return DSL.function(
                "hashtextextended",
                SQLDataType.BIGINT,
                DSL.inline("ledger-analytics " + purpose + " " + schema),
                DSL.inline(0));
    }

    /** Takes the lock until the end of the transaction of {@code tx}, waiting for it. */
    public void lockForTransaction(DSLContext tx) {
        tx.select(DSL.function("pg_advisory_xact_lock", Object.class, key())).fetch();
    }

    /** Takes the lock for the session of {@code connection}, waiting for it. */
    public void lockForSession(DSLContext connection) {
        connection.select(DSL.function("pg_advisory_lock", Object.class, key())).fetch();
    }

    /** Takes the lock for the session of {@code connection} if it is free. */
    public boolean tryLockForSession(DSLContext connection) {
        return connection
                .select(DSL.function("pg_try_advisory_lock", Boolean.class, key()))
                .fetchSingle()
                .value1();
    }

    /** Releases a session lock. */
    public void unlockSession(DSLContext connection) {
        connection
                .select(DSL.function("pg_advisory_unlock", Boolean.class, key()))
                .fetch();
    }
}
