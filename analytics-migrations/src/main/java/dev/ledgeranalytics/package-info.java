/**
 * Types shared by every Ledger Analytics module, chiefly {@link dev.ledgeranalytics.AnalyticsException}.
 */
package dev.ledgeranalytics;
