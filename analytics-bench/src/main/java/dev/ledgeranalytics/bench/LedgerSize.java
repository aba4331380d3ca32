package dev.ledgeranalytics.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of ledger rows to benchmark, written as on the command line: {@code 100k}, {@code 1m},
 * {@code 10m} or a plain count such as {@code 250000}.
 *
 * @param rows how many rows to seed
 */
record LedgerSize(long rows) {

    /** Sizes beyond this would not fit the 25-minute budget on two cores, nor most disks. */
    static final long MAX_ROWS = 100_000_000;

    /** The users of every ledger up to 10M rows, as in docs/benchmarks.md's seeder figures. */
    static final int MIN_USERS = 20_000;

    /** Beyond 10M rows, one user per this many rows: 100M rows have 200,000 users. */
    static final long ROWS_PER_USER = 500;

    private static final Pattern SIZE = Pattern.compile("([1-9][0-9]{0,8})([km]?)");

    LedgerSize {
        OptionValue.requireBetween("rows", rows, 1, MAX_ROWS);
    }

    /**
     * Parses {@code 100k}, {@code 1m}, {@code 10m} (case-insensitive) or a plain count.
     *
     * @throws IllegalArgumentException naming the value if it is anything else
     */
    static LedgerSize parse(String text) {
        Matcher matcher = OptionValue.match(SIZE, text, "size", "a row count such as 100k, 1m or 10m");
        long count = Long.parseLong(matcher.group(1));
        long unit = switch (matcher.group(2)) {
            case "k" -> 1_000;
            case "m" -> 1_000_000;
            default -> 1;
        };
        if (count > MAX_ROWS / unit) {
            throw new IllegalArgumentException("size must be at most 100m, but was \"" + text + "\"");
        }
        return new LedgerSize(count * unit);
    }

    /**
     * The users whose heavy-tailed activity the ledger is seeded with: {@value #MIN_USERS}, or one
     * per {@value #ROWS_PER_USER} rows where that is more, so that a larger ledger is a larger
     * gateway's (more customers, each as busy) and not the same customers sending ten times the
     * requests.
     */
    int users() {
        return (int) Math.max(MIN_USERS, rows / ROWS_PER_USER);
    }

    /** The row count with thousands separators, as the report prints it. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d", rows);
    }
}
