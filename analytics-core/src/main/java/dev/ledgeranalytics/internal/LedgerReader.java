package dev.ledgeranalytics.internal;

import dev.ledgeranalytics.AnalyticsException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * Internal API. Runs a query's statements on one connection, under the caller's statement timeout, and turns
 * database failures into {@link AnalyticsException}.
 *
 * <p>On a connection in auto-commit mode the statements run in their own read-only REPEATABLE
 * READ transaction, so that a query made of two statements sees one snapshot of a ledger that
 * is being written to. On a connection already inside the host's transaction they join it, and
 * the host's statement timeout is put back afterwards.
 */
public final class LedgerReader {

    private final DSLContext dsl;
    private final Duration statementTimeout;

    public LedgerReader(DSLContext dsl, Duration statementTimeout) {
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
    }

    public <T> T read(String what, Function<DSLContext, T> statements) {
        try {
            return dsl.connectionResult(connection -> connection.getAutoCommit()
                    ? inOwnTransaction(connection, statements)
                    : inHostTransaction(connection, statements));
        } catch (DataAccessException e) {
            throw new AnalyticsException(what + " failed", e);
        }
    }

    private <T> T inOwnTransaction(Connection connection, Function<DSLContext, T> statements) throws SQLException {
        int isolation = connection.getTransactionIsolation();
        boolean readOnly = connection.isReadOnly();
        Exception failure = null;
        connection.setAutoCommit(false);
        try {
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            DSLContext tx = on(connection);
            if (statementTimeout != null) {
                // Transaction-local: the connection's own setting is back once we commit.
                setStatementTimeout(tx, statementTimeout.toMillis() + "ms");
            }
            T result = statements.apply(tx);
            connection.commit();
            return result;
        } catch (RuntimeException | SQLException e) {
            failure = e;
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            // A pooled connection goes back as it came; a failure to restore it never hides the query's own.
            try {
                restore(connection, isolation, readOnly);
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
        String hostTimeout = tx.select(DSL.function("current_setting", String.class, DSL.inline("statement_timeout")))
                .fetchOne(0, String.class);
        setStatementTimeout(tx, statementTimeout.toMillis() + "ms");
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
                setStatementTimeout(tx, hostTimeout);
            } catch (DataAccessException restoreFailure) {
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

    /** Server-side: PostgreSQL cancels a runaway statement itself, with SQLSTATE 57014. */
    private static void setStatementTimeout(DSLContext tx, String value) {
        tx.select(DSL.function(
                        "set_config", String.class, DSL.inline("statement_timeout"), DSL.val(value), DSL.inline(true)))
                .fetch();
    }

    private static void restore(Connection connection, int isolation, boolean readOnly) throws SQLException {
        if (connection.isClosed()) {
            return;
        }
        connection.setReadOnly(readOnly);
        connection.setTransactionIsolation(isolation);
        connection.setAutoCommit(true);
    }
}
