/**
 * CSV export of the ledger and of the queries' results: {@link dev.ledgeranalytics.export.CsvExporter}.
 */
package dev.ledgeranalytics.export;
