package dev.ledgeranalytics.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Our Jackson module as a bean, for each Jackson line present: Spring Boot 3.5 adds every Jackson
 * 2 {@code Module} bean to its {@code ObjectMapper}, Boot 4.0 every Jackson 3 {@code JacksonModule}
 * bean to its {@code JsonMapper}.
 */
@Configuration(proxyBeanMethods = false)
class LedgerJsonConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.fasterxml.jackson.databind.Module")
    static class Jackson2 {

        @Bean
        @ConditionalOnMissingBean
        LedgerAnalyticsJackson2Module ledgerAnalyticsJackson2Module() {
            return new LedgerAnalyticsJackson2Module();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.JacksonModule")
    static class Jackson3 {

        @Bean
        @ConditionalOnMissingBean
        LedgerAnalyticsJackson3Module ledgerAnalyticsJackson3Module() {
            return new LedgerAnalyticsJackson3Module();
        }
    }
}
