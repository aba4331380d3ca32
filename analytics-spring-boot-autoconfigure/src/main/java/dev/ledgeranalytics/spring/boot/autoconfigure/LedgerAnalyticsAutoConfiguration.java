package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.partition.Partitions;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.rollup.Rollups;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * Ledger Analytics for a Spring Boot 3.5 or 4.0 application with a PostgreSQL {@link DataSource}:
 * migrates the ledger schema after the host's own Flyway migrations, and provides
 * {@link AnalyticsMigrations}, {@link AnalyticsQueries} (joining Spring-managed transactions) and
 * {@link Rollups} and {@link Partitions} beans, a scheduled rollup refresh when asked for, the
 * scheduled creation of a partitioned ledger's months ahead, a health indicator, metrics and
 * complete JSON for the query results. Settings are {@link LedgerAnalyticsProperties}; a bean
 * of the host's replaces ours.
 *
 * <p>One class for both Boot lines: it runs after their data source, Flyway and jOOQ
 * auto-configurations, named in both packages, and the parts built on types that moved between
 * the lines (health, Jackson) are in configurations of their own, each loaded only where its
 * types exist.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration",
            "org.springframework.boot.jooq.autoconfigure.JooqAutoConfiguration"
        })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnProperty(prefix = "ledger.analytics", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(LedgerAnalyticsProperties.class)
@Import({LedgerHealthConfiguration.class, LedgerMetricsConfiguration.class, LedgerJsonConfiguration.class})
public final class LedgerAnalyticsAutoConfiguration {

    /** The name of Spring Boot's Flyway migration bean, the same in Boot 3.5 and 4.0. */
    static final String HOST_FLYWAY_MIGRATION = "flywayInitializer";

    static final String LEDGER_SCHEMA_MIGRATION = "ledgerSchemaMigration";

    /** For Spring; hosts never create this class. */
    public LedgerAnalyticsAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    AnalyticsMigrations analyticsMigrations(DataSource dataSource, LedgerAnalyticsProperties properties) {
        return AnalyticsMigrations.create(dataSource).withSchema(properties.schema());
    }

    @Bean(LEDGER_SCHEMA_MIGRATION)
    @ConditionalOnProperty(
            prefix = "ledger.analytics",
            name = "migrate-on-start",
            havingValue = "true",
            matchIfMissing = true)
    LedgerSchemaMigration ledgerSchemaMigration(AnalyticsMigrations migrations) {
        return new LedgerSchemaMigration(migrations);
    }

    /** Our migrations run after the host's, whose tables they never touch but whose roles and grants they may need. */
    @Bean
    static BeanFactoryPostProcessor ledgerSchemaMigrationAfterHostFlyway() {
        return beanFactory -> {
            if (beanFactory.containsBeanDefinition(LEDGER_SCHEMA_MIGRATION)
                    && beanFactory.containsBean(HOST_FLYWAY_MIGRATION)) {
                beanFactory.getBeanDefinition(LEDGER_SCHEMA_MIGRATION).setDependsOn(HOST_FLYWAY_MIGRATION);
            }
        };
    }

    /**
     * Through the host's jOOQ context when there is one, keeping its settings and listeners; else
     * through a transaction-aware view of the data source. Either way a query called inside a
     * Spring-managed transaction runs on that transaction's connection and sees its writes. Each
     * query is observed as {@value QueryObservations#NAME} when the host has an observation
     * registry, as every application with the actuator does.
     */
    @Bean
    @ConditionalOnMissingBean
    AnalyticsQueries analyticsQueries(
            DataSource dataSource,
            ObjectProvider<DSLContext> dsl,
            LedgerAnalyticsProperties properties,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<LedgerSchemaMigration> migrated) {
        migratedFirst(migrated);
        DSLContext hostDsl = dsl.getIfUnique();
        AnalyticsQueries queries = (hostDsl != null
                        ? AnalyticsQueries.create(hostDsl)
                        : AnalyticsQueries.create(new TransactionAwareDataSourceProxy(dataSource)))
                .withSchema(properties.schema());
        ObservationRegistry registry = observations.getIfUnique();
        if (registry != null) {
            queries = queries.withListener(new QueryObservations(registry));
        }
        return properties.statementTimeout() == null
                ? queries
                : queries.withStatementTimeout(properties.statementTimeout());
    }

    /** On the plain data source: a refresh commits its own transactions, never the caller's. */
    @Bean
    @ConditionalOnMissingBean
    Rollups rollups(
            DataSource dataSource,
            LedgerAnalyticsProperties properties,
            ObjectProvider<LedgerSchemaMigration> migrated) {
        migratedFirst(migrated);
        return Rollups.create(dataSource).withSchema(properties.schema());
    }

    @Bean
    @ConditionalOnProperty(prefix = "ledger.analytics.rollups", name = "enabled", havingValue = "true")
    RollupRefresher rollupRefresher(
            Rollups rollups, LedgerAnalyticsProperties properties, ObjectProvider<ObservationRegistry> observations) {
        return new RollupRefresher(
                rollups,
                properties.rollups().mode(),
                properties.rollups().refreshInterval(),
                observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    @Bean
    @ConditionalOnMissingBean
    Partitions partitions(
            DataSource dataSource,
            LedgerAnalyticsProperties properties,
            ObjectProvider<LedgerSchemaMigration> migrated) {
        migratedFirst(migrated);
        return Partitions.create(dataSource).withSchema(properties.schema());
    }

    @Bean
    @ConditionalOnProperty(
            prefix = "ledger.analytics.partitions",
            name = "enabled",
            havingValue = "true",
            matchIfMissing = true)
    PartitionKeeper partitionKeeper(Partitions partitions, LedgerAnalyticsProperties properties) {
        return new PartitionKeeper(
                partitions,
                properties.partitions().monthsAhead(),
                properties.partitions().interval());
    }

    /** Asks for the migration bean, so that nothing reads the ledger before it is migrated. */
    private static void migratedFirst(ObjectProvider<LedgerSchemaMigration> migration) {
        migration.ifAvailable(LedgerSchemaMigration::schemaVersion);
    }
}
