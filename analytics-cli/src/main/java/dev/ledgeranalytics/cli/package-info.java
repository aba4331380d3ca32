/**
 * The {@code analytics} command line: a demo on an embedded PostgreSQL, the dashboard report for
 * a real database, CSV export, migrations and schema verification.
 */
package dev.ledgeranalytics.cli;
