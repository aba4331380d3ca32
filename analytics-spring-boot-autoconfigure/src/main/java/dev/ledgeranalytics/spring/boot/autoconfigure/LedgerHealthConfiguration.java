package dev.ledgeranalytics.spring.boot.autoconfigure;

import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code ledgerAnalytics} health indicator, in the types of whichever Boot line the host
 * runs: {@code org.springframework.boot.actuate.health} up to 3.5, {@code
 * org.springframework.boot.health.contributor} from 4.0. Off with {@code
 * management.health.ledger-analytics.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
        prefix = "management.health.ledger-analytics",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
class LedgerHealthConfiguration {

    static final String INDICATOR = "ledgerAnalyticsHealthIndicator";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot4 {

        @Bean(INDICATOR)
        @ConditionalOnMissingBean(name = INDICATOR)
        org.springframework.boot.health.contributor.HealthIndicator ledgerAnalyticsHealthIndicator(
                DataSource dataSource, LedgerAnalyticsProperties properties) {
            LedgerHealthCheck check = new LedgerHealthCheck(dataSource, properties.schema());
            return new org.springframework.boot.health.contributor.AbstractHealthIndicator(
                    "Verifying the ledger schema failed") {
                @Override
                protected void doHealthCheck(org.springframework.boot.health.contributor.Health.Builder builder) {
                    LedgerHealthCheck.Verdict verdict = check.check();
                    (verdict.up() ? builder.up() : builder.down()).withDetails(verdict.details());
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot3 {

        @Bean(INDICATOR)
        @ConditionalOnMissingBean(name = INDICATOR)
        org.springframework.boot.actuate.health.HealthIndicator ledgerAnalyticsHealthIndicator(
                DataSource dataSource, LedgerAnalyticsProperties properties) {
            LedgerHealthCheck check = new LedgerHealthCheck(dataSource, properties.schema());
            return new org.springframework.boot.actuate.health.AbstractHealthIndicator(
                    "Verifying the ledger schema failed") {
                @Override
                protected void doHealthCheck(org.springframework.boot.actuate.health.Health.Builder builder) {
                    LedgerHealthCheck.Verdict verdict = check.check();
                    (verdict.up() ? builder.up() : builder.down()).withDetails(verdict.details());
                }
            };
        }
    }
}
