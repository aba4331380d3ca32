package dev.ledgeranalytics.citus;

import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.RandomLedger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Schemas of one test class on the shared Citus cluster, which shares one database between tests
 * (Citus creates no database on its workers), and what the Citus tests compare: filters, and
 * copies of one schema's rows into another.
 */
final class CitusSchemas {

    static final Instant END = RandomLedger.START.plus(RandomLedger.SPAN);

    /** Whole days, edges inside quarter hours with every status, several dimensions. */
    static final List<LedgerFilter> FILTERS = List.of(
            LedgerFilter.between(RandomLedger.START.minus(Duration.ofDays(1)), END.plus(Duration.ofDays(1))),
            LedgerFilter.between(
                            RandomLedger.START.plus(Duration.ofDays(3)).plusSeconds(787),
                            END.minus(Duration.ofMinutes(53)))
                    .anyStatus()
                    .providers("openai", "anthropic"),
            LedgerFilter.between(RandomLedger.START.plus(Duration.ofDays(20)), END.minus(Duration.ofDays(20)))
                    .models("gpt-4o", "mistral-large")
                    .tiers("pro"),
            LedgerFilter.between(END.minus(Duration.ofDays(1)), END.plus(Duration.ofDays(1)))
                    .requestTypes("image"));

    /** The ledger's columns, every one, so that a copy keeps ids and all. */
    private static final String COLUMNS = "id, request_id, user_id, model_id, provider_id, vendor_cost,"
            + " credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens,"
            + " user_tier, api_key_id, request_type, cached_input_tokens, reasoning_tokens, latency_ms,"
            + " time_to_first_token_ms, error_code, is_streaming, upstream_request_id, session_id, metadata, updated_at";

    private final DataSource coordinator;
    private final List<String> schemas = new ArrayList<>();

    CitusSchemas(DataSource coordinator) {
        this.coordinator = coordinator;
    }

    /** A new schema name for {@code role}, dropped by {@link #dropAll()}. */
    String schema(String role) {
        String schema = "citus_" + role + "_" + UUID.randomUUID().toString().substring(0, 8);
        schemas.add(schema);
        return schema;
    }

    void dropAll() throws SQLException {
        for (String schema : schemas) {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /**
     * Copies the providers and ledger rows of {@code from} into {@code to}, ids and all, through
     * {@code INSERT ... SELECT}, and analyzes both ledgers.
     */
    void copyRows(String from, String to) throws SQLException {
        execute(
                "INSERT INTO " + to + ".providers SELECT * FROM " + from + ".providers",
                "INSERT INTO " + to + ".token_usage_ledger (" + COLUMNS + ") SELECT "
                        + COLUMNS.replace("status", "status::text::" + to + ".request_status") + " FROM " + from
                        + ".token_usage_ledger",
                "ANALYZE " + from + ".token_usage_ledger",
                "ANALYZE " + to + ".token_usage_ledger");
    }

    long count(String sql) {
        return new Ledger(coordinator).count(sql);
    }

    List<String> names(String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = coordinator.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    void execute(String... statements) throws SQLException {
        try (Connection connection = coordinator.getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
