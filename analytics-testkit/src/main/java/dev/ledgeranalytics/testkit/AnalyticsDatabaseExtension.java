package dev.ledgeranalytics.testkit;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** The JUnit 5 extension behind {@link AnalyticsDatabase}. */
final class AnalyticsDatabaseExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(AnalyticsDatabaseExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getStore(NAMESPACE).get(context.getRequiredTestClass(), TestDatabase.class) != null) {
            return;
        }
        String schema = AnnotationSupport
                .findAnnotation(context.getRequiredTestClass(), AnalyticsDatabase.class)
                .map(AnalyticsDatabase::schema)
                .orElse("analytics");
        context.getStore(NAMESPACE).put(context.getRequiredTestClass(), TestDatabase.migrated(schema));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase database = context.getStore(NAMESPACE).remove(context.getRequiredTestClass(), TestDatabase.class);
        if (database != null) {
            database.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestDatabase.class || type == DataSource.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestDatabase database = find(context);
        return parameter.getParameter().getType() == TestDatabase.class ? database : database.dataSource();
    }

    private static TestDatabase find(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            if (c.getTestClass().isPresent()) {
                TestDatabase database = c.getStore(NAMESPACE).get(c.getRequiredTestClass(), TestDatabase.class);
                if (database != null) {
                    return database;
                }
            }
        }
        throw new ParameterResolutionException("No analytics test database is open for " + context.getDisplayName()
                + "; annotate the test class with @AnalyticsDatabase");
    }
}
