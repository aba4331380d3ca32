package dev.ledgeranalytics.query;

import dev.ledgeranalytics.AnalyticsException;
import java.sql.Connection;
import java.time.Duration;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * Runs a query's statements on one connection, under the caller's statement timeout, and turns
 * database failures into {@link AnalyticsException}.
 *
 * <p>On a connection in auto-commit mode the statements run in their own read-only REPEATABLE
 * READ transaction, so that a query made of two statements sees one snapshot of a ledger that
 * is being written to. On a connection already inside the host's transaction they simply join it.
 */
final class LedgerReader {

    private final DSLContext dsl;
    private final Duration statementTimeout;

    LedgerReader(DSLContext dsl, Duration statementTimeout) {
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
    }

    DSLContext dsl() {
        return dsl;
    }

    <T> T read(String what, Function<DSLContext, T> statements) {
        try {
            return dsl.connectionResult(connection -> {
                boolean ownTransaction = connection.getAutoCommit();
                int isolation = connection.getTransactionIsolation();
                if (ownTransaction) {
                    connection.setAutoCommit(false);
                    connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    connection.setReadOnly(true);
                }
                try {
                    DSLContext tx = dsl.configuration().derive(new DefaultConnectionProvider(connection)).dsl();
                    applyStatementTimeout(tx);
                    T result = statements.apply(tx);
                    if (ownTransaction) {
                        connection.commit();
                    }
                    return result;
                } catch (RuntimeException e) {
                    if (ownTransaction) {
                        connection.rollback();
                    }
                    throw e;
                } finally {
                    if (ownTransaction) {
                        connection.setReadOnly(false);
                        connection.setTransactionIsolation(isolation);
                        connection.setAutoCommit(true);
                    }
                }
            });
        } catch (DataAccessException e) {
            throw new AnalyticsException(what + " failed", e);
        }
    }

    private void applyStatementTimeout(DSLContext tx) {
        if (statementTimeout != null) {
            // Server-side and transaction-local: PostgreSQL cancels a runaway statement itself
            // (SQLSTATE 57014), and the connection's own setting is back when the transaction ends.
            tx.select(DSL.function("set_config", String.class,
                    DSL.inline("statement_timeout"),
                    DSL.val(statementTimeout.toMillis() + "ms"),
                    DSL.inline(true))).fetch();
        }
    }
}
