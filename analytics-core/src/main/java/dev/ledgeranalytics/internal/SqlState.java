package dev.ledgeranalytics.internal;

import java.sql.SQLException;

/** Internal API. The PostgreSQL SQLSTATEs the library acts on, and where to find one in a failure. */
public final class SqlState {

    /** A statement cancelled, by its statement timeout or by request. */
    public static final String QUERY_CANCELED = "57014";

    /** A REPEATABLE READ or SERIALIZABLE transaction lost a race with a concurrent one. */
    public static final String SERIALIZATION_FAILURE = "40001";

    /** Two transactions waited for each other; PostgreSQL aborted one. */
    public static final String DEADLOCK_DETECTED = "40P01";

    /** An insert collided with a row a concurrent transaction inserted first. */
    public static final String UNIQUE_VIOLATION = "23505";

    private SqlState() {}

    /** The first {@link SQLException} in the cause chain of {@code failure}, or {@code null}. */
    public static SQLException cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** Whether {@code failure} is a lost race that a retry of the whole transaction can win. */
    public static boolean isConflict(Throwable failure) {
        SQLException sql = cause(failure);
        String state = sql == null ? null : sql.getSQLState();
        return SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state) || UNIQUE_VIOLATION.equals(state);
    }
}
