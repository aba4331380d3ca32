package dev.ledgeranalytics.testkit.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a Spring test's application context its own migrated PostgreSQL database, on the same
 * server as every other test database of the JVM (see {@link dev.ledgeranalytics.testkit.TestDatabase}):
 * {@code spring.datasource.url} points at it, {@code ledger.analytics.schema} names its schema,
 * and the database is dropped when the context closes. The context holds it as a
 * {@link dev.ledgeranalytics.testkit.TestDatabase} bean.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureAnalyticsDatabase
 * class DashboardControllerTest {
 *     @Autowired AnalyticsQueries queries;
 *     @Autowired TestDatabase database;
 *     ...
 * }
 * }</pre>
 *
 * <p>The host's own Flyway migrations run against it as at any start-up; ours are applied already
 * (copied from a template in milliseconds), so the starter finds nothing to migrate. Test classes
 * with equal annotations and otherwise equal configuration share one cached context, and so one
 * database.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureAnalyticsDatabase {

    /**
     * The schema to migrate the ledger into.
     *
     * @return the schema name
     */
    String schema() default "analytics";
}
