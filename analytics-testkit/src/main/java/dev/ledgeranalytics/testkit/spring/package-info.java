/**
 * A migrated test database for Spring application contexts: {@link
 * dev.ledgeranalytics.testkit.spring.AutoConfigureAnalyticsDatabase}. Needs {@code spring-test},
 * which Spring tests have already.
 */
package dev.ledgeranalytics.testkit.spring;
