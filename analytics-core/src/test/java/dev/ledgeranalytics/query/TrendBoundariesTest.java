package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendBoundariesTest {

    private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");

    @Test
    void hourBucketsGetBackOntoClockHoursAfterAHalfHourOffsetChange() {
        // 2026-04-05 02:00 local, clocks go back half an hour (+11:00 to +10:30).
        List<Instant> boundaries = TrendBoundaries.of(
                Instant.parse("2026-04-04T13:00:00Z"),
                Instant.parse("2026-04-04T18:00:00Z"),
                Granularity.HOUR,
                LORD_HOWE);

        assertThat(boundaries.stream()
                        .map(b -> b.atZone(LORD_HOWE).toLocalTime())
                        .toList())
                .containsExactly(
                        LocalTime.of(0, 0),
                        LocalTime.of(1, 0),
                        LocalTime.of(1, 30),
                        LocalTime.of(2, 0),
                        LocalTime.of(3, 0),
                        LocalTime.of(4, 0),
                        LocalTime.of(5, 0));
        assertThat(boundaries.get(0)).isEqualTo(Instant.parse("2026-04-04T13:00:00Z"));
    }

    @Test
    void theFirstBucketAlwaysContainsFrom() {
        Instant from = Instant.parse("2026-04-04T15:15:00Z");

        List<Instant> boundaries = TrendBoundaries.of(from, from.plusSeconds(300), Granularity.HOUR, LORD_HOWE);

        assertThat(boundaries.get(0)).isBeforeOrEqualTo(from);
        assertThat(boundaries.get(1)).isAfter(from);
        assertThat(boundaries).hasSize(2);
    }
}
