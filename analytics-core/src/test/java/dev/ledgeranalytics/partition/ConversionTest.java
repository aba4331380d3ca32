package dev.ledgeranalytics.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.rollup.RollupAnswers;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An unpartitioned ledger, fifteen months of it, becomes a partitioned one while writers insert,
 * move and delete rows of their own and touch the others: no row is lost or doubled, every row
 * is as its last write left it, the dashboard answers as before, and the rollups stay exact.
 */
class ConversionTest {

    private static final Instant FROM = Instant.parse("2025-09-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-15T00:00:00Z");
    private static final Clock NOW = Clock.fixed(TO.plusSeconds(43_200), ZoneOffset.UTC);
    /** The tier of the rows the writers add while the conversion runs; the seeded rows have others. */
    private static final String WRITERS_TIER = "conversion-test";

    /** Every column but updated_at, which the writers touch on seeded rows without changing them. */
    private static final String SEEDED_ROWS_DIGEST = """
            SELECT count(*) || ' ' || md5(string_agg(row(id, request_id, created_at, status, provider_id, model_id, user_id,
                       user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens,
                       output_tokens, cached_input_tokens, reasoning_tokens, margin_multiplier)::text, ',' ORDER BY id))
            FROM analytics.token_usage_ledger WHERE user_tier <> 'conversion-test'""";

    private TestDatabase database;
    private DataSource dataSource;
    private Ledger ledger;

    @BeforeEach
    void fifteenUnpartitionedMonths() {
        database = TestDatabase.migratedUnpartitioned();
        dataSource = database.dataSource();
        ledger = new Ledger(dataSource);
        LedgerSeeder.into(dataSource)
                .rows(40_000)
                .between(FROM, TO)
                .users(300)
                .seed(15)
                .load(); // registers the providers the writers' rows name too
    }

    @AfterEach
    void dropIt() {
        database.close();
    }

    @ParameterizedTest
    @EnumSource(RollupMode.class)
    void writersKeepWritingAndNoRowIsLostOrDoubled(RollupMode mode) throws Exception {
        Rollups rollups = Rollups.create(dataSource);
        rollups.refresh();
        rollups.mode(mode);
        ledger.execute("GRANT SELECT (request_id) ON analytics.token_usage_ledger TO PUBLIC");
        ledger.execute("GRANT INSERT ON analytics.token_usage_ledger TO PUBLIC");
        String grantsBefore = grants();
        List<String> seededTiers = strings("SELECT DISTINCT user_tier FROM analytics.token_usage_ledger ORDER BY 1");
        LedgerFilter seededRows = LedgerFilter.between(FROM, TO).anyStatus().tiers(seededTiers);
        Map<String, Object> answersBefore =
                answers(AnalyticsQueries.create(dataSource).withRawReads(), seededRows);
        String digestBefore = digest();

        Writers writers = new Writers();
        writers.start();
        ConversionResult result;
        long opsBefore;
        long opsAfter;
        try {
            writers.awaitOps(20);
            opsBefore = writers.ops.get();
            result = Partitions.create(dataSource).withClock(NOW).convert();
            opsAfter = writers.ops.get();
            writers.awaitOps(opsAfter + 20);
        } finally {
            writers.stop();
        }

        assertThat(opsAfter - opsBefore).as("writes while the conversion ran").isPositive();
        assertThat(Partitions.create(dataSource).partitioned()).isTrue();
        assertThat(result.rowsCopied()).isGreaterThanOrEqualTo(40_000);
        assertThat(result.partitions())
                .contains(
                        "token_usage_ledger_default",
                        "token_usage_ledger_y2025m09",
                        "token_usage_ledger_y2026m11",
                        "token_usage_ledger_y2027m01")
                .hasSize(1 + 17);
        assertThat(result.longestWritePause()).isPositive().isLessThan(result.elapsed());
        assertThat(count("SELECT count(*) FROM analytics.token_usage_ledger"))
                .isEqualTo(40_000 + writers.rows.size())
                .isEqualTo(count("SELECT count(DISTINCT id) FROM analytics.token_usage_ledger"));
        assertThat(writersRows()).isEqualTo(writers.rows);
        assertThat(digest()).isEqualTo(digestBefore);
        assertThat(grants()).isEqualTo(grantsBefore);
        assertThat(count("SELECT count(*) FROM pg_class WHERE relname LIKE 'token_usage_ledger_%partitioned'"))
                .as("nothing of the conversion left")
                .isZero();

        assertThat(answers(AnalyticsQueries.create(dataSource).withRawReads(), seededRows))
                .isEqualTo(answersBefore);
        assertThat(answers(AnalyticsQueries.create(dataSource), seededRows)).isEqualTo(answersBefore);
        rollups.refresh();
        RollupAnswers everything = new RollupAnswers(dataSource);
        everything.assertSame(
                "after the conversion, in " + mode + " mode",
                LedgerFilter.between(FROM, TO.plusSeconds(86_400)).anyStatus(),
                Granularity.DAY,
                ZoneId.of("Europe/Berlin"),
                UserSort.GROSS_MARGIN_DESC,
                7);
        // The rollups' triggers came along: a write after the conversion is recorded.
        ledger.insert(new LedgerWriter(new Random(3), LedgerWriter.users(new Random(3), 2))
                .row(Instant.parse("2026-02-03T04:05:06Z"))
                .tier(WRITERS_TIER));
        if (mode == RollupMode.REFRESH) {
            assertThat(rollups.status().pendingQuarterHours()).isPositive();
            rollups.refresh();
        }
        everything.assertSame(
                "after a write that followed the conversion",
                LedgerFilter.between(FROM, TO.plusSeconds(86_400)).anyStatus(),
                Granularity.DAY,
                ZoneId.of("Europe/Berlin"),
                UserSort.GROSS_MARGIN_DESC,
                7);
    }

    @Test
    void aLeftoverOfAFailedRunIsDroppedAndTheConversionStartsOver() {
        ledger.execute("CREATE TABLE analytics.token_usage_ledger_partitioned (n int)");

        ConversionResult result = Partitions.create(dataSource).withClock(NOW).convert();

        assertThat(result.rowsCopied()).isEqualTo(40_000);
        assertThat(count("SELECT count(*) FROM analytics.token_usage_ledger")).isEqualTo(40_000);
        assertThat(Partitions.create(dataSource).list())
                .filteredOn(partition -> YearMonth.of(2026, 3).equals(partition.month()))
                .singleElement()
                .satisfies(partition -> assertThat(partition.estimatedRows()).isPositive());
    }

    @Test
    void aPartitionedLedgerIsNotConvertedAgain() {
        Partitions partitions = Partitions.create(dataSource).withClock(NOW);
        partitions.convert();

        assertThatThrownBy(partitions::convert)
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("is partitioned already");
    }

    /** Every answer of the dashboard for {@code filter}, by the call that gave it. */
    private static Map<String, Object> answers(AnalyticsQueries queries, LedgerFilter filter) {
        Map<String, Object> answers = new LinkedHashMap<>();
        answers.put("grossMargin", queries.grossMargin(filter));
        answers.put("providerCosts", queries.providerCosts(filter));
        answers.put("marginTrend", queries.marginTrend(filter, Granularity.WEEK, ZoneId.of("America/New_York")));
        answers.put("costDistributionByModel", queries.costDistributionByModel(filter));
        answers.put("userBreakdown", queries.userBreakdown(filter, UserSort.VENDOR_COST_DESC, 10, null));
        return answers;
    }

    /**
     * Inserts rows of their own, moves and deletes some of them, and touches seeded rows without
     * changing them, until stopped; {@link #rows} is what the ledger must hold of theirs after.
     */
    private final class Writers {

        final Map<UUID, Instant> rows = new HashMap<>();
        final AtomicLong ops = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService threads = Executors.newSingleThreadExecutor();
        private Future<?> work;

        void start() {
            work = threads.submit(() -> {
                Random random = new Random(17);
                LedgerWriter writer = new LedgerWriter(random, LedgerWriter.users(random, 20));
                try (Connection connection = dataSource.getConnection()) {
                    while (running.get()) {
                        write(connection, writer, random);
                        ops.incrementAndGet();
                    }
                }
                return null;
            });
        }

        private void write(Connection connection, LedgerWriter writer, Random random) throws SQLException {
            List<UUID> mine = new ArrayList<>(rows.keySet());
            int pick = random.nextInt(10);
            if (pick < 6 || mine.isEmpty()) {
                List<Row> batch = new ArrayList<>();
                for (int i = 1 + random.nextInt(5); i > 0; i--) {
                    // Far enough inside the seeded months that a move keeps them there.
                    batch.add(writer.row(writer.instant(FROM.plus(Duration.ofDays(45)), TO.minus(Duration.ofDays(45))))
                            .tier(WRITERS_TIER));
                }
                List<UUID> ids = writer.insert(connection, batch);
                for (int i = 0; i < ids.size(); i++) {
                    rows.put(ids.get(i), batch.get(i).createdAt());
                }
            } else if (pick < 8) {
                UUID id = mine.get(random.nextInt(mine.size()));
                // Across months and so across partitions, now and then.
                rows.put(id, move(connection, id, random.nextInt(80 * 86_400) - 40 * 86_400));
            } else if (pick < 9) {
                UUID id = mine.get(random.nextInt(mine.size()));
                LedgerWriter.delete(connection, List.of(id));
                rows.remove(id);
            } else {
                // Locked in id order first: two writers touching the same rows in different orders deadlock.
                try (PreparedStatement touch = connection.prepareStatement(
                        "WITH picked AS (SELECT id FROM analytics.token_usage_ledger TABLESAMPLE SYSTEM (1)"
                                + " ORDER BY id LIMIT 3 FOR UPDATE)"
                                + " UPDATE analytics.token_usage_ledger SET updated_at = now()"
                                + " WHERE id IN (SELECT id FROM picked)")) {
                    touch.executeUpdate();
                }
            }
        }

        private Instant move(Connection connection, UUID id, int seconds) throws SQLException {
            try (PreparedStatement move = connection.prepareStatement(
                    "UPDATE analytics.token_usage_ledger SET created_at = created_at + make_interval(secs => ?)"
                            + " WHERE request_id = ? RETURNING created_at")) {
                move.setInt(1, seconds);
                move.setObject(2, id);
                try (ResultSet moved = move.executeQuery()) {
                    moved.next();
                    return moved.getObject(1, java.time.OffsetDateTime.class).toInstant();
                }
            }
        }

        void awaitOps(long count) throws InterruptedException {
            while (ops.get() < count) {
                if (work.isDone()) {
                    return;
                }
                Thread.sleep(10);
            }
        }

        void stop() throws Exception {
            running.set(false);
            work.get(60, TimeUnit.SECONDS);
            threads.shutdown();
        }
    }

    private Map<UUID, Instant> writersRows() throws SQLException {
        Map<UUID, Instant> rows = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT request_id, created_at FROM analytics.token_usage_ledger WHERE user_tier = ?")) {
            select.setString(1, WRITERS_TIER);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.put(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, java.time.OffsetDateTime.class).toInstant());
                }
            }
        }
        return rows;
    }

    private String digest() {
        return strings(SEEDED_ROWS_DIGEST).get(0);
    }

    /** The ledger's grants on the table and on each column, as the catalog lists them. */
    private String grants() {
        return String.join("; ", strings("""
                        SELECT '(table): ' || x.privilege_type || ' to ' || x.grantee::regrole
                        FROM pg_class c, aclexplode(c.relacl) x
                        WHERE c.oid = 'analytics.token_usage_ledger'::regclass AND x.grantee <> c.relowner
                        UNION ALL
                        SELECT a.attname || ': ' || x.privilege_type || ' to ' || x.grantee::regrole
                        FROM pg_attribute a, aclexplode(a.attacl) x
                        WHERE a.attrelid = 'analytics.token_usage_ledger'::regclass AND a.attnum > 0
                        ORDER BY 1"""));
    }

    private long count(String sql) {
        return ledger.count(sql);
    }

    private List<String> strings(String sql) {
        List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                ResultSet rs = connection.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
        return values;
    }
}
