/**
 * Spring Boot auto-configuration for Ledger Analytics: {@link
 * dev.ledgeranalytics.spring.boot.autoconfigure.LedgerAnalyticsAutoConfiguration} and its settings,
 * {@link dev.ledgeranalytics.spring.boot.autoconfigure.LedgerAnalyticsProperties}.
 */
package dev.ledgeranalytics.spring.boot.autoconfigure;
