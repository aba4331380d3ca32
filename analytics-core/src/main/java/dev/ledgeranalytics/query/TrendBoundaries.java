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

    private TrendBoundaries() {}

    /**
     * The bucket starts covering {@code [from, to)}, followed by the end of the last bucket.
     *
     * @throws IllegalArgumentException if more than {@value #MAX_BUCKETS} buckets would be needed
     */
    static List<Instant> of(Instant from, Instant to, Granularity granularity, ZoneId zone) {
        List<Instant> boundaries = new ArrayList<>();
        Instant start = startOf(from, granularity, zone);
        // Where an offset change is not a whole hour, the local truncation can land a bucket early.
        for (Instant next = next(start, granularity, zone);
                !next.isAfter(from);
                next = next(start, granularity, zone)) {
            start = next;
        }
        boundaries.add(start);
        while (start.isBefore(to)) {
            if (boundaries.size() > MAX_BUCKETS) {
                throw new IllegalArgumentException(
                        "granularity " + granularity + " would cut [" + from + ", " + to + ") into more than "
                                + MAX_BUCKETS + " buckets; choose a coarser granularity or a shorter range");
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
            case WEEK ->
                local.toLocalDate()
                        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                        .atStartOfDay(zone)
                        .toInstant();
            case MONTH ->
                local.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
        };
    }

    /**
     * An elapsed hour, not a local one, so the repeated hour of a fall-back night is a bucket of its
     * own; but cut at the next local top of the hour, so that zones whose offset changes by half an
     * hour (Australia/Lord_Howe) get back onto clock hours instead of drifting half an hour off.
     */
    private static Instant nextHour(Instant start, ZoneId zone) {
        Instant elapsed = start.plus(Duration.ofHours(1));
        Instant topOfHour = elapsed.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
        return topOfHour.isAfter(start) && topOfHour.isBefore(elapsed) ? topOfHour : elapsed;
    }

    private static Instant next(Instant start, Granularity granularity, ZoneId zone) {
        LocalDate date = start.atZone(zone).toLocalDate();
        return switch (granularity) {
            case HOUR -> nextHour(start, zone);
            case DAY -> date.plusDays(1).atStartOfDay(zone).toInstant();
            case WEEK -> date.plusWeeks(1).atStartOfDay(zone).toInstant();
            case MONTH -> date.plusMonths(1).atStartOfDay(zone).toInstant();
        };
    }
}
