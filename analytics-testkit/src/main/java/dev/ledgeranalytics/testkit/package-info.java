/**
 * Real PostgreSQL databases with the ledger schema for tests: {@link dev.ledgeranalytics.testkit.TestDatabase}
 * and the JUnit 5 annotation {@link dev.ledgeranalytics.testkit.AnalyticsDatabase}. The server runs from
 * the embedded PostgreSQL binaries, so no Docker is needed.
 */
package dev.ledgeranalytics.testkit;
