package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.spring.AutoConfigureAnalyticsDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** Breaks the schema step by step, in a context and database of its own. */
@SpringBootTest(classes = TestHost.class)
@AutoConfigureAnalyticsDatabase(schema = "health_ledger")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    TestDatabase database;

    @Test
    @Order(1)
    void staysUpWithTheFindingsWhenASecondaryIndexIsMissing() throws SQLException {
        execute("DROP INDEX health_ledger.token_usage_ledger_status_idx");

        BootLine.Health health = BootLine.health(context);

        assertThat(health.status()).isEqualTo("UP");
        assertThat(health.details()).containsEntry("status", "DEGRADED");
        assertThat(findings(health))
                .anySatisfy(finding -> assertThat(finding)
                        .containsEntry("kind", "INDEX_MISSING")
                        .containsEntry("subject", "token_usage_ledger_status_idx"));
    }

    @Test
    @Order(2)
    void goesDownWhenTheUniqueIndexOnRequestIdIsDropped() throws SQLException {
        execute("ALTER TABLE health_ledger.token_usage_ledger DROP CONSTRAINT token_usage_ledger_request_id_key");

        BootLine.Health health = BootLine.health(context);

        assertThat(health.status()).isEqualTo("DOWN");
        assertThat(health.details()).containsEntry("status", "BROKEN");
        assertThat(findings(health))
                .first()
                .satisfies(finding -> assertThat(finding)
                        .containsEntry("status", "BROKEN")
                        .containsEntry("subject", "token_usage_ledger_request_id_key"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>> findings(BootLine.Health health) {
        return (List<Map<String, String>>) health.details().get("findings");
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
