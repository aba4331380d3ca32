/**
 * A ledger partitioned by month of {@code created_at}: creating partitions ahead and behind
 * ({@link dev.ledgeranalytics.partition.Partitions}), converting an unpartitioned ledger online,
 * and dropping old months while the dashboard stays exact ({@link
 * dev.ledgeranalytics.partition.Retention}). See docs/partitioning.md.
 */
package dev.ledgeranalytics.partition;
