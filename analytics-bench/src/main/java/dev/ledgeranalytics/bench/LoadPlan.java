package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one load run does: the ledger it seeds, the readers and writers it runs, and for how long.
 *
 * @param rows         rows seeded over the year before the run, before any reader starts
 * @param readers      threads loading the dashboard (the five queries) over and over, each on its
 *                     own connection, without pause
 * @param writers      threads inserting single rows, each in its own transaction, on their own connections
 * @param insertRate   rows per second all writers together aim at
 * @param latePercent  share of the inserted rows, in percent, created in the past ("late rows")
 * @param lateMaxAge   how far in the past a late row is created at most; at least {@link #LATE_MIN_AGE}
 * @param idle         how long the readers run alone first
 * @param duration     how long readers, writers and the scheduled refresh then run together
 * @param refreshEvery the delay between the end of one scheduled refresh and the start of the next
 * @param backlog      how long readers and writers then run without refresh, before one refresh
 *                     applies all those writes at once
 * @param ranges       how far back each dashboard load reads, ending at the moment it starts
 */
record LoadPlan(
        LedgerSize rows,
        int readers,
        int writers,
        int insertRate,
        double latePercent,
        Duration lateMaxAge,
        Duration idle,
        Duration duration,
        Duration refreshEvery,
        Duration backlog,
        List<QueryRange> ranges) {

    /** Late rows are at least this old: a row minutes late behaves as one on time. */
    static final Duration LATE_MIN_AGE = Duration.ofHours(1);

    static final int MAX_THREADS = 64;

    LoadPlan {
        OptionValue.requireBetween("readers", readers, 1, MAX_THREADS);
        OptionValue.requireBetween("writers", writers, 1, MAX_THREADS);
        OptionValue.requireBetween("insert rate", insertRate, 1, 100_000);
        if (!(latePercent >= 0 && latePercent <= 100)) {
            throw new IllegalArgumentException("late share must be between 0 and 100 %, but was " + latePercent);
        }
        requireBetween("late max age", lateMaxAge, LATE_MIN_AGE.plusSeconds(1), Duration.ofDays(QueryRange.MAX_DAYS));
        requireBetween("idle", idle, Duration.ofSeconds(1), Duration.ofHours(24));
        requireBetween("duration", duration, Duration.ofSeconds(1), Duration.ofDays(7));
        requireBetween("refresh interval", refreshEvery, Duration.ofSeconds(1), duration);
        requireBetween("backlog", backlog, Duration.ofSeconds(1), Duration.ofHours(24));
        if (ranges == null || ranges.isEmpty()) {
            throw new IllegalArgumentException("ranges must name at least one range, but was " + ranges);
        }
        ranges = List.copyOf(ranges);
    }

    /** The share of late rows as a fraction. */
    double lateShare() {
        return latePercent / 100;
    }

    private static void requireBetween(String name, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    name + " must be between " + shown(min) + " and " + shown(max) + ", but was " + shown(value));
        }
    }

    /**
     * A duration as the report and the messages write it, in the largest unit that divides it:
     * {@code 3 days}, {@code 5 min}, {@code 90 s}.
     */
    static String shown(Duration duration) {
        if (duration == null) {
            return "null";
        }
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + (seconds == 86_400 ? " day" : " days");
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + " h";
        }
        return seconds % 60 == 0 ? seconds / 60 + " min" : String.format(Locale.ROOT, "%,d s", seconds);
    }
}
