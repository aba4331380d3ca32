package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever happened to the ledger and the rollups, and in whatever order, every query answers the
 * same through the rollups as from the ledger alone. Each seed starts from an empty ledger and
 * plays a random history: inserts of current and of late rows (into buckets already refreshed,
 * and onto bucket boundaries), updates of every column the queries read, deletes, refreshes,
 * rebuilds, switches between the refresh and trigger modes, disabling the rollups, and bursts of
 * concurrent writers on their own connections while another thread refreshes. After every step
 * the queries are compared over random ranges, filters, zones and granularities.
 *
 * <p>Writers' transactions the database aborts and refreshes that give up during a burst are
 * noted and asserted absent only at the end of the history, so that the answers are checked
 * after them too.
 *
 * <p>A failure names the seed, the step and the history so far; rerun that seed alone to
 * reproduce it (the bursts of concurrent writers write the same rows, in another interleaving).
 */
@AnalyticsDatabase
class RollupPropertyTest {

    private static final Instant START = RandomLedger.START;
    private static final List<ZoneId> ZONES = List.of(
            ZoneOffset.UTC,
            ZoneId.of("Asia/Kolkata"),
            ZoneId.of("Asia/Kathmandu"),
            ZoneId.of("America/New_York"),
            ZoneId.of("Australia/Lord_Howe"),
            ZoneId.of("Pacific/Chatham"));
    private static final int STEPS = 24;
    private static final int COMPARISONS_PER_STEP = 2;

    private final DataSource dataSource;
    private final Rollups rollups;
    private final RollupAnswers answers;
    private final RollupTables tables;

    RollupPropertyTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.rollups = Rollups.create(dataSource);
        this.answers = new RollupAnswers(dataSource);
        this.tables = new RollupTables(dataSource);
    }

    @BeforeAll
    static void registerProviders(DataSource dataSource) {
        new Ledger(dataSource).withProviders();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2026L, 424_242L})
    void rollupsAnswerLikeTheLedgerWhateverTheHistoryOfWrites(long seed) throws Exception {
        rollups.disable();
        new Ledger(dataSource).clear();
        rollups.mode(RollupMode.REFRESH);
        assertThat(tables.rows()).isZero();

        new History(seed).play();
    }

    /** One seed's history, and what it checks along the way. */
    private final class History {

        private final long seed;
        private final Random random;
        private final List<UUID> users;
        private final LedgerWriter writer;
        /** Request ids of the rows in the ledger, in a reproducible order. */
        private final List<UUID> ids = new ArrayList<>();

        private final List<String> steps = new ArrayList<>();
        /** Refreshes and rebuilds that failed while concurrent writers wrote, with the step they failed in. */
        private final List<String> failedRefreshes = new CopyOnWriteArrayList<>();
        /** Writers' transactions the database aborted while refreshes ran, with the step they failed in. */
        private final List<String> failedWrites = new CopyOnWriteArrayList<>();

        private Instant now = START.plus(Duration.ofDays(40));
        private RollupMode mode = RollupMode.REFRESH;
        private int comparisons;
        /** Comparisons while the rollups were built, so that the queries read them. */
        private int comparisonsThroughRollups;
        /** Comparisons while the rollups were built and nothing was pending. */
        private int comparisonsThroughCleanRollups;

        History(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.users = LedgerWriter.users(random, 24);
            this.writer = new LedgerWriter(random, users);
        }

        void play() throws Exception {
            // A ledger that exists before the rollups: the first refresh builds them.
            write(
                    "insert 1200 rows before the first build",
                    connection -> ids.addAll(
                            writer.insert(connection, writer.rows(1200, START.minus(Duration.ofDays(35)), now))));
            compare();
            refresh();
            for (int step = 1; step <= STEPS; step++) {
                if (step % 9 == 4) {
                    concurrentWriters();
                } else {
                    randomStep();
                }
                compare();
            }
            refresh();
            assertThat(comparisonsThroughRollups)
                    .as("comparisons through the rollups, " + context())
                    .isGreaterThanOrEqualTo(comparisons / 2);
            assertThat(comparisonsThroughCleanRollups)
                    .as("comparisons through rollups with nothing pending, " + context())
                    .isPositive();
            assertRefreshedEqualsRebuilt();
            assertTheComparisonsReadTheRollups();
            // Checked last, so that the answers are checked whatever happened to the writers and refreshes.
            assertThat(failedWrites)
                    .as("writers' transactions aborted while refreshes ran, seed " + seed)
                    .isEmpty();
            assertThat(failedRefreshes)
                    .as("refreshes and rebuilds run while writers wrote, seed " + seed)
                    .isEmpty();
        }

        private void randomStep() throws Exception {
            int pick = random.nextInt(100);
            if (pick < 16) {
                int count = 1 + random.nextInt(40);
                write(
                        "insert " + count + " current rows",
                        connection -> ids.addAll(
                                writer.insert(connection, writer.rows(count, now.minus(Duration.ofMinutes(90)), now))));
                now = now.plus(Duration.ofMinutes(20 + random.nextInt(60 * 18)));
            } else if (pick < 28) {
                int count = 1 + random.nextInt(20);
                write(
                        "insert " + count + " late rows",
                        connection -> ids.addAll(writer.insert(
                                connection,
                                writer.rows(count, START.minus(Duration.ofDays(45)), now.minus(Duration.ofDays(1))))));
            } else if (pick < 34) {
                Instant boundary = boundary(writer.instant(START.minus(Duration.ofDays(40)), now));
                write(
                        "insert rows around " + boundary,
                        connection -> ids.addAll(writer.insert(
                                connection,
                                List.of(
                                        writer.row(boundary.minusNanos(1000)),
                                        writer.row(boundary),
                                        writer.row(boundary),
                                        writer.row(boundary.plusNanos(1000))))));
            } else if (pick < 48) {
                List<UUID> changed = pickRows(1 + random.nextInt(12));
                write(
                        "update " + changed.size() + " rows",
                        connection -> writer.update(connection, changed, START.minus(Duration.ofDays(45)), now));
            } else if (pick < 52) {
                List<UUID> changed = pickRows(1 + random.nextInt(30));
                write("move " + changed.size() + " rows by minutes", connection -> writer.nudge(connection, changed));
            } else if (pick < 60) {
                List<UUID> deleted = pickRows(1 + random.nextInt(15));
                write("delete " + deleted.size() + " rows", connection -> LedgerWriter.delete(connection, deleted));
                ids.removeAll(deleted);
            } else if (pick < 63) {
                Instant from = writer.instant(START.minus(Duration.ofDays(35)), now);
                Instant to = from.plus(Duration.ofMinutes(1 + random.nextInt(180)));
                write(
                        "delete the rows in [" + from + ", " + to + ")",
                        connection -> ids.removeAll(LedgerWriter.deleteBetween(connection, from, to)));
            } else if (pick < 78) {
                refresh();
            } else if (pick < 83) {
                steps.add("rebuild");
                assertThat(rollups.rebuild().rebuilt()).as(context()).isTrue();
                assertCleanAfterRefresh();
            } else if (pick < 94) {
                mode = random.nextBoolean() ? RollupMode.TRIGGER : RollupMode.REFRESH;
                steps.add("mode " + mode);
                rollups.mode(mode);
                assertThat(rollups.status().mode()).as(context()).isEqualTo(mode);
            } else if (pick < 96) {
                steps.add("disable");
                rollups.disable();
                RollupStatus status = rollups.status();
                assertThat(status.built()).as(context()).isFalse();
                assertThat(tables.rows()).as(context()).isZero();
            } else {
                concurrentWriters();
            }
        }

        /** Refreshes, and checks that the rollups are then clean and, sometimes, that they equal a rebuild. */
        private void refresh() {
            boolean built = rollups.status().built();
            steps.add("refresh");
            RefreshResult result = rollups.refresh();
            assertThat(result.rebuilt()).as(context()).isEqualTo(!built);
            assertCleanAfterRefresh();
            if (random.nextInt(4) == 0) {
                assertRefreshedEqualsRebuilt();
            }
        }

        private void assertCleanAfterRefresh() {
            RollupStatus status = rollups.status();
            assertThat(status.built()).as(context()).isTrue();
            assertThat(status.pendingQuarterHours()).as(context()).isZero();
            assertThat(status.refreshedAt()).as(context()).isNotNull();
        }

        /** What the refreshes and trigger-mode inserts maintained is exactly what a build from the ledger makes. */
        private void assertRefreshedEqualsRebuilt() {
            String maintained = tables.contents();
            steps.add("rebuild to compare the rollup tables");
            assertThat(rollups.rebuild().rebuilt()).isTrue();
            assertThat(maintained)
                    .as("rollup tables after refreshes against a rebuild, " + context())
                    .isEqualTo(tables.contents());
        }

        /**
         * Bursts of 2 or 3 writers, each on its own connection and in its own transactions (READ
         * COMMITTED or REPEATABLE READ), inserting current and late rows and updating and deleting
         * rows only it touches, while another thread refreshes, and now and then rebuilds, in a loop.
         */
        private void concurrentWriters() throws Exception {
            int writers = 2 + random.nextInt(2);
            List<List<UUID>> owned = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                List<UUID> mine = new ArrayList<>(pickRows(random.nextInt(8)));
                ids.removeAll(mine);
                owned.add(mine);
                seeds.add(random.nextLong());
            }
            long refresherSeed = random.nextLong();
            Instant burstNow = now;
            steps.add("concurrent writers: " + writers + " writers, seeds " + seeds + ", refresher seed "
                    + refresherSeed);
            ExecutorService threads = Executors.newFixedThreadPool(writers + 1);
            try {
                AtomicBoolean writing = new AtomicBoolean(true);
                String step = context();
                Future<Integer> refresher = threads.submit(() -> {
                    Random choices = new Random(refresherSeed);
                    int refreshes = 0;
                    do {
                        try {
                            if (choices.nextInt(10) == 0) {
                                rollups.rebuild();
                            } else {
                                rollups.refresh();
                            }
                        } catch (AnalyticsException e) {
                            // A failed refresh leaves the rollups as they were: the answers must stay right.
                            String cause = e.getCause() == null
                                    ? ""
                                    : ": "
                                            + e.getCause()
                                                    .getMessage()
                                                    .lines()
                                                    .findFirst()
                                                    .orElse("");
                            failedRefreshes.add(e.getMessage() + cause + " (SQL state "
                                    + e.sqlState().orElse("none") + ") in " + step);
                        }
                        refreshes++;
                    } while (writing.get());
                    return refreshes;
                });
                List<Future<List<UUID>>> results = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    List<UUID> mine = owned.get(i);
                    long writerSeed = seeds.get(i);
                    results.add(threads.submit(() -> concurrentWriter(writerSeed, mine, burstNow, step)));
                }
                try {
                    for (Future<List<UUID>> result : results) {
                        ids.addAll(result.get(60, TimeUnit.SECONDS));
                    }
                } finally {
                    writing.set(false);
                }
                assertThat(refresher.get(60, TimeUnit.SECONDS)).as(context()).isPositive();
            } catch (ExecutionException e) {
                throw new AssertionError("a concurrent writer or refresh failed, " + context(), e.getCause());
            } finally {
                threads.shutdownNow();
            }
            now = now.plus(Duration.ofMinutes(30 + random.nextInt(60 * 6)));
        }

        /**
         * One writer of a burst; returns the request ids of its rows still in the ledger. A
         * transaction the database aborts (a deadlock, a serialization failure) is rolled back and
         * noted in {@link #failedWrites}, and the writer goes on.
         */
        private List<UUID> concurrentWriter(long writerSeed, List<UUID> mine, Instant burstNow, String step)
                throws SQLException {
            Random choices = new Random(writerSeed);
            LedgerWriter rows = new LedgerWriter(choices, users);
            try (Connection connection = dataSource.getConnection()) {
                for (int transaction = 0; transaction < 6; transaction++) {
                    boolean repeatableRead = choices.nextInt(3) == 0;
                    connection.setTransactionIsolation(
                            repeatableRead
                                    ? Connection.TRANSACTION_REPEATABLE_READ
                                    : Connection.TRANSACTION_READ_COMMITTED);
                    connection.setAutoCommit(false);
                    List<UUID> kept = new ArrayList<>(mine);
                    try {
                        // Under READ COMMITTED, one insert a transaction: RollupMaintenanceTest has transactions
                        // inserting more.
                        List<Row> inserted = choices.nextInt(4) == 0
                                ? rows.rows(
                                        1 + choices.nextInt(10),
                                        START.minus(Duration.ofDays(40)),
                                        burstNow.minus(Duration.ofDays(1)))
                                : rows.rows(
                                        1 + choices.nextInt(20),
                                        burstNow.minus(Duration.ofMinutes(60)),
                                        burstNow.plus(Duration.ofMinutes(30)));
                        kept.addAll(rows.insert(connection, inserted));
                        if (repeatableRead && choices.nextBoolean()) {
                            kept.addAll(rows.insert(
                                    connection,
                                    rows.rows(1 + choices.nextInt(5), burstNow.minus(Duration.ofDays(3)), burstNow)));
                        }
                        if (!kept.isEmpty() && choices.nextBoolean()) {
                            rows.update(
                                    connection,
                                    List.of(kept.get(choices.nextInt(kept.size()))),
                                    START.minus(Duration.ofDays(40)),
                                    burstNow);
                        }
                        if (!kept.isEmpty() && choices.nextInt(3) == 0) {
                            LedgerWriter.delete(connection, List.of(kept.remove(choices.nextInt(kept.size()))));
                        }
                        connection.commit();
                        mine.clear();
                        mine.addAll(kept);
                    } catch (SQLException e) {
                        connection.rollback();
                        if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                            throw e;
                        }
                        failedWrites.add(
                                e.getMessage().lines().findFirst().orElse("") + " (SQL state " + e.getSQLState() + ", "
                                        + (repeatableRead ? "REPEATABLE READ" : "READ COMMITTED") + ") in " + step);
                    } finally {
                        connection.setAutoCommit(true);
                    }
                }
            }
            return mine;
        }

        /** Compares the queries through the rollups with the ledger's answers, for random filters. */
        private void compare() {
            for (int i = 0; i < COMPARISONS_PER_STEP; i++) {
                RollupStatus status = rollups.status();
                LedgerFilter filter = filter();
                Duration length = Duration.between(filter.from(), filter.to());
                List<Granularity> granularities = length.compareTo(Duration.ofDays(20)) <= 0
                        ? List.of(Granularity.values())
                        : List.of(Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
                answers.assertSame(
                        context() + ", " + status,
                        filter,
                        granularities.get(random.nextInt(granularities.size())),
                        ZONES.get(random.nextInt(ZONES.size())),
                        UserSort.values()[random.nextInt(UserSort.values().length)],
                        1 + random.nextInt(8));
                comparisons++;
                if (status.built()) {
                    comparisonsThroughRollups++;
                    if (status.pendingQuarterHours() == 0) {
                        comparisonsThroughCleanRollups++;
                    }
                }
            }
        }

        /**
         * Tampers with one day of the rollups: a query over whole days must show it, so the
         * comparisons above did read the rollups.
         */
        private void assertTheComparisonsReadTheRollups() {
            Instant day = START.plus(Duration.ofDays(3));
            LedgerFilter filter = LedgerFilter.between(START, START.plus(Duration.ofDays(30)));
            GrossMargin exact = answers.raw().grossMargin(filter);
            assertThat(answers.viaRollups().grossMargin(filter)).as(context()).isEqualTo(exact);
            Ledger sql = new Ledger(dataSource);
            sql.execute(
                    "UPDATE analytics.rollup_status SET requests = requests + 1000 WHERE grain = 3 AND bucket_start = '"
                            + day + "' AND status = 'success'");
            try {
                assertThat(answers.viaRollups().grossMargin(filter).current().requests())
                        .as(context())
                        .isEqualTo(exact.current().requests() + 1000);
            } finally {
                sql.execute(
                        "UPDATE analytics.rollup_status SET requests = requests - 1000 WHERE grain = 3 AND bucket_start = '"
                                + day + "' AND status = 'success'");
            }
        }

        private LedgerFilter filter() {
            Instant[] range = range();
            LedgerFilter filter = LedgerFilter.between(range[0], range[1]);
            filter = switch (random.nextInt(6)) {
                case 0, 1, 2 -> filter;
                case 3 -> filter.anyStatus();
                default -> filter.statuses(subset(List.of(RequestStatus.values())));
            };
            int shape = random.nextInt(10);
            if (shape < 4) {
                return filter;
            }
            if (shape < 6) {
                List<UUID> candidates = new ArrayList<>(users);
                candidates.add(UUID.fromString("00000000-0000-0000-0000-000000000000"));
                return filter.users(subset(candidates));
            }
            do {
                if (random.nextInt(5) < 2) {
                    filter = filter.providers(subset(List.of("openai", "anthropic", "google", "mistral", "cohere")));
                }
                if (random.nextInt(5) < 2) {
                    filter = filter.models(subset(List.of(
                            "gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-pro", "mistral-large", "llama-4")));
                }
                if (random.nextInt(5) < 2) {
                    filter = filter.tiers(subset(List.of("free", "pro", "enterprise", "team", "platinum")));
                }
                if (random.nextInt(5) < 2) {
                    filter = filter.requestTypes(subset(List.of("chat", "completion", "embedding", "image")));
                }
                if (random.nextInt(10) == 0) {
                    filter = filter.users(subset(users));
                }
            } while (filter.providers() == null
                    && filter.models() == null
                    && filter.tiers() == null
                    && filter.requestTypes() == null);
            return filter;
        }

        /** A random subset, empty now and then (matching nothing), usually of one to three values. */
        private <T> Set<T> subset(List<T> values) {
            Set<T> subset = new LinkedHashSet<>();
            if (random.nextInt(12) == 0) {
                return subset;
            }
            int size = 1 + random.nextInt(Math.min(3, values.size()));
            while (subset.size() < size) {
                subset.add(values.get(random.nextInt(values.size())));
            }
            return subset;
        }

        private Instant[] range() {
            Instant earliest = START.minus(Duration.ofDays(50));
            Instant latest = now.plus(Duration.ofDays(2));
            Instant from;
            Instant to;
            switch (random.nextInt(8)) {
                case 0 -> {
                    // Quarter hours.
                    from = START.minus(Duration.ofDays(45)).plus(Duration.ofMinutes(15L * random.nextInt(96 * 90)));
                    to = from.plus(Duration.ofMinutes(15L * (1 + random.nextInt(96 * 20))));
                }
                case 1 -> {
                    // Whole UTC hours or days.
                    Duration unit = random.nextBoolean() ? Duration.ofHours(1) : Duration.ofDays(1);
                    from = boundary(writer.instant(earliest, latest))
                            .truncatedTo(unit.equals(Duration.ofDays(1)) ? ChronoUnit.DAYS : ChronoUnit.HOURS);
                    to = from.plus(unit.multipliedBy(1 + random.nextInt(unit.equals(Duration.ofDays(1)) ? 70 : 200)));
                }
                case 2 -> {
                    // Anywhere, to the microsecond.
                    from = writer.instant(earliest, latest);
                    to = writer.instant(from.plusNanos(1000), from.plus(Duration.ofDays(1 + random.nextInt(70))));
                }
                case 3 -> {
                    // Less than an hour.
                    from = writer.instant(START.minus(Duration.ofDays(40)), now);
                    to = writer.instant(from.plusNanos(1000), from.plus(Duration.ofMinutes(59)));
                }
                case 4 -> {
                    // Whole UTC months, or months and some.
                    ZonedDateTime month = ZonedDateTime.of(2026, 7 + random.nextInt(3), 1, 0, 0, 0, 0, ZoneOffset.UTC);
                    from = month.toInstant();
                    to = month.plusMonths(1 + random.nextInt(3)).toInstant();
                    if (random.nextBoolean()) {
                        from = from.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 3)));
                    }
                }
                case 5 -> {
                    // Local days in a zone offset by a fraction of an hour.
                    ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
                    ZonedDateTime day =
                            writer.instant(earliest, now).atZone(zone).truncatedTo(ChronoUnit.DAYS);
                    from = day.toInstant();
                    to = day.plusDays(1 + random.nextInt(40)).toInstant();
                }
                case 6 -> {
                    // From or to a bucket boundary, where the boundary rows are.
                    from = boundary(writer.instant(earliest, now));
                    to = random.nextBoolean()
                            ? boundary(writer.instant(from.plus(Duration.ofMinutes(1)), latest))
                            : writer.instant(from.plusNanos(1000), latest);
                    if (!to.isAfter(from)) {
                        to = from.plus(Duration.ofMinutes(15L * (1 + random.nextInt(8))));
                    }
                }
                default -> {
                    // The whole ledger and more.
                    from = earliest;
                    to = latest;
                }
            }
            return new Instant[] {from, to};
        }

        /** The start of the quarter hour, hour, UTC day or month, or local day in some zone, holding {@code t}. */
        private Instant boundary(Instant t) {
            return switch (random.nextInt(5)) {
                case 0 -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 900) * 900);
                case 1 -> t.truncatedTo(ChronoUnit.HOURS);
                case 2 -> t.truncatedTo(ChronoUnit.DAYS);
                case 3 ->
                    t.atZone(ZoneOffset.UTC)
                            .withDayOfMonth(1)
                            .truncatedTo(ChronoUnit.DAYS)
                            .toInstant();
                default ->
                    t.atZone(ZONES.get(random.nextInt(ZONES.size())))
                            .truncatedTo(ChronoUnit.DAYS)
                            .toInstant();
            };
        }

        /** Up to {@code count} distinct rows of the ledger, at random. */
        private List<UUID> pickRows(int count) {
            Set<UUID> picked = new LinkedHashSet<>();
            for (int i = 0; i < count && !ids.isEmpty(); i++) {
                picked.add(ids.get(random.nextInt(ids.size())));
            }
            return new ArrayList<>(picked);
        }

        private void write(String step, SqlWork work) throws SQLException {
            steps.add(step);
            try (Connection connection = dataSource.getConnection()) {
                work.run(connection);
            }
        }

        private String context() {
            List<String> recent = steps.subList(Math.max(0, steps.size() - 8), steps.size());
            return "seed " + seed + ", step " + steps.size() + ", mode " + mode + ", last steps " + recent;
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(Connection connection) throws SQLException;
    }
}
