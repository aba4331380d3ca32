package dev.ledgeranalytics.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class its own migrated PostgreSQL database, created before the first test
 * and dropped after the last. Test methods, constructors and lifecycle methods receive it as a
 * {@link TestDatabase} or {@link javax.sql.DataSource} parameter.
 *
 * <pre>{@code
 * @AnalyticsDatabase
 * class MarginReportTest {
 *     @Test
 *     void reportsNothingForAnEmptyLedger(DataSource dataSource) {
 *         ...
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(AnalyticsDatabaseExtension.class)
public @interface AnalyticsDatabase {

    /**
     * The schema to migrate the ledger into.
     *
     * @return the schema name
     */
    String schema() default "analytics";
}
