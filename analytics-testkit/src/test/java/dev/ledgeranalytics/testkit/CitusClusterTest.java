package dev.ledgeranalytics.testkit;

import static dev.ledgeranalytics.testkit.TestDatabaseTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CitusClusterTest {

    @Test
    void aLocalClusterHasTwoActiveWorkersAndTheCoordinatorInItsMetadata() throws SQLException {
        CitusCluster.assumeAvailable();
        CitusCluster cluster = CitusCluster.shared();
        long workers = count(cluster.coordinator(), "SELECT count(*) FROM citus_get_active_worker_nodes()");

        if (TestServers.setting(CitusCluster.JDBC_URL) == null) {
            assertThat(workers).isEqualTo(LocalCitusCluster.WORKERS);
            assertThat(count(cluster.coordinator(), "SELECT count(*) FROM pg_dist_node WHERE groupid = 0"))
                    .isOne();
        } else {
            assertThat(workers).isPositive();
        }
    }

    @Test
    void aDistributedTableIsShardedOverEveryWorkerAndAnswersQueriesExactly() throws SQLException {
        CitusCluster.assumeAvailable();
        CitusCluster cluster = CitusCluster.shared();
        String schema = "citus_test_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection connection = cluster.coordinator().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
            try {
                statement.execute(
                        "CREATE TABLE " + schema + ".usage (user_id integer NOT NULL, request integer NOT NULL, "
                                + "cost numeric(10, 8) NOT NULL, PRIMARY KEY (user_id, request))");
                statement.execute("SELECT create_distributed_table('" + schema + ".usage', 'user_id')");
                statement.execute("INSERT INTO " + schema + ".usage SELECT g % 100, g, g * 0.00000001 "
                        + "FROM generate_series(1, 10000) AS g");

                try (ResultSet rs = statement.executeQuery(
                        "SELECT count(*), sum(cost), count(DISTINCT user_id) FROM " + schema + ".usage")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(10_000);
                    // 1e-8 * (1 + ... + 10000), exactly
                    assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal("0.50005000"));
                    assertThat(rs.getLong(3)).isEqualTo(100);
                }
                assertThat(count(
                                cluster.coordinator(),
                                "SELECT count(*) FROM (SELECT user_id FROM " + schema + ".usage "
                                        + "GROUP BY user_id HAVING count(*) = 100) AS users"))
                        .isEqualTo(100);
                assertThat(count(
                                cluster.coordinator(),
                                "SELECT count(*) FROM citus_tables WHERE table_name = '" + schema + ".usage'::regclass "
                                        + "AND citus_table_type = 'distributed' AND distribution_column = 'user_id'"))
                        .isOne();
                assertThat(count(
                                cluster.coordinator(),
                                "SELECT count(DISTINCT (nodename, nodeport)) FROM citus_shards "
                                        + "WHERE table_name = '" + schema + ".usage'::regclass"))
                        .isEqualTo(
                                count(cluster.coordinator(), "SELECT count(*) FROM citus_get_active_worker_nodes()"));
            } finally {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void aCoordinatorNamedByUrlIsUsedAsItIs() throws SQLException {
        CitusCluster.assumeAvailable();
        // The cluster of this JVM, addressed the way a user would address their own.
        String url = CitusCluster.shared().jdbcUrl();

        PostgresServer coordinator = CitusCluster.start(Map.of(CitusCluster.JDBC_URL, url)::get);

        assertThat(coordinator).isInstanceOf(ExternalPostgresServer.class);
        assertThat(coordinator.description()).contains(CitusCluster.JDBC_URL);
        assertThat(count(
                        coordinator.dataSource(coordinator.maintenanceDatabase()),
                        "SELECT count(*) FROM citus_get_active_worker_nodes()"))
                .isPositive();
    }

    @Test
    void aUrlOfAServerWithoutCitusIsRefusedNamingTheSetting() {
        try (TestDatabase plain = TestDatabase.empty()) {
            assertThatThrownBy(() -> CitusCluster.start(Map.of(CitusCluster.JDBC_URL, plain.jdbcUrl())::get))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(CitusCluster.JDBC_URL)
                    .hasMessageContaining("not a reachable Citus coordinator");
        }
        assertThatThrownBy(() -> CitusCluster.start(Map.of(CitusCluster.JDBC_URL, "jdbc:mysql://localhost/x")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CitusCluster.JDBC_URL);
    }
}
