package dev.ledgeranalytics.testkit.spring;

import dev.ledgeranalytics.testkit.TestDatabase;
import java.util.Map;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Makes a migrated test database and points the context at it. A record, so that equal
 * annotations give equal customizers and Spring's context cache reuses the context.
 */
record AnalyticsDatabaseContextCustomizer(String schema) implements ContextCustomizer {

    static final String BEAN = "analyticsTestDatabase";

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
        TestDatabase database = TestDatabase.migrated(schema);
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        BEAN, Map.of("spring.datasource.url", database.jdbcUrl(), "ledger.analytics.schema", schema)));
        context.getBeanFactory().registerSingleton(BEAN, database);
        // Registered before any other bean, so destroyed after all of them: the pool closes before the drop.
        ((DefaultSingletonBeanRegistry) context.getBeanFactory()).registerDisposableBean(BEAN, database::close);
    }
}
