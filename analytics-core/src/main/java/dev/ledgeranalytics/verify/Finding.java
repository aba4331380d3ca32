package dev.ledgeranalytics.verify;

/**
 * One deviation of the live schema from what this library version needs, and what it costs.
 *
 * @param status  {@link Status#BROKEN} or {@link Status#DEGRADED}
 * @param kind    what kind of deviation
 * @param subject the table, column, type value, index, migration or query statement concerned
 * @param message what was found, in a sentence an operator can act on
 */
public record Finding(Status status, Kind kind, String subject, String message) {

    /** The kinds of deviation the verifier looks for. */
    public enum Kind {
        /** The ledger table does not exist in the schema. */
        TABLE_MISSING,
        /** An expected column does not exist. */
        COLUMN_MISSING,
        /** A column has another type, precision or nullability than expected. */
        COLUMN_WRONG,
        /** A value of the {@code request_status} enum is missing (or the enum itself). */
        STATUS_VALUE_MISSING,
        /** An expected index does not exist. */
        INDEX_MISSING,
        /** An index exists but is not valid, as a failed {@code CREATE INDEX CONCURRENTLY} leaves it. */
        INDEX_INVALID,
        /** An index of the expected name has other key columns, INCLUDE columns or predicate. */
        INDEX_DIFFERENT,
        /** The planner's statistics of the ledger are stale. */
        STATISTICS_STALE,
        /** A dashboard statement's plan does not read the ledger through the intended index. */
        PLAN_OFF_INDEX,
        /** Migrations of this library version are not applied: the schema is behind the library. */
        MIGRATIONS_PENDING,
        /** The schema's history records a migration as failed, which blocks every later one until repaired. */
        MIGRATION_FAILED
    }

    /**
     * Checks the finding is complete and a real deviation.
     *
     * @throws IllegalArgumentException if a part is {@code null} or {@code status} is READY
     */
    public Finding {
        if (status == null || kind == null || subject == null || message == null) {
            throw new IllegalArgumentException("status, kind, subject and message must not be null, but were " + status
                    + ", " + kind + ", " + subject + ", " + message);
        }
        if (status == Status.READY) {
            throw new IllegalArgumentException("status of a finding must be DEGRADED or BROKEN, but was READY");
        }
    }
}
