/**
 * Rollups: the ledger's sums over fixed UTC buckets, which the dashboard queries read instead of
 * millions of ledger rows once they are built. See {@link dev.ledgeranalytics.rollup.Rollups}.
 */
package dev.ledgeranalytics.rollup;
