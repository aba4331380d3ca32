package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

class TestServersTest {

    @Test
    void anExplicitJdbcUrlIsUsedAsItIsAndGetsItsOwnDatabases() throws SQLException {
        // The embedded server of this JVM, addressed the way a host would address its own server.
        String url;
        try (TestDatabase any = TestDatabase.empty()) {
            url = any.jdbcUrl().replace("/" + any.name() + "?", "/postgres?");
        }
        PostgresServer server = TestServers.start(Map.of(TestServers.JDBC_URL, url)::get);
        assertThat(server).isInstanceOf(ExternalPostgresServer.class);
        assertThat(server.disposable()).isFalse();
        TestDatabases databases = new TestDatabases(server);

        String name = databases.createMigrated("analytics");
        try (Connection connection = server.dataSource(name).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM analytics.token_usage_ledger")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        try (Connection viaUrl = java.sql.DriverManager.getConnection(server.jdbcUrl(name))) {
            assertThat(viaUrl.getCatalog()).isEqualTo(name);
        }
        databases.drop(name);
        databases.close();
        assertThat(databaseExists(url, name)).isFalse();
    }

    @Test
    void anUnknownSourceIsRefusedByName() {
        assertThatThrownBy(() -> TestServers.start(Map.of(TestServers.SOURCE, "docker-compose")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("analytics.testdb")
                .hasMessageContaining("\"docker-compose\"");
        assertThatThrownBy(() -> TestServers.start(Map.of(TestServers.JDBC_URL, "jdbc:mysql://localhost/x")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TestServers.JDBC_URL);
    }

    @Test
    void testcontainersWithoutDockerFailsAtOnceSayingWhy() {
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "a Docker engine is available here");

        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> assertThatThrownBy(() -> TestServers.start(Map.of(TestServers.SOURCE, "testcontainers")::get))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no Docker engine")
                        .hasMessageContaining("unset analytics.testdb"));
    }

    @Test
    void testcontainersStartsAServerWhenDockerIsThere() throws SQLException {
        assumeTrue(
                DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine on this machine; the embedded and JDBC URL sources are tested instead");

        PostgresServer server = TestServers.start(Map.of(TestServers.SOURCE, "testcontainers")::get);
        try {
            TestDatabases databases = new TestDatabases(server);
            String name = databases.createMigrated("analytics");
            try (Connection connection = server.dataSource(name).getConnection()) {
                assertThat(connection.isValid(5)).isTrue();
            }
        } finally {
            server.stop();
        }
    }

    private static boolean databaseExists(String url, String name) throws SQLException {
        try (Connection connection = new ExternalPostgresServer(url, ConnectionTimeouts.DEFAULTS)
                        .dataSource("postgres")
                        .getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
