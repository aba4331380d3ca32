package dev.ledgeranalytics.query;

/** The size of a {@link MarginTrend} bucket, in the caller's time zone. */
public enum Granularity {
    /** Clock hours; 23 or 25 of them on a DST day, starting on the half hour in zones such as Asia/Kolkata. */
    HOUR,
    /** Calendar days from local midnight. */
    DAY,
    /** ISO weeks, from Monday's local midnight. */
    WEEK,
    /** Calendar months, from the first's local midnight. */
    MONTH
}
