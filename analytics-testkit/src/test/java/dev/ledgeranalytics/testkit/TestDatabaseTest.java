package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {

    @Test
    void aMigratedDatabaseHoldsTheLedgerAndIsIsolatedFromOthers() throws SQLException {
        try (TestDatabase first = TestDatabase.migrated();
                TestDatabase second = TestDatabase.migrated()) {
            execute(
                    first.dataSource(),
                    "INSERT INTO analytics.providers (slug, display_name) VALUES ('openai', 'OpenAI')");

            assertThat(first.name()).isNotEqualTo(second.name());
            assertThat(first.schema()).isEqualTo("analytics");
            assertThat(count(first.dataSource(), "SELECT count(*) FROM analytics.providers"))
                    .isEqualTo(1);
            assertThat(count(second.dataSource(), "SELECT count(*) FROM analytics.providers"))
                    .isZero();
            assertThat(count(
                            second.dataSource(),
                            "SELECT count(*) FROM analytics.analytics_schema_history WHERE version IS NOT NULL"))
                    .isEqualTo(12);
        }
    }

    @Test
    void migratesIntoTheSchemaItIsGiven() throws SQLException {
        try (TestDatabase database = TestDatabase.migrated("ledger_eu")) {
            assertThat(database.schema()).isEqualTo("ledger_eu");
            assertThat(count(database.dataSource(), "SELECT count(*) FROM ledger_eu.token_usage_ledger"))
                    .isZero();
        }
    }

    @Test
    void anEmptyDatabaseHasNoLedger() throws SQLException {
        try (TestDatabase database = TestDatabase.empty()) {
            assertThat(database.schema()).isNull();
            assertThat(count(database.dataSource(), "SELECT count(*) FROM pg_namespace WHERE nspname = 'analytics'"))
                    .isZero();
        }
    }

    @Test
    void closingDropsTheDatabaseEvenWithConnectionsOpen() throws SQLException {
        TestDatabase database = TestDatabase.empty();
        try (Connection open = DriverManager.getConnection(database.jdbcUrl())) {
            assertThat(open.isValid(1)).isTrue();

            database.close();

            assertThatThrownBy(() -> database.dataSource().getConnection())
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("3D000");
        }
    }

    @Test
    void rejectsAnInvalidSchemaNameBeforeCreatingAnything() {
        assertThatThrownBy(() -> TestDatabase.migrated("Not-A-Schema"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Not-A-Schema\"");
    }

    static long count(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
