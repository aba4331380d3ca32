package dev.ledgeranalytics.query;

/** The outcome of a metered request, as recorded in the ledger's {@code status} column. */
public enum RequestStatus {
    /** The provider answered; the request was billed. */
    SUCCESS,
    /** The request failed; it may still have cost the provider's fee. */
    FAILED,
    /** The caller cancelled the request before it completed. */
    CANCELLED
}
