package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@AnalyticsDatabase(schema = "billing")
class AnalyticsDatabaseNestingTest {

    private final TestDatabase outer;

    AnalyticsDatabaseNestingTest(TestDatabase outer) {
        this.outer = outer;
    }

    @Test
    void theOuterClassGetsItsSchema() {
        assertThat(outer.schema()).isEqualTo("billing");
    }

    @Nested
    class NestedTests {

        @Test
        void aNestedClassSharesTheOuterClassesDatabase(TestDatabase database) {
            assertThat(database.name()).isEqualTo(outer.name());
            assertThat(database.schema()).isEqualTo("billing");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class PerClassLifecycle {

        @Test
        void constructorAndMethodInjectionWorkBeforeBeforeAll(TestDatabase database) {
            assertThat(database.name()).isEqualTo(outer.name());
        }
    }
}

@AnalyticsDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsDatabasePerClassTest {

    private final TestDatabase database;

    AnalyticsDatabasePerClassTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void receivesTheDatabaseInItsConstructor() {
        assertThat(database.schema()).isEqualTo("analytics");
    }
}
