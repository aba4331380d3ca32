package dev.ledgeranalytics.internal;

import dev.ledgeranalytics.AnalyticsException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * Internal API. How the library talks to the database, for every package: each piece of work on
 * one connection, database failures turned into {@link AnalyticsException}.
 *
 * <p>{@link #read} runs a query's statements, under the caller's statement timeout. On a
 * connection in auto-commit mode they run in their own read-only REPEATABLE READ transaction, so
 * that a query made of two statements sees one snapshot of a ledger that is being written to. On
 * a connection already inside the host's transaction they join it, and the host's statement
 * timeout is put back afterwards.
 *
 * <p>{@link #onConnection} holds one connection for maintenance work made of several
 * transactions ({@link #inTransaction}), such as a refresh that holds a session lock throughout.
 */
public final class Transactions {

    /** The characteristics of the library's own read transactions, set before their first statement. */
    private static final String READ_ONLY_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    /** A transaction that loses a race with a concurrent one is tried this many times in all. */
    private static final int ATTEMPTS = 5;

    private final DSLContext dsl;
    private final Duration statementTimeout;

    /**
     * @param dsl              where connections come from
     * @param statementTimeout the server-side limit of each read statement, or {@code null} for
     *                         the database's own
     */
    public Transactions(DSLContext dsl, Duration statementTimeout) {
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
    }

    /** Runs a query's statements, as the class comment says. */
    public <T> T read(String what, Function<DSLContext, T> statements) {
        try {
            return dsl.connectionResult(connection -> connection.getAutoCommit()
                    ? inOwnTransaction(connection, statements)
                    : inHostTransaction(connection, statements));
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs {@code work} on one connection, in auto-commit mode unless it opens transactions of its
     * own with {@link #inTransaction}.
     */
    public <T> T onConnection(String what, Function<DSLContext, T> work) {
        try {
            return dsl.connectionResult(connection -> work.apply(on(connection)));
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs {@code work} in one transaction at {@code isolation} (a {@link Connection} constant) on
     * the connection of {@code connection}, a context from {@link #onConnection}; again from the
     * start when it fails to serialise with a concurrent transaction.
     */
    public static <T> T inTransaction(DSLContext connection, int isolation, Function<DSLContext, T> work) {
        return connection.connectionResult(jdbc -> {
            int previous = jdbc.getTransactionIsolation();
            for (int attempt = 1; ; attempt++) {
                jdbc.setAutoCommit(false);
                jdbc.setTransactionIsolation(isolation);
                try {
                    T result = work.apply(connection);
                    jdbc.commit();
                    return result;
                } catch (RuntimeException e) {
                    rollback(jdbc, e);
                    if (!SqlState.isConflict(e) || attempt == ATTEMPTS) {
                        throw e;
                    }
                } finally {
                    jdbc.setAutoCommit(true);
                    jdbc.setTransactionIsolation(previous);
                }
            }
        });
    }

    /**
     * The failure a caller gets: a database failure, however a host's jOOQ configuration wrapped
     * it (Spring translates jOOQ's exceptions into its own), becomes an {@link AnalyticsException}
     * with the SQL state; the library's own exceptions and caller mistakes pass unchanged.
     */
    public static RuntimeException failure(String what, RuntimeException e) {
        if (e instanceof AnalyticsException) {
            return e;
        }
        if (e instanceof DataAccessException || SqlState.cause(e) != null) {
            return new AnalyticsException(what + " failed", e);
        }
        return e;
    }

    private <T> T inOwnTransaction(Connection connection, Function<DSLContext, T> statements) throws SQLException {
        Exception failure = null;
        connection.setAutoCommit(false);
        try {
            try (Statement characteristics = connection.createStatement()) {
                // One round trip, with the driver's BEGIN, and local to the transaction. The
                // connection's setters would change the session's isolation instead: a round trip
                // to read the old one, one to set it and one to put it back after every query.
                characteristics.execute(
                        statementTimeout == null
                                ? READ_ONLY_SNAPSHOT
                                : READ_ONLY_SNAPSHOT + "; SET LOCAL statement_timeout = '" + statementTimeout.toMillis()
                                        + "ms'");
            }
            T result = statements.apply(on(connection));
            connection.commit();
            return result;
        } catch (RuntimeException | SQLException e) {
            failure = e;
            rollback(connection, e);
            throw e;
        } finally {
            // A pooled connection goes back as it came, in auto-commit mode with its session's
            // characteristics untouched; a failure to restore it never hides the query's own.
            try {
                if (!connection.isClosed()) {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException restoreFailure) {
                if (failure == null) {
                    throw restoreFailure;
                }
                failure.addSuppressed(restoreFailure);
            }
        }
    }

    private <T> T inHostTransaction(Connection connection, Function<DSLContext, T> statements) {
        DSLContext tx = on(connection);
        if (statementTimeout == null) {
            return statements.apply(tx);
        }
        // The host's timeout read and ours set in one round trip: the subquery, fenced by OFFSET 0,
        // yields the old value before the outer select list sets the new one.
        Field<String> previous = DSL.field(DSL.name("host", "timeout"), String.class);
        String hostTimeout = tx.select(previous, setStatementTimeout(statementTimeout.toMillis() + "ms"))
                .from(DSL.select(DSL.function("current_setting", String.class, DSL.inline("statement_timeout"))
                                .as("timeout"))
                        .offset(DSL.inline(0))
                        .asTable("host"))
                .fetchOne(previous);
        RuntimeException failure = null;
        try {
            return statements.apply(tx);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            // Put the host's own timeout back for the rest of its transaction. After a failed
            // statement the transaction is aborted and this fails too; the host rolls back anyway.
            try {
                tx.select(setStatementTimeout(hostTimeout)).fetch();
            } catch (RuntimeException restoreFailure) {
                if (failure == null) {
                    throw restoreFailure;
                }
                failure.addSuppressed(restoreFailure);
            }
        }
    }

    private DSLContext on(Connection connection) {
        return dsl.configuration()
                .derive(new DefaultConnectionProvider(connection))
                .dsl();
    }

    /** Server-side, until the transaction ends: PostgreSQL cancels a runaway statement itself, with SQLSTATE 57014. */
    private static Field<String> setStatementTimeout(String value) {
        return DSL.function(
                "set_config", String.class, DSL.inline("statement_timeout"), DSL.val(value), DSL.inline(true));
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
