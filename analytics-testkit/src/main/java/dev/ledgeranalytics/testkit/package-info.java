/**
 * Real PostgreSQL databases with the ledger schema for tests: {@link dev.ledgeranalytics.testkit.TestDatabase}
 * and the JUnit 5 annotation {@link dev.ledgeranalytics.testkit.AnalyticsDatabase}. The server runs from
 * the embedded PostgreSQL binaries, so no Docker is needed. Beyond one server,
 * {@link dev.ledgeranalytics.testkit.ReplicatedDatabase} (a primary with a streaming hot standby) and
 * {@link dev.ledgeranalytics.testkit.CitusCluster} (a coordinator with two workers) run Debian's
 * PostgreSQL 15.
 */
package dev.ledgeranalytics.testkit;
