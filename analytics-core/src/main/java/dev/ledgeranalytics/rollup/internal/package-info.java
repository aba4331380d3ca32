/**
 * Internal API, the rollup wing: where the queries' sums come from ({@link
 * dev.ledgeranalytics.rollup.internal.SumsSource}), the cover of a range by rollup buckets and
 * ledger edges, the description of the rollup tables, and every statement that keeps them. It may
 * change in any release; hosts must not use it.
 */
package dev.ledgeranalytics.rollup.internal;
