package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.rollup.RollupMode;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The settings of Ledger Analytics in a Spring Boot application, under {@code ledger.analytics}.
 *
 * <pre>{@code
 * ledger.analytics.schema=analytics
 * ledger.analytics.statement-timeout=10s
 * ledger.analytics.rollups.enabled=true
 * ledger.analytics.rollups.refresh-interval=1m
 * }</pre>
 *
 * @param enabled          Whether to configure Ledger Analytics at all. Default true.
 * @param schema           The schema the ledger is installed into and read from. Default analytics.
 * @param statementTimeout How long one statement of a dashboard query may run before PostgreSQL
 *                         cancels it; the query then fails with SQL state 57014. From 1 ms to about
 *                         24.8 days; unset, the database's own statement_timeout applies.
 * @param migrateOnStart   Whether to apply our migrations at start-up, after the host's own Flyway
 *                         migrations. Default true.
 * @param rollups          The scheduled refresh of the rollups.
 */
@ConfigurationProperties("ledger.analytics")
public record LedgerAnalyticsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue(AnalyticsMigrations.DEFAULT_SCHEMA) String schema,
        Duration statementTimeout,
        @DefaultValue("true") boolean migrateOnStart,
        @DefaultValue RollupProperties rollups) {

    /**
     * Rejects a schema name the library would reject later, so that the start-up stops while
     * binding, naming the property.
     *
     * @throws IllegalArgumentException if {@code schema} is not a valid schema name
     */
    public LedgerAnalyticsProperties {
        AnalyticsMigrations.requireSchemaName(schema);
    }

    /**
     * The scheduled refresh of the rollups. Off by default: the first refresh builds the rollups
     * in one pass over the whole ledger and needs the privileges of the ledger's owner, a step an
     * operator should choose; until then the queries read the ledger alone.
     *
     * @param enabled         Whether this application refreshes the rollups on a schedule. Default
     *                        false. Several instances may all enable it: a refresh that finds
     *                        another one running skips its turn.
     * @param mode            How writes reach the rollups, refresh or trigger, set once at start-up;
     *                        unset, the database's current mode stays.
     * @param refreshInterval The pause between the end of one refresh and the start of the next.
     *                        Default one minute.
     */
    public record RollupProperties(
            @DefaultValue("false") boolean enabled,
            RollupMode mode,
            @DefaultValue("1m") Duration refreshInterval) {

        /**
         * Rejects an interval that is not positive.
         *
         * @throws IllegalArgumentException if {@code refreshInterval} is zero or negative
         */
        public RollupProperties {
            if (refreshInterval == null || refreshInterval.isZero() || refreshInterval.isNegative()) {
                throw new IllegalArgumentException(
                        "ledger.analytics.rollups.refresh-interval must be positive, but was " + refreshInterval);
            }
        }
    }
}
