package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.RequestStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Writes test rows into the ledger with plain JDBC, and reads them back for the oracle. */
public final class Ledger {

    public static final List<String> PROVIDERS = List.of("openai", "anthropic", "google", "mistral");

    private final DataSource dataSource;
    private final String schema;

    public Ledger(DataSource dataSource) {
        this(dataSource, "analytics");
    }

    public Ledger(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Registers the test providers, named after their slugs. */
    public Ledger withProviders() {
        execute("INSERT INTO " + schema + ".providers (slug, display_name) VALUES "
                + "('openai', 'OpenAI'), ('anthropic', 'Anthropic'), ('google', 'Google'), ('mistral', 'Mistral AI')");
        return this;
    }

    public void clear() {
        execute("TRUNCATE " + schema + ".token_usage_ledger");
    }

    public void insert(Row... rows) {
        insert(List.of(rows));
    }

    public void insert(Collection<Row> rows) {
        // Provider ids are looked up first: Citus takes no subquery inside INSERT ... VALUES.
        Map<String, UUID> providers = providerIds();
        String sql = """
                INSERT INTO %s.token_usage_ledger (request_id, created_at, status, provider_id, model_id, user_id,
                    user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens, output_tokens,
                    cached_input_tokens, reasoning_tokens, margin_multiplier)
                VALUES (?, ?, ?::%s.request_status, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1.50)""".formatted(schema, schema);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            for (Row row : rows) {
                insert.setObject(1, UUID.randomUUID());
                insert.setObject(2, row.createdAt().atOffset(ZoneOffset.UTC));
                insert.setString(3, row.status().name().toLowerCase(Locale.ROOT));
                insert.setObject(4, providers.get(row.provider()));
                insert.setString(5, row.model());
                insert.setObject(6, row.user());
                insert.setString(7, row.tier());
                insert.setString(8, row.requestType());
                insert.setBigDecimal(9, row.vendorCost());
                insert.setBigDecimal(10, row.grossMargin());
                insert.setInt(11, row.credits());
                insert.setInt(12, row.inputTokens());
                insert.setInt(13, row.outputTokens());
                insert.setInt(14, row.cachedInputTokens());
                insert.setInt(15, row.reasoningTokens());
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, UUID> providerIds() {
        Map<String, UUID> ids = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT slug, id FROM " + schema + ".providers")) {
            while (rs.next()) {
                ids.put(rs.getString(1), rs.getObject(2, UUID.class));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** Every row, as stored. */
    public List<Row> readBack() {
        String sql = """
                SELECT l.created_at, l.status::text, p.slug, l.model_id, l.user_id, l.user_tier, l.request_type,
                       l.vendor_cost, l.gross_margin_usd, l.credits_deducted, l.input_tokens, l.output_tokens,
                       l.cached_input_tokens, l.reasoning_tokens
                FROM %s.token_usage_ledger l JOIN %s.providers p ON p.id = l.provider_id""".formatted(schema, schema);
        List<Row> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(new Row(
                        rs.getObject(1, OffsetDateTime.class).toInstant(),
                        RequestStatus.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getObject(5, UUID.class),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getBigDecimal(8),
                        rs.getBigDecimal(9),
                        rs.getInt(10),
                        rs.getInt(11),
                        rs.getInt(12),
                        rs.getInt(13),
                        rs.getInt(14)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** The one number {@code sql} returns. */
    public long count(String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public void execute(String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
