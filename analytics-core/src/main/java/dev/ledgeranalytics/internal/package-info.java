/**
 * Internal API shared by the library's packages: the filter's SQL and the transaction and timeout
 * handling. It may change in any release; hosts should not use it.
 */
package dev.ledgeranalytics.internal;
