/**
 * The ledger schema as Flyway migrations, applied with {@link dev.ledgeranalytics.migration.AnalyticsMigrations}.
 */
package dev.ledgeranalytics.migration;
