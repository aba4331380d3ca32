package dev.ledgeranalytics.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.QueryListener;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.DashboardAnswers;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testkit.ReplicatedDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A refresh on the primary is never seen half-applied on the replica. Readers on the replica
 * answer every query twice in each of their REPEATABLE READ transactions, through the rollups and
 * from the ledger alone, while on the primary a writer inserts current and late rows and a
 * refresh loop applies them: in every snapshot the replica's rollups and change log must agree
 * with its ledger rows. A refresh whose recomputed buckets and deleted change-log entries became
 * visible apart would show as a difference.
 */
class ReplicaRefreshVisibilityTest {

    private static final Instant END = RandomLedger.START.plus(RandomLedger.SPAN);
    private static final List<LedgerFilter> FILTERS = List.of(
            LedgerFilter.between(RandomLedger.START.minus(Duration.ofDays(1)), END.plus(Duration.ofDays(1)))
                    .anyStatus(),
            LedgerFilter.between(
                            RandomLedger.START.plus(Duration.ofDays(2)).plusSeconds(4321),
                            END.plus(Duration.ofMinutes(97)))
                    .providers("openai", "google"));
    private static final int READERS = 2;
    private static final int ROUNDS_PER_READER = 4;

    @BeforeAll
    static void needsAPrimaryWithAReplica() {
        ReplicatedDatabase.assumeAvailable();
    }

    @Test
    void readersOnTheReplicaNeverSeeAHalfAppliedRefresh() throws Exception {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated()) {
            new Ledger(database.primary()).withProviders().insert(RandomLedger.rows(23L, 2_000, 20));
            Rollups rollups = Rollups.create(database.primary());
            rollups.refresh();
            database.awaitReplay();

            List<String> failures = new CopyOnWriteArrayList<>();
            Set<Instant> refreshesSeen = ConcurrentHashMap.newKeySet();
            AtomicInteger roundsWithPendingWrites = new AtomicInteger();
            AtomicInteger answersFromRollups = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService threads = Executors.newFixedThreadPool(2 + READERS);
            int inserted;
            int refreshes;
            try {
                Future<Integer> writer = threads.submit(() -> write(database.primary(), running, failures));
                Future<Integer> refresher = threads.submit(() -> {
                    int calls = 0;
                    while (running.get()) {
                        rollups.refresh();
                        calls++;
                        Thread.sleep(20);
                    }
                    return calls;
                });
                List<Future<?>> readers = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    readers.add(threads.submit(() -> {
                        for (int round = 0; round < ROUNDS_PER_READER; round++) {
                            Record2<Instant, Long> state =
                                    compareInOneSnapshot(database.replica(), answersFromRollups, failures);
                            refreshesSeen.add(state.value1());
                            if (state.value2() > 0) {
                                roundsWithPendingWrites.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                try {
                    for (Future<?> reader : readers) {
                        reader.get(5, TimeUnit.MINUTES);
                    }
                } finally {
                    running.set(false);
                }
                inserted = writer.get(1, TimeUnit.MINUTES);
                refreshes = refresher.get(1, TimeUnit.MINUTES);
            } finally {
                threads.shutdownNow();
            }

            assertThat(failures)
                    .as(
                            "differences seen on the replica while %d rows were inserted and %d refreshes ran",
                            inserted, refreshes)
                    .isEmpty();
            assertThat(refreshesSeen).as("refreshes the readers saw").hasSizeGreaterThanOrEqualTo(3);
            assertThat(roundsWithPendingWrites)
                    .as("rounds that saw writes no refresh had applied")
                    .hasPositiveValue();
            assertThat(answersFromRollups)
                    .as("answers read through the rollups")
                    .hasPositiveValue();

            rollups.refresh();
            database.awaitReplay();
            AnalyticsQueries onReplica = AnalyticsQueries.create(database.replica());
            assertThat(DashboardAnswers.of(onReplica, FILTERS))
                    .isEqualTo(DashboardAnswers.of(AnalyticsQueries.create(database.primary()), FILTERS));
        }
    }

    /**
     * One round of a reader: every query through the rollups and from the ledger alone in one
     * REPEATABLE READ transaction of the replica, and the refresh state of that snapshot: when the
     * last refresh committed, and how many change-log entries were waiting.
     */
    private static Record2<Instant, Long> compareInOneSnapshot(
            DataSource replica, AtomicInteger answersFromRollups, List<String> failures) throws SQLException {
        try (Connection connection = replica.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            DSLContext snapshot = DSL.using(connection, SQLDialect.POSTGRES);
            AnalyticsQueries queries = AnalyticsQueries.create(snapshot);
            DashboardAnswers viaRollups = DashboardAnswers.of(
                    queries.withListener(query -> (source, failure) -> {
                        if (source == QueryListener.Source.ROLLUPS) {
                            answersFromRollups.incrementAndGet();
                        }
                    }),
                    FILTERS);
            DashboardAnswers raw = DashboardAnswers.of(queries.withRawReads(), FILTERS);
            Record2<Instant, Long> state = snapshot.select(
                            DSL.field("refreshed_at", SQLDataType.INSTANT),
                            DSL.field("(SELECT count(*) FROM analytics.rollup_changes)", SQLDataType.BIGINT))
                    .from("analytics.rollup_state")
                    .fetchSingle();
            connection.commit();
            try {
                viaRollups.assertEquivalentTo(
                        raw, "refreshed at " + state.value1() + ", " + state.value2() + " pending");
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
            return state;
        }
    }

    /** Inserts current and late rows in small transactions until told to stop; returns how many. */
    private static int write(DataSource primary, AtomicBoolean running, List<String> failures) throws Exception {
        Random random = new Random(29);
        LedgerWriter rows = new LedgerWriter(random, LedgerWriter.users(random, 12));
        int inserted = 0;
        try (Connection connection = primary.getConnection()) {
            connection.setAutoCommit(false);
            while (running.get()) {
                int count = 1 + random.nextInt(6);
                try {
                    rows.insert(
                            connection,
                            random.nextInt(3) == 0
                                    ? rows.rows(count, RandomLedger.START, END.minus(Duration.ofDays(1)))
                                    : rows.rows(count, END, END.plus(Duration.ofHours(3))));
                    connection.commit();
                    inserted += count;
                } catch (SQLException e) {
                    connection.rollback();
                    failures.add("insert: " + e.getMessage());
                }
                Thread.sleep(10);
            }
        }
        return inserted;
    }
}
