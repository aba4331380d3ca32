/**
 * The {@code analytics} command line: a demo on an embedded PostgreSQL, the dashboard report for
 * a real database, CSV export and migrations.
 */
package dev.ledgeranalytics.cli;
