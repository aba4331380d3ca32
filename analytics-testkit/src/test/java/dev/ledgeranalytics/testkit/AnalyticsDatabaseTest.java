package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@AnalyticsDatabase(schema = "ledger_test")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalyticsDatabaseTest {

    private static String databaseSeenBeforeAll;

    @BeforeAll
    static void receivesTheDatabaseInLifecycleMethods(TestDatabase database) {
        databaseSeenBeforeAll = database.name();
    }

    @Test
    @Order(1)
    void injectsTheClassDatabaseWithTheAnnotatedSchema(TestDatabase database, DataSource dataSource)
            throws SQLException {
        assertThat(database.name()).isEqualTo(databaseSeenBeforeAll);
        assertThat(database.schema()).isEqualTo("ledger_test");
        TestDatabaseTest.count(dataSource, "SELECT count(*) FROM ledger_test.token_usage_ledger");
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO ledger_test.providers (slug, display_name) VALUES ('mistral', 'Mistral')");
        }
    }

    @Test
    @Order(2)
    void sharesOneDatabaseAcrossTheTestsOfAClass(DataSource dataSource) throws SQLException {
        assertThat(TestDatabaseTest.count(dataSource, "SELECT count(*) FROM ledger_test.providers"))
                .isEqualTo(1);
    }
}
