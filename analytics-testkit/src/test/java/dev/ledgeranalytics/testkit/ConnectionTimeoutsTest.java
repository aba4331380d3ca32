package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class ConnectionTimeoutsTest {

    @Test
    void everyTestDatabaseConnectsWithConnectLoginAndSocketTimeouts() {
        try (TestDatabase database = TestDatabase.empty()) {
            PGSimpleDataSource dataSource = (PGSimpleDataSource) database.dataSource();

            assertThat(dataSource.getConnectTimeout()).isEqualTo(10);
            assertThat(dataSource.getLoginTimeout()).isEqualTo(30);
            assertThat(dataSource.getSocketTimeout()).isEqualTo(600);
        }
    }

    @Test
    void eachTimeoutCanBeSetAndABadValueIsRefusedByName() {
        ConnectionTimeouts set = ConnectionTimeouts.from(Map.of(
                ConnectionTimeouts.CONNECT, "3", ConnectionTimeouts.LOGIN, " 5 ", ConnectionTimeouts.SOCKET, "0")::get);

        assertThat(set).isEqualTo(new ConnectionTimeouts(3, 5, 0));
        assertThat(ConnectionTimeouts.from(Map.<String, String>of()::get)).isEqualTo(ConnectionTimeouts.DEFAULTS);
        for (String bad : new String[] {"-1", "ten", "1.5"}) {
            assertThatThrownBy(() -> ConnectionTimeouts.from(Map.of(ConnectionTimeouts.SOCKET, bad)::get))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("analytics.testdb.socket_timeout")
                    .hasMessageContaining("\"" + bad + "\"");
        }
    }

    @Test
    void aServerGivenByUrlKeepsTheTimeoutsItsUrlSets() {
        String url = "jdbc:postgresql://localhost:5432/postgres?user=test&socketTimeout=45";

        PGSimpleDataSource dataSource =
                (PGSimpleDataSource) new ExternalPostgresServer(url, ConnectionTimeouts.DEFAULTS).dataSource("app");

        assertThat(dataSource.getSocketTimeout()).isEqualTo(45);
        assertThat(dataSource.getLoginTimeout()).isEqualTo(30);
        assertThat(dataSource.getConnectTimeout()).isEqualTo(10);
    }

    @Test
    void aMalformedServerUrlIsNamedWithoutItsPassword() {
        assertThatThrownBy(() -> TestServers.start(
                        Map.of(TestServers.JDBC_URL, "jdbc:postgres://db:5432/app?user=ci&password=hunter2")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TestServers.JDBC_URL)
                .hasMessageContaining("jdbc:postgres://db:5432/app")
                .hasMessageNotContaining("hunter2")
                .hasNoCause();
    }
}
