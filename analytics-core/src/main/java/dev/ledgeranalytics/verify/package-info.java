/**
 * Schema verification and index health: {@link dev.ledgeranalytics.verify.SchemaVerifier} checks a
 * live ledger schema against what this library version needs and returns an immutable
 * {@link dev.ledgeranalytics.verify.VerificationReport} with a READY / DEGRADED / BROKEN status.
 */
package dev.ledgeranalytics.verify;
