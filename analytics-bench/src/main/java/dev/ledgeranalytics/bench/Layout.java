package dev.ledgeranalytics.bench;

import java.util.Locale;
import java.util.regex.Pattern;

/** The physical layout of the benchmarked ledgers, {@code --layout} on the command line. */
enum Layout {
    /** Range partitions by month of {@code created_at}: what a new install gets. */
    PARTITIONED("partitioned by month of `created_at`, as a new install has it"),
    /**
     * One table: what an install from before partitioning keeps until it is converted
     * ({@code analytics partitions convert}).
     */
    UNPARTITIONED("one unpartitioned table, as an install from before partitioning keeps it until converted");

    private static final Pattern NAME = Pattern.compile("partitioned|unpartitioned");

    private final String description;

    Layout(String description) {
        this.description = description;
    }

    /**
     * Parses {@code partitioned} or {@code unpartitioned} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value if it is anything else
     */
    static Layout parse(String text) {
        return valueOf(OptionValue.match(NAME, text, "layout", "partitioned or unpartitioned")
                .group()
                .toUpperCase(Locale.ROOT));
    }

    /** How the report describes it. */
    String description() {
        return description;
    }

    /** As on the command line. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
