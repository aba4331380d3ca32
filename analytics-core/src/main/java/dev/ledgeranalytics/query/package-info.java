/**
 * The dashboard queries: {@link dev.ledgeranalytics.query.AnalyticsQueries} and the immutable
 * records it returns. Nothing here exposes jOOQ; the SQL behind each query is package-private.
 */
package dev.ledgeranalytics.query;
