package dev.ledgeranalytics.testkit;

import static dev.ledgeranalytics.testkit.TestDatabaseTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReplicatedDatabaseTest {

    @BeforeAll
    static void needsAPrimaryWithAReplica() {
        ReplicatedDatabase.assumeAvailable();
    }

    @Test
    void theReplicaHasEveryCommittedRowOnceReplayedAndNoUncommittedOne() throws SQLException {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated()) {
            LedgerSeeder.into(database.primary())
                    .rows(2_000)
                    .between(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
                    .seed(17)
                    .load();
            try (Connection open = database.primary().getConnection();
                    Statement statement = open.createStatement()) {
                open.setAutoCommit(false);
                statement.execute(
                        "INSERT INTO analytics.providers (slug, display_name) VALUES ('uncommitted', 'Uncommitted')");

                database.awaitReplay();

                assertThat(count(database.replica(), "SELECT count(*) FROM analytics.token_usage_ledger"))
                        .isEqualTo(2_000);
                assertThat(ledgerTotal(database.replica())).isEqualTo(ledgerTotal(database.primary()));
                assertThat(count(
                                database.replica(),
                                "SELECT count(*) FROM analytics.providers WHERE slug = 'uncommitted'"))
                        .isZero();
                open.commit();
            }
            database.awaitReplay();
            assertThat(count(database.replica(), "SELECT count(*) FROM analytics.providers WHERE slug = 'uncommitted'"))
                    .isOne();
        }
    }

    @Test
    void theReplicaIsAHotStandbyThatRefusesWritesAndTemporaryTables() throws SQLException {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated("ledger_replica");
                Connection replica = DriverManager.getConnection(database.replicaJdbcUrl());
                Statement statement = replica.createStatement()) {
            assertThat(database.schema()).isEqualTo("ledger_replica");
            assertThat(replica.getCatalog()).isEqualTo(database.name());
            try (ResultSet rs =
                    statement.executeQuery("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getString(2)).isEqualTo("on");
            }
            assertThatThrownBy(() -> statement.execute(
                            "INSERT INTO ledger_replica.providers (slug, display_name) VALUES ('x', 'X')"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25006");
            assertThatThrownBy(() -> statement.execute("CREATE TEMPORARY TABLE scratch (id int)"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25006");
        }
    }

    @Test
    void closingDropsTheDatabaseOnThePrimaryAndSoOnTheReplica() throws SQLException {
        ReplicatedDatabase database = ReplicatedDatabase.migrated();
        try (Connection primary = DriverManager.getConnection(database.primaryJdbcUrl())) {
            assertThat(primary.isValid(1)).isTrue();
        }

        database.close();
        database.awaitReplay();

        assertThatThrownBy(() -> database.replica().getConnection())
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("3D000");
    }

    @Test
    void refusesAReplayTimeoutThatIsNotPositive() {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated()) {
            assertThatThrownBy(() -> database.awaitReplay(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout")
                    .hasMessageContaining("PT0S");
        }
    }

    private static BigDecimal ledgerTotal(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT sum(vendor_cost) + sum(gross_margin_usd) FROM analytics.token_usage_ledger")) {
            rs.next();
            return rs.getBigDecimal(1);
        }
    }
}
