package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.rollup.Rollups;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters that need {@code micrometer-core}: the rollup lag gauge. The query and
 * refresh timers come through the Observation API, which every Spring application has.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(MeterBinder.class)
class LedgerMetricsConfiguration {

    @Bean
    RollupLagMeter rollupLagMeter(Rollups rollups) {
        return new RollupLagMeter(rollups);
    }
}
