/**
 * Internal API, the ledger's vocabulary shared by the library's packages: the metrics and
 * dimensions every query and rollup is derived from, a filter's rows as SQL, and the one
 * transaction helper. It may change in any release; hosts must not use it.
 */
package dev.ledgeranalytics.internal;
