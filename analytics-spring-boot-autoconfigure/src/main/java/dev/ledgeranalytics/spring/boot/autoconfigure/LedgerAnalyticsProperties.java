package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.partition.Partitions;
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
 * ledger.analytics.partitions.months-ahead=3
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
 * @param partitions       The scheduled creation of a partitioned ledger's months ahead.
 */
@ConfigurationProperties("ledger.analytics")
public record LedgerAnalyticsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue(AnalyticsMigrations.DEFAULT_SCHEMA) String schema,
        Duration statementTimeout,
        @DefaultValue("true") boolean migrateOnStart,
        @DefaultValue RollupProperties rollups,
        @DefaultValue PartitionProperties partitions) {

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

    /**
     * The scheduled creation of the months ahead of a partitioned ledger (docs/partitioning.md).
     * On by default: without it, once the months a new install created have passed, rows go to the
     * default partition. It needs the privileges of the ledger's owner, as the migrations do; an
     * application that connects as a writer should turn it off and leave it to one that migrates.
     *
     * @param enabled     Whether this application creates the months ahead. Default true; it does
     *                    nothing on an unpartitioned ledger.
     * @param monthsAhead How many months after the current one to keep created, 0 to 120. Default 3.
     * @param interval    The pause between two checks. Default 6 hours.
     */
    public record PartitionProperties(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("3") int monthsAhead,
            @DefaultValue("6h") Duration interval) {

        /**
         * Rejects a number of months or an interval the library would reject.
         *
         * @throws IllegalArgumentException if {@code monthsAhead} is out of range or {@code interval} is not positive
         */
        public PartitionProperties {
            if (monthsAhead < 0 || monthsAhead > Partitions.MAX_MONTHS_AHEAD) {
                throw new IllegalArgumentException("ledger.analytics.partitions.months-ahead must be between 0 and "
                        + Partitions.MAX_MONTHS_AHEAD + ", but was " + monthsAhead);
            }
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException(
                        "ledger.analytics.partitions.interval must be positive, but was " + interval);
            }
        }
    }
}
