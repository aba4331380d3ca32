package dev.ledgeranalytics.rollup.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The UTC time buckets of the rollup tables, finest first, with the codes their {@code grain}
 * column stores: numbered in the order the grains were added, so not by size. Every IANA zone in
 * use since 1980 is offset from UTC by a whole number of quarter hours, so every local hour, day,
 * week and month starts on a quarter-hour boundary.
 */
enum Grain {
    QUARTER_HOUR(1),
    HOUR(2),
    /** Quarters of a UTC day, from midnight. */
    SIX_HOURS(6),
    DAY(3),
    /** ISO weeks, from Monday. */
    WEEK(4),
    MONTH(5),
    /** Calendar quarters: January, April, July and October and the two months after each. */
    QUARTER(7);

    private final short code;

    Grain(int code) {
        this.code = (short) code;
    }

    /** The value of the rollup tables' {@code grain} column. */
    short code() {
        return code;
    }

    /** The start of the bucket holding {@code t}. */
    Instant floor(Instant t) {
        return switch (this) {
            case QUARTER_HOUR -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 900) * 900);
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case SIX_HOURS -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 21_600) * 21_600);
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case WEEK ->
                t.truncatedTo(ChronoUnit.DAYS)
                        .minus(Duration.ofDays(
                                t.atZone(ZoneOffset.UTC).getDayOfWeek().getValue() - 1));
            case MONTH -> startOfMonths(t, 1);
            case QUARTER -> startOfMonths(t, 3);
        };
    }

    /** The start of the first bucket at or after {@code t}. */
    Instant ceiling(Instant t) {
        Instant floor = floor(t);
        return floor.equals(t) ? t : next(floor);
    }

    /** The start of the bucket after the one starting at {@code start}. */
    Instant next(Instant start) {
        return switch (this) {
            case QUARTER_HOUR -> start.plus(Duration.ofMinutes(15));
            case HOUR -> start.plus(Duration.ofHours(1));
            case SIX_HOURS -> start.plus(Duration.ofHours(6));
            case DAY -> start.plus(Duration.ofDays(1));
            case WEEK -> start.plus(Duration.ofDays(7));
            case MONTH ->
                ZonedDateTime.ofInstant(start, ZoneOffset.UTC).plusMonths(1).toInstant();
            case QUARTER ->
                ZonedDateTime.ofInstant(start, ZoneOffset.UTC).plusMonths(3).toInstant();
        };
    }

    /** The start of the UTC month holding {@code t}, counted in steps of {@code months} from January. */
    private static Instant startOfMonths(Instant t, int months) {
        ZonedDateTime utc = t.atZone(ZoneOffset.UTC);
        int month = (utc.getMonthValue() - 1) / months * months + 1;
        return utc.withMonth(month)
                .withDayOfMonth(1)
                .truncatedTo(ChronoUnit.DAYS)
                .toInstant();
    }

    /**
     * Whether every bucket of this grain lies within one bucket of {@code coarser}: weeks straddle
     * months and quarters.
     */
    boolean nestsIn(Grain coarser) {
        return this == coarser || (compareTo(coarser) < 0 && this != WEEK);
    }

    /**
     * The start of the bucket holding each instant {@code t}, in SQL: what {@link #floor} does in
     * Java, for the rollups' upkeep. Months go through UTC wall-clock time, so that the session's
     * time zone never matters.
     */
    Field<Instant> bucketStart(Field<Instant> t) {
        String template = switch (this) {
            case QUARTER_HOUR -> "date_bin(interval '15 minutes', {0}, timestamptz '2000-01-01 00:00:00+00')";
            case HOUR -> "date_bin(interval '1 hour', {0}, timestamptz '2000-01-01 00:00:00+00')";
            case SIX_HOURS -> "date_bin(interval '6 hours', {0}, timestamptz '2000-01-01 00:00:00+00')";
            case DAY -> "date_bin(interval '1 day', {0}, timestamptz '2000-01-01 00:00:00+00')";
            // 2000-01-03 was a Monday: ISO weeks.
            case WEEK -> "date_bin(interval '7 days', {0}, timestamptz '2000-01-03 00:00:00+00')";
            case MONTH -> "(date_trunc('month', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')";
            case QUARTER -> "(date_trunc('quarter', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')";
        };
        return DSL.field(template, t.getDataType(), t);
    }
}
