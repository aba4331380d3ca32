package dev.ledgeranalytics;

import java.sql.SQLException;
import java.util.Optional;

/**
 * The one exception Ledger Analytics throws when the database fails: a query times out, a
 * connection drops, a migration cannot be applied. Caller mistakes are reported as
 * {@link IllegalArgumentException} instead, before any SQL runs.
 *
 * <p>The original cause is always kept. {@link #sqlState()} exposes the PostgreSQL SQLSTATE
 * found in the cause chain, so a host can tell a cancelled statement ({@code 57014}) from a
 * missing table ({@code 42P01}) without unwrapping anything:
 *
 * <pre>{@code
 * try {
 *     queries.grossMargin(filter);
 * } catch (AnalyticsException e) {
 *     if ("57014".equals(e.sqlState().orElse(null))) {
 *         // statement timeout: show "try a shorter range"
 *     }
 * }
 * }</pre>
 */
public class AnalyticsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** PostgreSQL's {@code insufficient_privilege}: the connected role lacks a grant. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final String sqlState;

    /**
     * Reports a failure the database did not raise itself, such as migrations that no longer
     * match the schema's history.
     *
     * @param message what went wrong
     */
    public AnalyticsException(String message) {
        super(message);
        this.sqlState = null;
    }

    /**
     * Wraps a database failure; the SQL state is taken from the first {@link SQLException}
     * in the cause chain, if any. A missing privilege ({@code 42501}) also says where the grants
     * each role needs are listed.
     *
     * @param message what the library was doing when it failed
     * @param cause   the underlying failure, never {@code null}
     */
    public AnalyticsException(String message, Throwable cause) {
        this(message, cause, findSqlState(cause));
    }

    private AnalyticsException(String message, Throwable cause, String sqlState) {
        super(message + ": " + cause.getMessage() + privilegeHint(cause, sqlState), cause);
        this.sqlState = sqlState;
    }

    /** Said once: a failure wrapping one of ours repeats its message, the hint included. */
    private static String privilegeHint(Throwable cause, String sqlState) {
        return INSUFFICIENT_PRIVILEGE.equals(sqlState) && !(cause instanceof AnalyticsException)
                ? " (the connected role lacks a privilege: the owner, writer and reader roles and their grants"
                        + " are in docs/roles.md; AnalyticsGrants applies them)"
                : "";
    }

    /**
     * The SQLSTATE of the underlying database error, when the failure came from the database.
     *
     * @return the five-character SQL state, or empty when none was reported
     */
    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }

    private static String findSqlState(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
