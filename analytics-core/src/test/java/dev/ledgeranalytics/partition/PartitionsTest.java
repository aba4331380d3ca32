package dev.ledgeranalytics.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/**
 * A new install's ledger is partitioned by month; {@link Partitions#ensure} creates the months
 * ahead, idempotently and safely from many callers at once, and moves rows that landed in the
 * default partition into months of their own, losing none and changing no answer.
 */
class PartitionsTest {

    private static final Clock NOVEMBER = Clock.fixed(Instant.parse("2026-11-15T12:00:00Z"), ZoneOffset.UTC);
    private static final LedgerFilter EVERYTHING = LedgerFilter.between(
                    Instant.parse("2015-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z"))
            .anyStatus();

    private TestDatabase database;
    private DataSource dataSource;
    private Partitions partitions;

    @BeforeEach
    void freshLedger() {
        database = TestDatabase.migrated();
        dataSource = database.dataSource();
        new Ledger(dataSource).withProviders();
        partitions = Partitions.create(dataSource).withClock(NOVEMBER);
    }

    @AfterEach
    void dropIt() {
        database.close();
    }

    @Test
    void aNewInstallIsPartitionedByMonthWithADefaultPartition() {
        assertThat(partitions.partitioned()).isTrue();
        List<LedgerPartition> list = partitions.list();
        assertThat(list.get(0).isDefault()).isTrue();
        assertThat(list.get(0).name()).isEqualTo("token_usage_ledger_default");
        assertThat(list.subList(1, list.size())).allSatisfy(partition -> {
            assertThat(partition.name()).matches("token_usage_ledger_y\\d{4}m\\d{2}");
            assertThat(partition.to())
                    .isEqualTo(partition
                            .month()
                            .plusMonths(1)
                            .atDay(1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant());
        });
    }

    @Test
    void ensureCreatesTheMonthsAheadOnceAndAgainNothing() {
        List<LedgerPartition> created = partitions.ensure(3);

        assertThat(partitions.list())
                .extracting(LedgerPartition::month)
                .contains(YearMonth.of(2026, 11), YearMonth.of(2026, 12), YearMonth.of(2027, 1), YearMonth.of(2027, 2));
        assertThat(created)
                .allSatisfy(partition -> assertThat(partition.month()).isNotNull());
        assertThat(partitions.ensure(3)).isEmpty();
    }

    @Test
    void rowsOfMonthsWithoutAPartitionAreKeptAndMovedIntoTheirOwnMonthWithoutChangingAnyAnswer() {
        Ledger ledger = new Ledger(dataSource);
        List<Row> rows = new ArrayList<>();
        for (String at : List.of(
                "2019-03-04T05:06:07Z",
                "2019-03-30T23:59:59.999999Z",
                "2026-11-20T10:00:00Z",
                "2028-11-01T00:00:00Z",
                "2028-11-30T12:00:00Z")) {
            rows.add(Row.at(at, "0.00123400", "0.00100000"));
        }
        ledger.insert(rows);
        Rollups.create(dataSource).refresh();
        AnalyticsQueries queries = AnalyticsQueries.create(dataSource);
        var before = queries.grossMargin(EVERYTHING);
        var trendBefore = queries.marginTrend(EVERYTHING, Granularity.MONTH, ZoneId.of("UTC"));

        List<LedgerPartition> created = partitions.ensure(1);

        assertThat(created).extracting(LedgerPartition::month).contains(YearMonth.of(2019, 3), YearMonth.of(2028, 11));
        assertThat(count("token_usage_ledger_default")).isZero();
        assertThat(count("token_usage_ledger_y2019m03")).isEqualTo(2);
        assertThat(count("token_usage_ledger_y2028m11")).isEqualTo(2);
        assertThat(count("token_usage_ledger")).isEqualTo(5);
        assertThat(queries.grossMargin(EVERYTHING)).isEqualTo(before);
        assertThat(queries.marginTrend(EVERYTHING, Granularity.MONTH, ZoneId.of("UTC")))
                .isEqualTo(trendBefore);
        assertThat(queries.withRawReads().grossMargin(EVERYTHING)).isEqualTo(before);
        assertThat(Rollups.create(dataSource).status().pendingQuarterHours()).isZero();
    }

    @Test
    void manyCallersAtOnceWhileWritersInsertLoseNoRowAndCreateEachMonthOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        List<Future<?>> writers = new ArrayList<>();
        try {
            for (int w = 0; w < 2; w++) {
                long seed = w;
                writers.add(threads.submit(() -> {
                    LedgerWriter writer = new LedgerWriter(new Random(seed), LedgerWriter.users(new Random(seed), 20));
                    Random random = new Random(seed);
                    while (writing.get()) {
                        // Anywhere from 2024 to 2028: months that exist, and months ensure is creating.
                        Instant at = Instant.parse("2024-01-01T00:00:00Z")
                                .plusSeconds((long) (random.nextDouble() * 5 * 365 * 86_400));
                        try (Connection connection = dataSource.getConnection()) {
                            written.addAndGet(writer.insert(connection, List.of(writer.row(at), writer.row(at)))
                                    .size());
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            List<Future<List<LedgerPartition>>> callers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                callers.add(threads.submit(() -> partitions.ensure(24)));
            }
            for (Future<List<LedgerPartition>> caller : callers) {
                caller.get(2, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> writer : writers) {
                writer.get(1, TimeUnit.MINUTES);
            }
        } finally {
            writing.set(false);
            threads.shutdownNow();
        }

        assertThat(count("token_usage_ledger")).isEqualTo(written.get());
        List<YearMonth> months = partitions.list().stream()
                .map(LedgerPartition::month)
                .filter(month -> month != null)
                .toList();
        assertThat(months).doesNotHaveDuplicates().contains(YearMonth.of(2028, 11));
        partitions.ensure(24);
        assertThat(count("token_usage_ledger_default")).isZero();
        assertThat(count("token_usage_ledger")).isEqualTo(written.get());
    }

    @Test
    void theArgumentsAreChecked() {
        assertThatThrownBy(() -> partitions.ensure(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("monthsAhead")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> partitions.withClock(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Partitions.create(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnpartitionedLedgerIsNamedAsSuch() {
        try (TestDatabase legacy = TestDatabase.migratedUnpartitioned()) {
            Partitions unpartitioned = Partitions.create(legacy.dataSource());

            assertThat(unpartitioned.partitioned()).isFalse();
            assertThatThrownBy(() -> unpartitioned.ensure(3))
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("not partitioned")
                    .hasMessageContaining("partitions convert");
        }
    }

    private long count(String table) {
        return new Ledger(dataSource).count("SELECT count(*) FROM analytics." + table);
    }
}
