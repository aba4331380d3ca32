/**
 * The benchmark behind docs/benchmarks.md: every dashboard query at 100k to 10M rows, on the
 * indexed ledger and on a copy with only its primary key, next to the seed report's targets; and
 * the load and soak run ({@code --load}): the dashboard under a steady stream of inserts and
 * scheduled refreshes, checked for exactness at the end; and the partitioned layout
 * ({@code partitioning}): the online conversion under writers, retention against {@code DELETE},
 * and sizes and VACUUM per partition. A tool for this project, not part of the library.
 */
package dev.ledgeranalytics.bench;
