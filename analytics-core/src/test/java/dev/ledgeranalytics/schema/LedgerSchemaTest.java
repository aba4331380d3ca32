package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@AnalyticsDatabase
class LedgerSchemaTest {

    private static final String PROVIDER_ID = "00000000-0000-0000-0000-00000000000a";

    private final DataSource dataSource;

    LedgerSchemaTest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @BeforeAll
    static void addProvider(DataSource dataSource) throws SQLException {
        execute(
                dataSource,
                "INSERT INTO analytics.providers (id, slug, display_name) VALUES ('" + PROVIDER_ID
                        + "', 'openai', 'OpenAI')");
    }

    @Test
    void catalogMatchesTheSeedsVerificationReport() {
        SeedSchema.assertCatalogMatches(new Catalog(dataSource, "analytics"));
    }

    @Test
    void acceptsAValidRequestAndFillsTheDefaults() throws SQLException {
        insert(Map.of());
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("""
                     SELECT cached_input_tokens, reasoning_tokens, is_streaming, metadata::text, id IS NOT NULL
                     FROM analytics.token_usage_ledger ORDER BY created_at DESC LIMIT 1""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
            assertThat(rs.getInt(2)).isZero();
            assertThat(rs.getBoolean(3)).isFalse();
            assertThat(rs.getString(4)).isEqualTo("{}");
            assertThat(rs.getBoolean(5)).isTrue();
        }
    }

    @Test
    void storesCreatedAtAsAnInstantWhateverTheSessionTimeZone() throws SQLException {
        String requestId = "00000000-0000-0000-0000-0000000000c1";
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("SET TIME ZONE 'America/New_York'");
            statement.execute(
                    insertSql(Map.of("request_id", "'" + requestId + "'", "created_at", "'2026-03-08 01:30:00'")));
            statement.execute("SET TIME ZONE 'Asia/Tokyo'");
            try (ResultSet rs = statement.executeQuery("SELECT created_at FROM analytics.token_usage_ledger "
                    + "WHERE request_id = '" + requestId + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
                        .isEqualTo(Instant.parse("2026-03-08T06:30:00Z"));
            }
            // A month without a partition of its own: the default partition would keep the row.
            statement.execute("DELETE FROM analytics.token_usage_ledger WHERE request_id = '" + requestId + "'");
        }
    }

    @ParameterizedTest(name = "{0} = {1} is rejected with SQLSTATE {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            input_tokens           | -1                                     | 23514
            output_tokens          | -1                                     | 23514
            credits_deducted       | -1                                     | 23514
            vendor_cost            | -0.00000001                            | 23514
            margin_multiplier      | 0                                      | 23514
            cached_input_tokens    | 101                                    | 23514
            reasoning_tokens       | 51                                     | 23514
            latency_ms             | -5                                     | 23514
            time_to_first_token_ms | 5000                                   | 23514
            user_tier              | 'Pro'                                  | 23514
            request_type           | ''                                     | 23514
            error_code             | 'rate_limited'                         | 23514
            metadata               | '[1,2]'                                | 23514
            vendor_cost            | 100                                    | 22003
            user_id                | NULL                                   | 23502
            status                 | 'timeout'                              | 22P02
            provider_id            | '00000000-0000-0000-0000-0000000000ff' | 23503
            """)
    void rejectsDataThatWouldCorruptTheFigures(String column, String value, String sqlState) {
        assertThatThrownBy(() -> insert(Map.of(column, value)))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo(sqlState);
    }

    @Test
    void rejectsASecondRowForTheSameRequest() throws SQLException {
        Map<String, String> request = Map.of(
                "request_id",
                "'00000000-0000-0000-0000-0000000000d1'",
                "created_at",
                "date_trunc('month', now()) + interval '1 day'");
        insert(request);
        assertThatThrownBy(() -> insert(request))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("23505");
    }

    /**
     * Unpartitioned, a request id is unique; partitioned, unique keys must contain the partition
     * key, so a request written again at another instant is kept (docs/partitioning.md).
     */
    @Test
    void aSecondRowForTheSameRequestAtAnotherInstantIsRejectedUnlessTheLedgerIsPartitioned() throws SQLException {
        String requestId = "'00000000-0000-0000-0000-0000000000d2'";
        insert(Map.of("request_id", requestId, "created_at", "now()"));
        Map<String, String> again = Map.of("request_id", requestId, "created_at", "now() - interval '1 second'");
        if (partitioned()) {
            insert(again);
            assertThat(count("SELECT count(*) FROM analytics.token_usage_ledger WHERE request_id = " + requestId))
                    .isEqualTo(2);
        } else {
            assertThatThrownBy(() -> insert(again))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("23505");
        }
    }

    private boolean partitioned() throws SQLException {
        return count("SELECT count(*) FROM pg_partitioned_table "
                        + "WHERE partrelid = 'analytics.token_usage_ledger'::regclass")
                == 1;
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void insert(Map<String, String> overrides) throws SQLException {
        execute(dataSource, insertSql(overrides));
    }

    /** A valid ledger row, with some columns replaced by SQL literals. */
    private static String insertSql(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("request_id", "gen_random_uuid()");
        values.put("user_id", "gen_random_uuid()");
        values.put("model_id", "'gpt-4o'");
        values.put("provider_id", "'" + PROVIDER_ID + "'");
        values.put("vendor_cost", "0.00125000");
        values.put("credits_deducted", "3");
        values.put("margin_multiplier", "1.50");
        values.put("gross_margin_usd", "0.00062500");
        values.put("status", "'success'");
        values.put("input_tokens", "100");
        values.put("output_tokens", "50");
        values.put("user_tier", "'pro'");
        values.put("request_type", "'chat'");
        values.put("latency_ms", "1200");
        values.putAll(overrides);
        return "INSERT INTO analytics.token_usage_ledger (" + String.join(", ", values.keySet()) + ") VALUES ("
                + String.join(", ", values.values()) + ")";
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
