package dev.ledgeranalytics.query;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a range into the buckets of a granularity in a time zone. The cutting is done here, with
 * java.time, rather than with {@code date_trunc} in SQL: on the night clocks fall back, the two
 * local 01:00 hours are one value for {@code date_trunc('hour', t, zone)} but two buckets here,
 * and each day bucket is as long as that day really was.
 */
final class TrendBoundaries {

    /** More buckets than any chart can show; also bounds the size of the SQL array. */
    static final int MAX_BUCKETS = 10_000;

    private TrendBoundaries() {
    }

    /**
     * The bucket starts covering {@code [from, to)}, followed by the end of the last bucket.
     *
     * @throws IllegalArgumentException if more than {@value #MAX_BUCKETS} buckets would be needed
     */
    static List<Instant> of(Instant from, Instant to, Granularity granularity, ZoneId zone) {
        List<Instant> boundaries = new ArrayList<>();
        Instant start = startOf(from, granularity, zone);
        boundaries.add(start);
        while (start.isBefore(to)) {
            if (boundaries.size() > MAX_BUCKETS) {
                throw new IllegalArgumentException("granularity " + granularity + " would cut [" + from + ", " + to
                        + ") into more than " + MAX_BUCKETS + " buckets; choose a coarser granularity or a shorter range");
            }
            start = next(start, granularity, zone);
            boundaries.add(start);
        }
        return boundaries;
    }

    private static Instant startOf(Instant instant, Granularity granularity, ZoneId zone) {
        ZonedDateTime local = instant.atZone(zone);
        return switch (granularity) {
            case HOUR -> local.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> local.toLocalDate().atStartOfDay(zone).toInstant();
            case WEEK -> local.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone).toInstant();
            case MONTH -> local.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
        };
    }

    private static Instant next(Instant start, Granularity granularity, ZoneId zone) {
        LocalDate date = start.atZone(zone).toLocalDate();
        return switch (granularity) {
            // An elapsed hour, not a local one: the repeated hour of a fall-back night is a bucket of its own.
            case HOUR -> start.plus(Duration.ofHours(1));
            case DAY -> date.plusDays(1).atStartOfDay(zone).toInstant();
            case WEEK -> date.plusWeeks(1).atStartOfDay(zone).toInstant();
            case MONTH -> date.plusMonths(1).atStartOfDay(zone).toInstant();
        };
    }
}
