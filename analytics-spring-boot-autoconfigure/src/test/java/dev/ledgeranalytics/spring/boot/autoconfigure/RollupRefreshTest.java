package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.RollupStatus;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** The scheduled refresh, from start-up to shutdown, in an application started and stopped by the test. */
class RollupRefreshTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final String REFRESH_THREAD = "ledger-analytics-rollups";

    @Test
    void keepsAnswersEqualToRawReadsWhileRowsArriveAndStopsWithTheApplication() throws InterruptedException {
        try (TestDatabase database = TestDatabase.migrated()) {
            TestLedger ledger = TestLedger.in(database.dataSource());
            try (ConfigurableApplicationContext host = new SpringApplicationBuilder(TestHost.class)
                    .properties(
                            "spring.datasource.url=" + database.jdbcUrl(),
                            "ledger.analytics.rollups.enabled=true",
                            "ledger.analytics.rollups.refresh-interval=50ms")
                    .run()) {
                AnalyticsQueries queries = host.getBean(AnalyticsQueries.class);
                Rollups rollups = host.getBean(Rollups.class);
                LedgerFilter month = LedgerFilter.between(START, START.plus(Duration.ofDays(30)));
                for (int round = 0; round < 5; round++) {
                    for (int row = 0; row < 20; row++) {
                        ledger.row()
                                .at(START.plus(Duration.ofMinutes(97L * (round * 20 + row))))
                                .vendorCost("0.%08d".formatted((row + 1) * 1_000))
                                .insert();
                    }
                    Instant written = Instant.now();
                    RollupStatus status = awaitRefreshAfter(rollups, written);

                    assertThat(status.built()).isTrue();
                    assertThat(queries.grossMargin(month))
                            .isEqualTo(queries.withRawReads().grossMargin(month));
                    assertThat(queries.marginTrend(month, Granularity.DAY, ZoneId.of("Asia/Kathmandu")))
                            .isEqualTo(queries.withRawReads()
                                    .marginTrend(month, Granularity.DAY, ZoneId.of("Asia/Kathmandu")));
                }
                assertThat(threadNames()).contains(REFRESH_THREAD);
                MeterRegistry meters = host.getBean(MeterRegistry.class);
                assertThat(meters.get(RollupRefresher.OBSERVATION)
                                .tag("outcome", "built")
                                .timer()
                                .count())
                        .isEqualTo(1);
                assertThat(meters.get(RollupRefresher.OBSERVATION)
                                .tag("outcome", "refreshed")
                                .timer()
                                .count())
                        .isPositive();
            }
            assertThat(threadNames()).doesNotContain(REFRESH_THREAD);
        }
    }

    /**
     * A trigger-mode writer holds the schema's rollup lock until it commits, as a refresh of
     * another instance would: the scheduled refresh skips its turns meanwhile instead of queueing.
     */
    @Test
    void skipsItsTurnWhileTheRollupLockIsHeldElsewhere() throws Exception {
        try (TestDatabase database = TestDatabase.migrated();
                ConfigurableApplicationContext host = new SpringApplicationBuilder(TestHost.class)
                        .properties(
                                "spring.datasource.url=" + database.jdbcUrl(),
                                "ledger.analytics.rollups.enabled=true",
                                "ledger.analytics.rollups.mode=trigger",
                                "ledger.analytics.rollups.refresh-interval=20ms")
                        .run()) {
            Rollups rollups = host.getBean(Rollups.class);
            awaitRefreshAfter(rollups, Instant.now());
            MeterRegistry meters = host.getBean(MeterRegistry.class);
            try (Connection writer = database.dataSource().getConnection()) {
                writer.setAutoCommit(false);
                TestLedger.in(new SingleConnectionDataSource(writer, true))
                        .row()
                        .at(START)
                        .insert();
                double skippedBefore = count(meters, "skipped");
                Thread.sleep(500);

                assertThat(count(meters, "skipped")).isGreaterThan(skippedBefore);
                writer.commit();
            }
            double refreshedBefore = count(meters, "refreshed");
            awaitRefreshAfter(rollups, Instant.now());
            assertThat(count(meters, "refreshed")).isGreaterThan(refreshedBefore);
        }
    }

    private static double count(MeterRegistry meters, String outcome) {
        Timer timer =
                meters.find(RollupRefresher.OBSERVATION).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private static RollupStatus awaitRefreshAfter(Rollups rollups, Instant written) throws InterruptedException {
        Instant deadline = written.plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            RollupStatus status = rollups.status();
            if (status.pendingQuarterHours() == 0
                    && status.refreshedAt() != null
                    && status.refreshedAt().isAfter(written)) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no refresh applied the writes of " + written + " within 30 s");
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .toList();
    }
}
