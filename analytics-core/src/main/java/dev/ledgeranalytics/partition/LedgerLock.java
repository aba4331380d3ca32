package dev.ledgeranalytics.partition;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.AdvisoryLock;
import dev.ledgeranalytics.internal.SqlState;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * Runs a change of the ledger's partitions in a transaction holding the schema's partition lock
 * (and others it names) and a table lock on the ledger.
 *
 * <p>The table lock is asked for with a short {@code lock_timeout} and retried: waiting for it
 * without one would queue every writer behind the request for as long as the longest open
 * transaction on the ledger; a short wait followed by a pause lets them through meanwhile.
 */
final class LedgerLock {

    private static final String LOCK_TIMEOUT = "500ms";

    private static final int ATTEMPTS = 60;

    private static final long PAUSE_MILLIS = 1_000;

    private LedgerLock() {}

    /**
     * Runs {@code work} in a transaction of its own on {@code connection}, once it holds the
     * schema's partition lock, then the advisory locks of {@code purposes}, then the ledger in
     * {@code mode}.
     *
     * @param mode a table lock mode, such as {@code "EXCLUSIVE"} (writers wait, readers do not) or
     *             {@code "ACCESS EXCLUSIVE"} (both wait); the most the work will take, so that it is
     *             never raised while a reader waits for a lock the work holds
     * @throws AnalyticsException if the ledger stayed busy for about a minute, or the database fails
     */
    static <T> T run(
            DSLContext connection, String schema, List<String> purposes, String mode, Function<DSLContext, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                    new AdvisoryLock(AdvisoryLock.PARTITIONS, schema).lockForTransaction(tx);
                    for (String purpose : purposes) {
                        new AdvisoryLock(purpose, schema).lockForTransaction(tx);
                    }
                    execute(tx, "SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                    execute(
                            tx,
                            "LOCK TABLE " + LedgerLayout.table(schema, LedgerLayout.LEDGER) + " IN " + mode + " MODE");
                    execute(tx, "SET LOCAL lock_timeout = 0");
                    return work.apply(tx);
                });
            } catch (RuntimeException e) {
                SQLException cause = SqlState.cause(e);
                if (cause == null || !SqlState.LOCK_NOT_AVAILABLE.equals(cause.getSQLState()) || attempt == ATTEMPTS) {
                    throw e;
                }
                pause();
            }
        }
    }

    static void execute(DSLContext tx, String sql) {
        tx.connection(jdbc -> {
            try (Statement statement = jdbc.createStatement()) {
                statement.execute(sql);
            }
        });
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnalyticsException("Interrupted while waiting for the ledger's lock");
        }
    }
}
