package dev.ledgeranalytics.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testkit.ReplicatedDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a query on a replica looks like when the replica's replay cancels it, and the retry
 * docs/scale-out.md recommends, run against a real conflict: a lock the primary took, which the
 * replay must take too, held by a replica query that is still running.
 */
class ReplicaConflictTest {

    private static final LedgerFilter LEDGER = LedgerFilter.between(
                    RandomLedger.START, RandomLedger.START.plus(RandomLedger.SPAN))
            .anyStatus();

    // spotless:off
    // README:retry-example:start
    private static final Set<String> CANCELLED_BY_REPLAY = Set.of("40001", "40P01");

    /** A read on the replica, run once more if the replica's replay cancelled it. */
    static <T> T onReplica(Supplier<T> read) {
        try {
            return read.get();
        } catch (AnalyticsException e) {
            if (!CANCELLED_BY_REPLAY.contains(e.sqlState().orElse(""))) {
                throw e;
            }
            return read.get();                 // a new transaction: a new snapshot, a live connection
        }
    }
    // README:retry-example:end
    // spotless:on

    @BeforeAll
    static void needsAPrimaryWithAReplica() {
        ReplicatedDatabase.assumeAvailable();
    }

    /**
     * The primary locks {@code providers} and keeps the lock, so the replica's replay holds it
     * too, and a provider-cost query on the replica waits for it, holding the lock on
     * {@code rollup_state} it took first. Then the primary locks {@code rollup_state} for a moment:
     * the replay waits for that query, and cancels it after max_standby_streaming_delay (set to
     * 200 ms here, below deadlock_timeout, so that the cancellation and not the deadlock check
     * ends the wait). The retry waits until the primary lets go of {@code providers}, and answers.
     */
    @Test
    void aReadCancelledByReplayFailsWithSqlState40001AndItsRetryAnswers() throws Exception {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated();
                Connection standby = DriverManager.getConnection(database.replicaJdbcUrl());
                Connection holder = database.primary().getConnection();
                Connection locker = database.primary().getConnection()) {
            new Ledger(database.primary()).withProviders().insert(RandomLedger.rows(31L, 300, 10));
            Rollups.create(database.primary()).refresh();
            database.awaitReplay();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AnalyticsQueries dashboard = AnalyticsQueries.create(database.replica())
                    .withListener(query -> (source, failure) -> {
                        if (failure != null) {
                            failures.add(failure);
                        }
                    });
            ExecutorService thread = Executors.newSingleThreadExecutor();
            maxStandbyStreamingDelay(database, "'200ms'");
            try {
                holder.setAutoCommit(false);
                execute(holder, "LOCK TABLE analytics.providers IN ACCESS EXCLUSIVE MODE");
                // The primary sends WAL once it is flushed: another transaction's commit flushes the lock's record.
                execute(locker, "SELECT pg_current_xact_id()");
                await(
                        "the replay holds the lock on providers",
                        () -> count(
                                        standby,
                                        "SELECT count(*) FROM pg_locks WHERE relation = 'analytics.providers'::regclass"
                                                + " AND mode = 'AccessExclusiveLock' AND granted")
                                == 1);
                Future<List<ProviderCost>> costs =
                        thread.submit(() -> onReplica(() -> dashboard.providerCosts(LEDGER)));
                await(
                        "the query waits for the lock",
                        () -> count(
                                        standby,
                                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                                + " AND wait_event_type = 'Lock'")
                                == 1);

                locker.setAutoCommit(false);
                execute(locker, "LOCK TABLE analytics.rollup_state IN ACCESS EXCLUSIVE MODE");
                locker.commit();
                await("the replay cancels the query", () -> !failures.isEmpty());
                holder.commit();

                List<ProviderCost> answered = costs.get(60, TimeUnit.SECONDS);
                assertThat(failures).singleElement().isInstanceOfSatisfying(AnalyticsException.class, e -> {
                    assertThat(e.sqlState()).contains("40001");
                    assertThat(e).hasMessageContaining("canceling statement due to conflict with recovery");
                });
                database.awaitReplay();
                assertThat(answered)
                        .isNotEmpty()
                        .isEqualTo(AnalyticsQueries.create(database.primary()).providerCosts(LEDGER));
            } finally {
                thread.shutdownNow();
                holder.rollback();
                maxStandbyStreamingDelay(database, "DEFAULT");
            }
        }
    }

    /** Sets the replica's max_standby_streaming_delay, and waits until new sessions have it. */
    private static void maxStandbyStreamingDelay(ReplicatedDatabase database, String value) throws SQLException {
        try (Connection standby = DriverManager.getConnection(database.replicaJdbcUrl())) {
            execute(standby, "ALTER SYSTEM SET max_standby_streaming_delay = " + value);
            execute(standby, "SELECT pg_reload_conf()");
        }
        String expected = value.equals("DEFAULT") ? "30s" : value.replace("'", "");
        try (Connection fresh = DriverManager.getConnection(database.replicaJdbcUrl());
                Statement statement = fresh.createStatement()) {
            await("max_standby_streaming_delay = " + expected, () -> {
                try (ResultSet setting = statement.executeQuery("SHOW max_standby_streaming_delay")) {
                    setting.next();
                    return setting.getString(1).equals(expected);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static long count(Connection connection, String sql) {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
