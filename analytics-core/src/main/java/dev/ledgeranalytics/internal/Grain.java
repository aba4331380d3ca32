package dev.ledgeranalytics.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * Internal API. The UTC time buckets of the rollup tables, with the codes their {@code grain}
 * column stores (see {@code V3__rollups.sql}).
 */
public enum Grain {
    QUARTER_HOUR(1),
    HOUR(2),
    DAY(3),
    /** ISO weeks, from Monday. */
    WEEK(4),
    MONTH(5);

    private final short code;

    Grain(int code) {
        this.code = (short) code;
    }

    /** The value of the rollup tables' {@code grain} column. */
    public short code() {
        return code;
    }

    /** The start of the bucket holding {@code t}. */
    public Instant floor(Instant t) {
        return switch (this) {
            case QUARTER_HOUR -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 900) * 900);
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case WEEK ->
                t.truncatedTo(ChronoUnit.DAYS)
                        .minus(Duration.ofDays(
                                t.atZone(ZoneOffset.UTC).getDayOfWeek().getValue() - 1));
            case MONTH ->
                t.atZone(ZoneOffset.UTC)
                        .withDayOfMonth(1)
                        .truncatedTo(ChronoUnit.DAYS)
                        .toInstant();
        };
    }

    /** The start of the first bucket at or after {@code t}. */
    public Instant ceiling(Instant t) {
        Instant floor = floor(t);
        return floor.equals(t) ? t : next(floor);
    }

    /** The start of the bucket after the one starting at {@code start}. */
    public Instant next(Instant start) {
        return switch (this) {
            case QUARTER_HOUR -> start.plus(Duration.ofMinutes(15));
            case HOUR -> start.plus(Duration.ofHours(1));
            case DAY -> start.plus(Duration.ofDays(1));
            case WEEK -> start.plus(Duration.ofDays(7));
            case MONTH ->
                ZonedDateTime.ofInstant(start, ZoneOffset.UTC).plusMonths(1).toInstant();
        };
    }
}
