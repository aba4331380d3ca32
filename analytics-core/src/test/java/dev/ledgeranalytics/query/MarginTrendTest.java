package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.testing.Row;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarginTrendTest extends LedgerQueryTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");

    MarginTrendTest(DataSource dataSource) {
        super(dataSource);
    }

    @ParameterizedTest(name = "{0}: {1} is {2} hours long")
    @CsvSource(textBlock = """
            America/New_York, 2026-03-08, 23
            America/New_York, 2026-11-01, 25
            Europe/Berlin,    2026-03-29, 23
            Europe/Berlin,    2026-10-25, 25
            Asia/Kolkata,     2026-03-08, 24
            """)
    void dstDaysAreAsLongAsTheyReallyWere(String zoneName, LocalDate day, int hours) {
        ZoneId zone = ZoneId.of(zoneName);
        Instant from = day.minusDays(1).atStartOfDay(zone).toInstant();
        Instant to = day.plusDays(2).atStartOfDay(zone).toInstant();

        List<TrendBucket> days = queries.marginTrend(LedgerFilter.between(from, to), Granularity.DAY, zone)
                .buckets();
        List<TrendBucket> hourly = queries.marginTrend(
                        LedgerFilter.between(
                                day.atStartOfDay(zone).toInstant(),
                                day.plusDays(1).atStartOfDay(zone).toInstant()),
                        Granularity.HOUR,
                        zone)
                .buckets();

        assertThat(days).hasSize(3);
        assertThat(Duration.between(days.get(1).start(), days.get(1).end())).isEqualTo(Duration.ofHours(hours));
        assertThat(days.get(1).start()).isEqualTo(day.atStartOfDay(zone).toInstant());
        assertThat(hourly)
                .hasSize(hours)
                .allSatisfy(bucket -> assertThat(Duration.between(bucket.start(), bucket.end()))
                        .isEqualTo(Duration.ofHours(1)));
    }

    @Test
    void theRepeatedHourOfAFallBackNightIsABucketOfItsOwn() {
        // 01:30 EDT and 01:30 EST on 2026-11-01: the same local time, an hour apart.
        ledger.insert(
                Row.at("2026-11-01T05:30:00Z", "0.10000000", "0.01000000"),
                Row.at("2026-11-01T06:30:00Z", "0.20000000", "0.02000000"));
        Instant from = LocalDate.of(2026, 11, 1).atStartOfDay(NEW_YORK).toInstant();

        List<TrendBucket> hours = queries.marginTrend(
                        LedgerFilter.between(from, from.plus(Duration.ofHours(4))), Granularity.HOUR, NEW_YORK)
                .buckets();

        assertThat(hours)
                .extracting(TrendBucket::start)
                .containsExactly(
                        Instant.parse("2026-11-01T04:00:00Z"), Instant.parse("2026-11-01T05:00:00Z"),
                        Instant.parse("2026-11-01T06:00:00Z"), Instant.parse("2026-11-01T07:00:00Z"));
        assertThat(hours)
                .extracting(TrendBucket::vendorCost)
                .containsExactly(
                        new BigDecimal("0E-8"),
                        new BigDecimal("0.10000000"),
                        new BigDecimal("0.20000000"),
                        new BigDecimal("0E-8"));
    }

    @Test
    void dayBucketsFollowTheCallersZone() {
        // 03:30 UTC on 2 Nov is still 1 Nov in New York, already 2 Nov in Berlin.
        ledger.insert(Row.at("2026-11-02T03:30:00Z", "0.50000000", "0.25000000"));
        LedgerFilter filter =
                LedgerFilter.between(Instant.parse("2026-10-31T00:00:00Z"), Instant.parse("2026-11-04T00:00:00Z"));

        assertThat(bucketWithRequests(queries.marginTrend(filter, Granularity.DAY, NEW_YORK))
                        .start())
                .isEqualTo(LocalDate.of(2026, 11, 1).atStartOfDay(NEW_YORK).toInstant());
        assertThat(bucketWithRequests(queries.marginTrend(filter, Granularity.DAY, BERLIN))
                        .start())
                .isEqualTo(LocalDate.of(2026, 11, 2).atStartOfDay(BERLIN).toInstant());
    }

    @Test
    void hourBucketsInAHalfHourZoneStartOnTheHalfHour() {
        ledger.insert(Row.at("2026-11-02T04:45:00Z", "0.50000000", "0.25000000")); // 10:15 in Kolkata

        MarginTrend trend = queries.marginTrend(
                LedgerFilter.between(Instant.parse("2026-11-02T03:00:00Z"), Instant.parse("2026-11-02T06:00:00Z")),
                Granularity.HOUR,
                KOLKATA);

        assertThat(trend.buckets())
                .extracting(TrendBucket::start)
                .containsExactly(
                        Instant.parse("2026-11-02T02:30:00Z"), Instant.parse("2026-11-02T03:30:00Z"),
                        Instant.parse("2026-11-02T04:30:00Z"), Instant.parse("2026-11-02T05:30:00Z"));
        assertThat(bucketWithRequests(trend).start()).isEqualTo(Instant.parse("2026-11-02T04:30:00Z"));
    }

    @Test
    void monthBucketsCrossTheYearBoundaryAndAreZeroFilled() {
        ledger.insert(
                Row.at("2026-11-15T12:00:00Z", "0.10000000", "0.05000000"),
                Row.at("2027-02-01T05:00:00Z", "0.20000000", "-0.05000000").status(RequestStatus.FAILED));

        MarginTrend trend = queries.marginTrend(
                LedgerFilter.between(Instant.parse("2026-11-10T00:00:00Z"), Instant.parse("2027-02-10T00:00:00Z"))
                        .anyStatus(),
                Granularity.MONTH,
                NEW_YORK);

        assertThat(trend.granularity()).isEqualTo(Granularity.MONTH);
        assertThat(trend.zone()).isEqualTo(NEW_YORK);
        assertThat(trend.buckets())
                .extracting(TrendBucket::start)
                .containsExactly(
                        LocalDate.of(2026, 11, 1).atStartOfDay(NEW_YORK).toInstant(),
                        LocalDate.of(2026, 12, 1).atStartOfDay(NEW_YORK).toInstant(),
                        LocalDate.of(2027, 1, 1).atStartOfDay(NEW_YORK).toInstant(),
                        LocalDate.of(2027, 2, 1).atStartOfDay(NEW_YORK).toInstant());
        assertThat(trend.buckets()).extracting(TrendBucket::requests).containsExactly(1L, 0L, 0L, 1L);
        assertThat(trend.buckets().get(1).revenue()).isZero();
        assertThat(trend.buckets().get(3).grossMargin()).isEqualTo(new BigDecimal("-0.05000000"));
        assertThat(trend.buckets().get(3).revenue()).isEqualTo(new BigDecimal("0.15000000"));
        assertThat(trend.buckets().get(0).end())
                .isEqualTo(trend.buckets().get(1).start());
    }

    @Test
    void weeksStartOnMonday() {
        // Sunday 2026-11-08 23:00 in New York belongs to the week of Monday 2 Nov.
        ledger.insert(Row.at("2026-11-09T04:00:00Z", "0.10000000", "0.05000000"));

        MarginTrend trend = queries.marginTrend(
                LedgerFilter.between(Instant.parse("2026-11-04T00:00:00Z"), Instant.parse("2026-11-12T00:00:00Z")),
                Granularity.WEEK,
                NEW_YORK);

        assertThat(trend.buckets())
                .extracting(TrendBucket::start)
                .containsExactly(
                        LocalDate.of(2026, 11, 2).atStartOfDay(NEW_YORK).toInstant(),
                        LocalDate.of(2026, 11, 9).atStartOfDay(NEW_YORK).toInstant());
        assertThat(trend.buckets()).extracting(TrendBucket::requests).containsExactly(1L, 0L);
    }

    @Test
    void countsOnlyRequestsInsideTheRangeEvenInPartialBuckets() {
        ledger.insert(
                Row.at("2026-11-02T09:59:59Z", "1.00000000", "1.00000000"),
                Row.at("2026-11-02T10:00:00Z", "0.10000000", "0.10000000"),
                Row.at("2026-11-02T12:00:00Z", "2.00000000", "2.00000000"));

        MarginTrend trend = queries.marginTrend(
                LedgerFilter.between(Instant.parse("2026-11-02T10:00:00Z"), Instant.parse("2026-11-02T12:00:00Z")),
                Granularity.DAY,
                ZoneId.of("UTC"));

        assertThat(trend.buckets()).singleElement().satisfies(day -> {
            assertThat(day.start()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
            assertThat(day.requests()).isEqualTo(1);
            assertThat(day.vendorCost()).isEqualTo(new BigDecimal("0.10000000"));
        });
    }

    @Test
    void refusesARangeThatWouldNeedMoreThanTenThousandBuckets() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        LedgerFilter exactlyTenThousandHours = LedgerFilter.between(from, from.plus(Duration.ofHours(10_000)));
        LedgerFilter oneHourMore = LedgerFilter.between(from, from.plus(Duration.ofHours(10_001)));
        ZoneId utc = ZoneId.of("UTC");

        assertThat(queries.marginTrend(exactlyTenThousandHours, Granularity.HOUR, utc)
                        .buckets())
                .hasSize(10_000);
        assertThatThrownBy(() -> queries.marginTrend(oneHourMore, Granularity.HOUR, utc))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("granularity HOUR")
                .hasMessageContaining("more than 10000 buckets");
        assertThat(queries.marginTrend(oneHourMore, Granularity.DAY, utc).buckets())
                .hasSize(417);
    }

    private static TrendBucket bucketWithRequests(MarginTrend trend) {
        return trend.buckets().stream()
                .filter(bucket -> bucket.requests() > 0)
                .findFirst()
                .orElseThrow();
    }
}
