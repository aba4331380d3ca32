package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.testing.CostDistributions;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every query answers the same through the rollups as from the ledger alone, for ranges that
 * start and end on and off every grain, for filters each rollup table can and cannot apply, and
 * for trends in zones offset by whole hours, half hours and quarter hours.
 */
@AnalyticsDatabase
class RollupEquivalenceTest {

    private final DataSource dataSource;
    private final AnalyticsQueries rollups;
    private final AnalyticsQueries raw;

    RollupEquivalenceTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.rollups = AnalyticsQueries.create(dataSource);
        this.raw = rollups.withRawReads();
    }

    @BeforeAll
    static void seedAndBuild(DataSource dataSource) {
        Ledger ledger = new Ledger(dataSource).withProviders();
        ledger.insert(RandomLedger.rows(8_2026L, 8_000, 40));
        assertThat(Rollups.create(dataSource).refresh().rebuilt()).isTrue();
    }

    static Stream<Arguments> ranges() {
        Instant start = RandomLedger.START;
        List<Arguments> ranges = new ArrayList<>();
        ranges.add(Arguments.of("whole months", start, start.plus(Duration.ofDays(61))));
        ranges.add(Arguments.of(
                "the whole ledger and more", start.minus(Duration.ofDays(3)), start.plus(Duration.ofDays(80))));
        // July to September whole: the cost histogram's quarter grain, holding the ledger's September.
        ranges.add(Arguments.of("a whole quarter", start.minus(Duration.ofDays(70)), start.plus(Duration.ofDays(40))));
        ranges.add(Arguments.of(
                "odd instants",
                start.plus(Duration.ofSeconds(86_400 * 3 + 1234)),
                start.plus(Duration.ofMinutes(60 * 24 * 50 + 7))));
        ranges.add(Arguments.of(
                "within one hour",
                start.plus(Duration.ofMinutes(60 * 30 + 5)),
                start.plus(Duration.ofMinutes(60 * 30 + 50))));
        ranges.add(Arguments.of(
                "quarter hours", start.plus(Duration.ofMinutes(15 * 301)), start.plus(Duration.ofMinutes(15 * 2999))));
        ranges.add(Arguments.of(
                "a microsecond",
                start.plus(Duration.ofDays(10)),
                start.plus(Duration.ofDays(10)).plusNanos(1000)));
        return ranges.stream();
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("default", (java.util.function.UnaryOperator<LedgerFilter>) f -> f),
                Arguments.of("any status", (java.util.function.UnaryOperator<LedgerFilter>) LedgerFilter::anyStatus),
                Arguments.of("failed only", (java.util.function.UnaryOperator<LedgerFilter>)
                        f -> f.statuses(RequestStatus.FAILED)),
                Arguments.of("providers", (java.util.function.UnaryOperator<LedgerFilter>)
                        f -> f.providers("openai", "google")),
                Arguments.of("models and tiers", (java.util.function.UnaryOperator<LedgerFilter>)
                        f -> f.anyStatus().models("gpt-4o", "mistral-large").tiers("pro")),
                Arguments.of(
                        "request types", (java.util.function.UnaryOperator<LedgerFilter>) f -> f.requestTypes("chat")),
                Arguments.of(
                        "no provider", (java.util.function.UnaryOperator<LedgerFilter>) f -> f.providers(List.of())),
                Arguments.of(
                        "unknown tier", (java.util.function.UnaryOperator<LedgerFilter>) f -> f.tiers("platinum")));
    }

    static Stream<Arguments> cases() {
        return ranges().flatMap(range -> filters()
                .map(filter -> Arguments.of(
                        range.get()[0] + ", " + filter.get()[0], range.get()[1], range.get()[2], filter.get()[1])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kpisProvidersAndUsersAreIdentical(
            String name, Instant from, Instant to, java.util.function.UnaryOperator<LedgerFilter> refine) {
        LedgerFilter filter = refine.apply(LedgerFilter.between(from, to));
        assertThat(rollups.grossMargin(filter)).isEqualTo(raw.grossMargin(filter));
        assertThat(rollups.providerCosts(filter)).isEqualTo(raw.providerCosts(filter));
        for (UserSort sort : UserSort.values()) {
            assertThat(rollups.userBreakdown(filter, sort, 7, null))
                    .as(sort.name())
                    .isEqualTo(raw.userBreakdown(filter, sort, 7, null));
        }
        CostDistributions.assertEquivalent(rollups.costDistribution(filter), raw.costDistribution(filter));
    }

    static Stream<Arguments> trends() {
        List<Arguments> trends = new ArrayList<>();
        Instant start = RandomLedger.START;
        for (String zone : List.of(
                "UTC",
                "America/New_York",
                "Asia/Kolkata",
                "Asia/Kathmandu",
                "Australia/Lord_Howe",
                "Pacific/Chatham")) {
            trends.add(Arguments.of(
                    zone, Granularity.DAY, start.minus(Duration.ofHours(7)), start.plus(Duration.ofDays(76))));
            trends.add(Arguments.of(zone, Granularity.WEEK, start, start.plus(Duration.ofDays(70))));
            trends.add(Arguments.of(
                    zone, Granularity.MONTH, start.minus(Duration.ofDays(10)), start.plus(Duration.ofDays(90))));
            trends.add(Arguments.of(
                    zone,
                    Granularity.HOUR,
                    start.plus(Duration.ofMinutes(60 * 24 * 60 + 7)),
                    start.plus(Duration.ofDays(65))));
        }
        return trends.stream();
    }

    @ParameterizedTest(name = "{1} in {0}")
    @MethodSource("trends")
    void trendsAreIdenticalInEveryZone(String zone, Granularity granularity, Instant from, Instant to) {
        for (LedgerFilter filter : List.of(
                LedgerFilter.between(from, to),
                LedgerFilter.between(from, to).anyStatus().providers("anthropic"),
                LedgerFilter.between(from, to).tiers("free", "enterprise"))) {
            assertThat(rollups.marginTrend(filter, granularity, ZoneId.of(zone)))
                    .isEqualTo(raw.marginTrend(filter, granularity, ZoneId.of(zone)));
        }
    }

    @Test
    void userPagesFollowEachOtherThroughTheRollups() {
        LedgerFilter filter = LedgerFilter.between(RandomLedger.START, RandomLedger.START.plus(RandomLedger.SPAN))
                .anyStatus();
        String cursor = null;
        do {
            UserPage fromRollups = rollups.userBreakdown(filter, UserSort.MARGIN_RATIO_DESC, 6, cursor);
            assertThat(fromRollups).isEqualTo(raw.userBreakdown(filter, UserSort.MARGIN_RATIO_DESC, 6, cursor));
            cursor = fromRollups.next();
        } while (cursor != null);
    }

    @Test
    void theQueriesReallyReadTheRollups() {
        LedgerFilter filter = LedgerFilter.between(RandomLedger.START, RandomLedger.START.plus(Duration.ofDays(60)));
        GrossMargin before = rollups.grossMargin(filter);
        new Ledger(dataSource)
                .execute("UPDATE analytics.rollup_status SET requests = requests + 1000 "
                        + "WHERE grain = 3 AND bucket_start = '" + RandomLedger.START.plus(Duration.ofDays(5))
                        + "' AND status = 'success'");
        try {
            assertThat(rollups.grossMargin(filter).current().requests())
                    .isEqualTo(before.current().requests() + 1000);
            assertThat(raw.grossMargin(filter)).isEqualTo(before);
        } finally {
            new Ledger(dataSource)
                    .execute("UPDATE analytics.rollup_status SET requests = requests - 1000 "
                            + "WHERE grain = 3 AND bucket_start = '" + RandomLedger.START.plus(Duration.ofDays(5))
                            + "' AND status = 'success'");
        }
    }
}
