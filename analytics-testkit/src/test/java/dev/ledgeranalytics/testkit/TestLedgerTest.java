package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@AnalyticsDatabase
class TestLedgerTest {

    private final DataSource dataSource;
    private final TestLedger ledger;

    TestLedgerTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.ledger = TestLedger.in(dataSource);
    }

    @Test
    void writesARowFromDefaultsAndWhatTheTestNames() throws SQLException {
        UUID alice = UUID.randomUUID();

        UUID request = ledger.row()
                .user(alice)
                .provider("anthropic")
                .model("claude-sonnet-4-5")
                .vendorCost("0.0025")
                .marginMultiplier("2.50")
                .credits(450)
                .tokens(1_000, 200)
                .at(Instant.parse("2026-11-03T10:00:00Z"))
                .insert();

        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("""
                     SELECT l.user_id, p.slug, l.vendor_cost, l.gross_margin_usd, l.credits_deducted, l.status::text,
                            l.created_at = '2026-11-03T10:00:00Z', l.user_tier
                     FROM analytics.token_usage_ledger l JOIN analytics.providers p ON p.id = l.provider_id
                     WHERE l.request_id = '%s'""".formatted(request))) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1, UUID.class)).isEqualTo(alice);
            assertThat(rs.getString(2)).isEqualTo("anthropic");
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0.0025");
            assertThat(rs.getBigDecimal(4)).isEqualByComparingTo("0.00375");
            assertThat(rs.getInt(5)).isEqualTo(450);
            assertThat(rs.getString(6)).isEqualTo("success");
            assertThat(rs.getBoolean(7)).isTrue();
            assertThat(rs.getString(8)).isEqualTo("pro");
        }
    }

    @Test
    void aFailedRequestCostsWithoutRevenue() throws SQLException {
        UUID request = ledger.row().status("failed").vendorCost("0.001").insert();

        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT gross_margin_usd, error_code FROM analytics.token_usage_ledger "
                                + "WHERE request_id = '" + request + "'")) {
            rs.next();
            assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("-0.001");
            assertThat(rs.getString(2)).isNotNull();
        }
    }

    @Test
    void aRowTheSchemaRejectsFailsWithTheSqlState() {
        assertThatThrownBy(() -> ledger.row().tokens(-1, 0).insert())
                .isInstanceOf(AnalyticsException.class)
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("23514"));
        assertThatThrownBy(() -> ledger.row().user(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user");
    }
}
