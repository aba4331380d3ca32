package dev.ledgeranalytics.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever the order of inserts across months (current, late, for months retention dropped, far
 * in the past, years ahead), deletes, partition creation, retention and refreshes, every query
 * answers as an oracle that knows every row ever written, the dropped ones included: sums exact,
 * nothing lost. What needs raw rows retention dropped fails naming the boundary; nothing answers in
 * part. Each seed plays one history on a database of its own (retention cannot be undone); a
 * failure names the seed, the step and the history so far.
 */
class RetentionPropertyTest {

    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final int STEPS = 30;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {15L, 2026L, 777_777L})
    void everyAnswerIsTheOraclesOrARefusalNamingTheBoundary(long seed) throws Exception {
        try (TestDatabase database = TestDatabase.migrated()) {
            new History(seed, database.dataSource()).play();
        }
    }

    private static final class History {

        private final long seed;
        private final DataSource dataSource;
        private final Ledger ledger;
        private final Random random;
        private final List<UUID> users;
        private final LedgerWriter writer;
        private final List<String> steps = new ArrayList<>();
        /** The rows retention dropped, as they were read back before it dropped them. */
        private final List<Row> dropped = new ArrayList<>();

        private Instant now = START.plus(Duration.ofDays(100));
        private Instant boundary;
        private int answered;
        private int refused;

        History(long seed, DataSource dataSource) {
            this.seed = seed;
            this.dataSource = dataSource;
            this.ledger = new Ledger(dataSource).withProviders();
            this.random = new Random(seed);
            this.users = LedgerWriter.users(random, 12);
            this.writer = new LedgerWriter(random, users);
        }

        void play() throws Exception {
            insert("insert 600 rows of the first 100 days", writer.rows(600, START, now));
            Rollups.create(dataSource).refresh();
            for (int step = 1; step <= STEPS; step++) {
                randomStep();
                compare();
            }
            assertThat(boundary).as("retention dropped months, " + context()).isNotNull();
            assertThat(answered).as("comparisons answered, " + context()).isPositive();
            assertThat(refused).as("comparisons refused, " + context()).isPositive();
        }

        private void randomStep() throws SQLException {
            int pick = random.nextInt(100);
            if (pick < 20) {
                insert("insert current rows", writer.rows(1 + random.nextInt(40), now.minus(Duration.ofDays(2)), now));
            } else if (pick < 32) {
                insert("insert late rows", writer.rows(1 + random.nextInt(20), START, now));
            } else if (pick < 40 && boundary != null) {
                insert("insert rows of dropped months", writer.rows(1 + random.nextInt(5), START, boundary));
            } else if (pick < 45) {
                Instant at = START.minus(Duration.ofDays(365L * (2 + random.nextInt(4))));
                insert("insert rows years in the past", writer.rows(1 + random.nextInt(3), at, at.plusSeconds(86_400)));
            } else if (pick < 50) {
                Instant at = now.plus(Duration.ofDays(30 + random.nextInt(700)));
                insert("insert rows months ahead", writer.rows(1 + random.nextInt(3), at, at.plusSeconds(86_400)));
            } else if (pick < 56) {
                Instant from = writer.instant(boundary == null ? START : boundary, now);
                Instant to = from.plus(Duration.ofHours(1 + random.nextInt(12)));
                try (Connection connection = dataSource.getConnection()) {
                    steps.add("delete the rows in [" + from + ", " + to + "): "
                            + LedgerWriter.deleteBetween(connection, from, to).size());
                }
            } else if (pick < 66) {
                int ahead = random.nextInt(4);
                steps.add("ensure " + ahead + " months ahead");
                Partitions.create(dataSource).withClock(clock()).ensure(ahead);
            } else if (pick < 78) {
                retain(2 + random.nextInt(8));
            } else if (pick < 88) {
                steps.add("refresh");
                Rollups.create(dataSource).refresh();
            } else {
                now = now.plus(Duration.ofDays(1 + random.nextInt(45)));
                steps.add("now " + now);
            }
        }

        private void insert(String step, List<Row> rows) {
            steps.add(step + " (" + rows.size() + ")");
            ledger.insert(rows);
        }

        /** Keeps {@code months} months; the rows it drops join {@link #dropped}, as they were. */
        private void retain(int months) {
            steps.add("keep " + months + " months");
            List<Row> before = ledger.readBack();
            RetentionResult result =
                    Retention.create(dataSource).withClock(clock()).keepMonths(months);
            if (result.retainedFrom() == null) {
                return;
            }
            boundary = result.retainedFrom();
            List<Row> gone = before.stream()
                    .filter(row -> row.createdAt().isBefore(boundary))
                    .toList();
            assertThat(ledger.readBack())
                    .as("rows kept, " + context())
                    .hasSize(before.size() - gone.size())
                    .allSatisfy(row -> assertThat(row.createdAt()).isAfterOrEqualTo(boundary));
            assertThat((long) gone.size()).as("rows dropped, " + context()).isEqualTo(result.rowsDropped());
            dropped.addAll(gone);
        }

        /** Random ranges, aligned to quarter hours or not, some before the boundary, compared with the oracle. */
        private void compare() throws SQLException {
            List<Row> all = new ArrayList<>(dropped);
            all.addAll(ledger.readBack());
            AnalyticsQueries queries = AnalyticsQueries.create(dataSource);
            for (int i = 0; i < 3; i++) {
                Instant from = writer.instant(START.minus(Duration.ofDays(30)), now);
                Instant to = writer.instant(from.plusSeconds(1), now.plus(Duration.ofDays(30)));
                // Whole UTC days: the rollups' buckets before the boundary, which they answer alone.
                boolean aligned = random.nextBoolean();
                if (aligned) {
                    from = from.truncatedTo(ChronoUnit.DAYS);
                    to = to.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
                }
                LedgerFilter filter = LedgerFilter.between(from, to);
                filter = random.nextBoolean() ? filter.anyStatus() : filter;
                if (random.nextInt(3) == 0) {
                    filter = filter.providers("openai", "anthropic");
                }
                // The gross margin compares with as long a span before the range.
                Instant earliest = from.minus(Duration.between(from, to));
                boolean needsNoDroppedRow = boundary == null || !earliest.isBefore(boundary);
                LedgerFilter f = filter;
                String where = filter + (aligned ? ", aligned" : "") + ", " + context();
                check(() -> queries.grossMargin(f), Oracle.grossMargin(all, f), aligned || needsNoDroppedRow, where);
                checkProviderCosts(queries, all, f, aligned || needsNoDroppedRow, where);
                checkTrend(queries, all, f, aligned || needsNoDroppedRow, where);
                // The users' rollup keeps no provider: with one in the filter, the breakdown reads the ledger.
                checkUsers(queries, all, f, (aligned && f.providers() == null) || needsNoDroppedRow, where);
                // The users' rollup answers a user filter on the totals; whole days or refused.
                LedgerFilter oneUser = f.users(users.get(0));
                check(
                        () -> queries.grossMargin(oneUser),
                        Oracle.grossMargin(all, oneUser),
                        (aligned && f.providers() == null) || needsNoDroppedRow,
                        "a user filter, " + where);
                if (boundary != null && from.isBefore(boundary)) {
                    assertRefusedNamingTheBoundary(() -> queries.withRawReads().grossMargin(f), "raw reads, " + where);
                    assertRefusedNamingTheBoundary(
                            () -> CsvExporter.create(dataSource).exportLedger(f, new StringWriter()),
                            "the ledger export, " + where);
                } else if (boundary != null && !earliest.isBefore(boundary)) {
                    assertThat(queries.withRawReads().grossMargin(f))
                            .as("raw reads after the boundary, " + where)
                            .isEqualTo(Oracle.grossMargin(all, f));
                }
            }
        }

        /**
         * The answer equals the oracle's; or, unless it {@code mustAnswer}, it is refused naming the
         * boundary, and only when there is one.
         */
        private <T> void check(Supplier<T> query, T expected, boolean mustAnswer, String where) {
            checkWith(query, actual -> assertThat(actual).as(where).isEqualTo(expected), mustAnswer, where);
        }

        private <T> void checkWith(Supplier<T> query, Consumer<T> verify, boolean mustAnswer, String where) {
            T actual;
            try {
                actual = query.get();
            } catch (AnalyticsException e) {
                assertThat(mustAnswer)
                        .as("refused though it must answer: " + e.getMessage() + ", " + where)
                        .isFalse();
                assertThat(boundary)
                        .as("refused without a boundary: " + e.getMessage() + ", " + where)
                        .isNotNull();
                assertThat(e.getMessage()).as(where).contains("retention dropped", boundary.toString());
                refused++;
                return;
            }
            answered++;
            verify.accept(actual);
        }

        private void checkProviderCosts(
                AnalyticsQueries queries, List<Row> all, LedgerFilter filter, boolean mustAnswer, String where) {
            checkWith(
                    () -> queries.providerCosts(filter),
                    actual -> {
                        Map<String, ProviderCost> bySlug =
                                actual.stream().collect(Collectors.toMap(ProviderCost::slug, Function.identity()));
                        assertThat(actual)
                                .as("providerCosts, " + where)
                                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("costShare")
                                .containsExactlyElementsOf(Oracle.providerCostsWithoutShares(all, filter, bySlug));
                    },
                    mustAnswer,
                    "providerCosts, " + where);
        }

        private void checkTrend(
                AnalyticsQueries queries, List<Row> all, LedgerFilter filter, boolean mustAnswer, String where) {
            Map<Instant, TrendBucket> expected = Oracle.trendTotals(all, filter, Granularity.MONTH, ZoneOffset.UTC);
            check(
                    () -> queries.marginTrend(filter, Granularity.MONTH, ZoneOffset.UTC).buckets().stream()
                            .filter(bucket -> bucket.requests() > 0)
                            .map(History::sums)
                            .toList(),
                    expected.values().stream().map(History::sums).toList(),
                    mustAnswer,
                    "marginTrend, " + where);
        }

        private static List<Object> sums(TrendBucket bucket) {
            return List.of(
                    bucket.start(), bucket.requests(), bucket.revenue(), bucket.vendorCost(), bucket.grossMargin());
        }

        private void checkUsers(
                AnalyticsQueries queries, List<Row> all, LedgerFilter filter, boolean mustAnswer, String where) {
            check(
                    () -> {
                        List<UserUsage> paged = new ArrayList<>();
                        String cursor = null;
                        do {
                            UserPage page = queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, cursor);
                            paged.addAll(page.users());
                            cursor = page.next();
                        } while (cursor != null);
                        return paged;
                    },
                    Oracle.users(all, filter, UserSort.GROSS_MARGIN_DESC),
                    mustAnswer,
                    "userBreakdown, " + where);
        }

        private void assertRefusedNamingTheBoundary(Runnable call, String where) {
            assertThatThrownBy(call::run)
                    .as(where)
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("retention dropped")
                    .hasMessageContaining(boundary.toString());
            refused++;
        }

        private Clock clock() {
            return Clock.fixed(now, ZoneOffset.UTC);
        }

        private String context() {
            return "seed " + seed + ", after " + String.join("; ", steps);
        }
    }
}
