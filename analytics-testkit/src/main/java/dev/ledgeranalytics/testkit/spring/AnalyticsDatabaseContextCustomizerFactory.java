package dev.ledgeranalytics.testkit.spring;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Finds {@link AutoConfigureAnalyticsDatabase} on a test class or an enclosing one; listed in {@code META-INF/spring.factories}. */
final class AnalyticsDatabaseContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configurationAttributes) {
        AutoConfigureAnalyticsDatabase annotation =
                TestContextAnnotationUtils.findMergedAnnotation(testClass, AutoConfigureAnalyticsDatabase.class);
        return annotation == null ? null : new AnalyticsDatabaseContextCustomizer(annotation.schema());
    }
}
