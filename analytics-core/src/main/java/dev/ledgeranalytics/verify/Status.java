package dev.ledgeranalytics.verify;

/**
 * The overall verdict on a ledger schema, the worst of its {@link Finding findings}. Declared from
 * best to worst, so that {@code compareTo} orders them by severity.
 */
public enum Status {
    /** Everything the library needs is there and healthy. */
    READY,
    /** Every query answers correctly, but some may be slow: an analytics index missing or invalid, stale statistics, a plan off its index. */
    DEGRADED,
    /** Queries fail or may return wrong figures: the table, a column, a status value or a key is missing or wrong. */
    BROKEN
}
