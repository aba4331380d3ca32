package dev.ledgeranalytics.testkit;

import java.util.Optional;
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
        database(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Only the class that made the database drops it; nested classes share their outer class's.
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
        TestDatabase database = database(context);
        return parameter.getParameter().getType() == TestDatabase.class ? database : database.dataSource();
    }

    /**
     * The database of the test class: the one an enclosing class already made (for {@code @Nested}
     * classes), else a new one, made on first need. Made lazily so that constructor injection works
     * with {@code @TestInstance(PER_CLASS)}, where the instance exists before {@code beforeAll};
     * synchronized so that classes run in parallel never make two for one class.
     */
    private static synchronized TestDatabase database(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()
                || classContext.getTestClass().isEmpty()) {
            classContext = classContext
                    .getParent()
                    .orElseThrow(() -> new ParameterResolutionException("No test class around "
                            + context.getDisplayName() + "; @AnalyticsDatabase annotates test classes"));
        }
        for (ExtensionContext c = classContext; c != null; c = c.getParent().orElse(null)) {
            if (c.getTestClass().isPresent()) {
                TestDatabase existing = c.getStore(NAMESPACE).get(c.getRequiredTestClass(), TestDatabase.class);
                if (existing != null) {
                    return existing;
                }
            }
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        String schema = findAnnotation(testClass).map(AnalyticsDatabase::schema).orElse("analytics");
        TestDatabase created = TestDatabase.migrated(schema);
        classContext.getStore(NAMESPACE).put(testClass, created);
        return created;
    }

    /** The annotation on the class or, for a nested class, on the nearest enclosing class that has it. */
    private static Optional<AnalyticsDatabase> findAnnotation(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<AnalyticsDatabase> annotation = AnnotationSupport.findAnnotation(c, AnalyticsDatabase.class);
            if (annotation.isPresent()) {
                return annotation;
            }
        }
        return Optional.empty();
    }
}
