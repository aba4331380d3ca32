package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How far back from the end of the seeded year a query reads: {@code 1d}, {@code 30d} or
 * {@code 365d} on the command line.
 *
 * @param days the length of the range in days
 */
record QueryRange(int days) {

    /** The seeded ledger covers one year; a longer range would only add empty days. */
    static final int MAX_DAYS = 365;

    private static final Pattern RANGE = Pattern.compile("([1-9][0-9]{0,2})d");

    QueryRange {
        OptionValue.requireBetween("range in days", days, 1, MAX_DAYS);
    }

    /**
     * Parses a number of days followed by {@code d}, such as {@code 30d}.
     *
     * @throws IllegalArgumentException naming the value if it is anything else
     */
    static QueryRange parse(String text) {
        return new QueryRange(
                Integer.parseInt(OptionValue.match(RANGE, text, "range", "a number of days such as 1d, 30d or 365d")
                        .group(1)));
    }

    Duration duration() {
        return Duration.ofDays(days);
    }

    @Override
    public String toString() {
        return days + (days == 1 ? " day" : " days");
    }
}
