package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PostgreSQL's COPY writes the ledger byte for byte as the cursor and {@link CsvWriter} wrote it
 * before (the reference, {@link CursorLedgerRowsCsv}): on rows made to trip CSV and type
 * rendering up, in zones with odd offsets, under every filter, and on a realistic seeded ledger.
 */
@AnalyticsDatabase
class LedgerRowsCsvTest {

    private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");
    private static final UUID ALICE = UUID.fromString("00000000-0000-4000-8000-00000000a11c");

    private final DataSource dataSource;

    LedgerRowsCsvTest(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE analytics.token_usage_ledger, analytics.providers");
            statement.execute("INSERT INTO analytics.providers (slug, display_name) VALUES "
                    + "('openai', 'OpenAI'), ('anthropic', 'Anthropic'), ('a-b_c', 'Odd, \"quoted\" name')");
            // Every value CSV or type rendering could get wrong: empty strings, delimiters, quotes, line
            // breaks, a lone \., unicode, extremes of each numeric type, both booleans, nulls, fractions
            // with trailing zeros, daylight saving transitions, and update times far off in both directions.
            statement.execute("""
                    INSERT INTO analytics.token_usage_ledger (request_id, created_at, status, provider_id, model_id,
                        user_id, user_tier, api_key_id, request_type, input_tokens, cached_input_tokens, output_tokens,
                        reasoning_tokens, vendor_cost, margin_multiplier, gross_margin_usd, credits_deducted, latency_ms,
                        time_to_first_token_ms, error_code, is_streaming, upstream_request_id, session_id, metadata,
                        updated_at)
                    SELECT gen_random_uuid(), v.created_at::timestamptz, v.status::analytics.request_status, p.id,
                        v.model_id, v.user_id::uuid, v.tier, v.api_key::uuid, v.request_type, v.input_tokens,
                        v.cached, v.output_tokens, v.reasoning, v.vendor_cost, v.multiplier, v.margin, v.credits,
                        v.latency, v.ttft, v.error_code, v.streaming, v.upstream, v.session::uuid, v.metadata::jsonb,
                        v.updated_at::timestamptz
                    FROM (VALUES
                      ('2026-03-29 00:59:59.999999+00', 'success', 'openai', '', '00000000-0000-4000-8000-00000000a11c',
                       'free', NULL, 'chat', 0, 0, 0, 0, 0.00000000, 2.50, 0.00000000, 0, NULL, NULL, NULL, false,
                       NULL, NULL, '{}', '0001-01-01 00:00:00+00'),
                      ('2026-03-29 01:00:00+00', 'failed', 'anthropic', 'gpt,4o', '00000000-0000-4000-8000-00000000b0b0',
                       'pro', '00000000-0000-4000-8000-0000000000a1', 'embedding', 2147483647, 2147483647, 2147483647,
                       2147483647, 99.99999999, 99.99, -99.99999999, 2147483647, 2147483647, 2147483647,
                       'quote "x", comma', true, E'line 1\\nline 2', '00000000-0000-4000-8000-0000000000b2',
                       '{"note": "a, b", "q": "\\"", "nl": "x\\ny", "n": 1.50, "u": "ü"}', '9999-12-31 23:59:59.999999+00'),
                      ('2026-10-25 00:59:59.100000+00', 'cancelled', 'a-b_c', E'a\\r\\nb', '00000000-0000-4000-8000-00000000a11c',
                       'enterprise', NULL, 'chat', 10, 5, 7, 3, 0.00000001, 1.00, -0.00000001, 1, 0, 0, '', false,
                       E'\\\\.', NULL, '{"nested": {"list": [1, "two", null, true]}}', '0044-03-15 12:00:00+00 BC'),
                      ('2026-10-25 01:00:00.120000+00', 'success', 'openai', ' spaced ', '00000000-0000-4000-8000-00000000a11c',
                       'pro', NULL, 'chat', 1, 0, 1, 0, 0.00012300, 1.80, 0.00009840, 22, 1500, 250, NULL, true,
                       E'tab\\there', NULL, '{"emoji": "😀", "dash": "—"}', '2026-10-25 01:00:00.000001+00'),
                      ('2026-11-02 23:30:00.123456+00', 'success', 'anthropic', 'mödel — 😀 ''quoted''',
                       '00000000-0000-4000-8000-00000000b0b0', 'free', NULL, 'chat', 3, 1, 4, 2, 1.00000000, 1.50,
                       0.50000000, 50, NULL, NULL, NULL, false, '"', NULL, '{"a": ""}', '2026-11-02 23:30:00+00')
                    ) AS v(created_at, status, slug, model_id, user_id, tier, api_key, request_type, input_tokens, cached,
                           output_tokens, reasoning, vendor_cost, multiplier, margin, credits, latency, ttft, error_code,
                           streaming, upstream, session, metadata, updated_at)
                    JOIN analytics.providers p ON p.slug = v.slug""");
        }
    }

    static List<ZoneId> zones() {
        return List.of(
                ZoneOffset.UTC,
                ZoneId.of("Europe/Berlin"),
                ZoneId.of("Asia/Kathmandu"),
                ZoneId.of("America/St_Johns"),
                ZoneId.of("Pacific/Kiritimati"),
                ZoneOffset.ofHoursMinutes(-9, -30));
    }

    @ParameterizedTest
    @MethodSource("zones")
    void copyWritesTrickyRowsExactlyAsTheCursorDid(ZoneId zone) {
        String reference = reference(zone, everything());

        assertThat(reference.split("\r\n", -1))
                .as("header, five rows, the line break inside a quoted model id and the final one")
                .hasSize(8);
        assertThat(copied(zone, everything())).isEqualTo(reference);
        assertThat(copiedBytes(zone, everything())).isEqualTo(reference.getBytes(StandardCharsets.UTF_8));
    }

    static List<UnaryOperator<LedgerFilter>> filters() {
        return List.of(
                filter -> filter,
                filter -> filter.statuses(RequestStatus.FAILED, RequestStatus.CANCELLED),
                filter -> filter.statuses(Set.of()),
                filter -> filter.providers("openai", "a-b_c"),
                filter -> filter.providers("nobody"),
                filter -> filter.models("gpt,4o", "mödel — 😀 'quoted'", "a\r\nb", "it's \\ odd"),
                filter -> filter.users(ALICE),
                filter -> filter.tiers("pro", "enterprise"),
                filter -> filter.requestTypes("embedding"),
                filter ->
                        filter.during(Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-10-25T01:00:00.12Z")),
                filter -> filter.models("gpt,4o").users(ALICE));
    }

    @ParameterizedTest
    @MethodSource("filters")
    void copyHonoursEveryFilterAsTheCursorDid(UnaryOperator<LedgerFilter> restriction) {
        Condition where = where(restriction.apply(LedgerFilter.between(FROM, TO).anyStatus()));
        ZoneId zone = ZoneId.of("Europe/Berlin");

        assertThat(copied(zone, where)).isEqualTo(reference(zone, where));
    }

    @Test
    void copyWritesASeededLedgerExactlyAsTheCursorDid() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE analytics.token_usage_ledger");
        }
        LedgerSeeder.into(dataSource).rows(20_000).between(FROM, TO).seed(16).load();

        for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("America/New_York"))) {
            String reference = reference(zone, everything());
            assertThat(reference.split("\r\n")).hasSize(20_001);
            assertThat(copied(zone, everything())).isEqualTo(reference);
        }
    }

    @Test
    void aWriterThatFailsPartWayStopsTheCopyAndLeavesTheConnectionInStep() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO analytics.token_usage_ledger (request_id, created_at, status, provider_id, model_id,
                        user_id, user_tier, request_type, input_tokens, output_tokens, vendor_cost, margin_multiplier,
                        gross_margin_usd, credits_deducted)
                    SELECT gen_random_uuid(), '2026-06-01'::timestamptz + i * interval '1 second', 'success', id,
                        'gpt-4o', gen_random_uuid(), 'pro', 'chat', 10, 20, 0.00010000, 1.50, 0.00005000, 1
                    FROM analytics.providers, generate_series(1, 100000) AS i WHERE slug = 'openai'""");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            DSLContext tx = DSL.using(connection, SQLDialect.POSTGRES);
            Writer failsAfterAMegabyte = new Writer() {
                private long written;

                @Override
                public void write(char[] buffer, int offset, int length) throws IOException {
                    written += length;
                    if (written > 1 << 20) {
                        throw new IOException("Broken pipe");
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };

            assertThatThrownBy(() -> new LedgerRowsCsv(ZoneOffset.UTC)
                            .write(tx, TOKEN_USAGE_LEDGER, everything(), failsAfterAMegabyte))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("Broken pipe");

            connection.rollback();
            assertThat(tx.resultQuery("SELECT count(*) FROM analytics.token_usage_ledger")
                            .fetchOne(0, Long.class))
                    .isEqualTo(100_005L);
            assertThat(tx.resultQuery("SELECT 'in step'").fetchOne(0, String.class))
                    .isEqualTo("in step");
            assertThat(new LedgerRowsCsv(ZoneOffset.UTC)
                            .write(tx, TOKEN_USAGE_LEDGER, everything(), new StringWriter()))
                    .isEqualTo(100_005L);
        }
    }

    private static Condition everything() {
        return where(LedgerFilter.between(FROM, TO).anyStatus());
    }

    private static Condition where(LedgerFilter filter) {
        return Slice.of(
                        filter.statuses(),
                        filter.providers(),
                        filter.models(),
                        filter.users(),
                        filter.tiers(),
                        filter.requestTypes())
                .ofLedger(filter.from(), filter.to());
    }

    private String reference(ZoneId zone, Condition where) {
        return inTransaction(tx -> {
            StringWriter out = new StringWriter();
            new CursorLedgerRowsCsv(zone).write(tx, TOKEN_USAGE_LEDGER, where, out);
            return out.toString();
        });
    }

    private String copied(ZoneId zone, Condition where) {
        return inTransaction(tx -> {
            StringWriter out = new StringWriter();
            new LedgerRowsCsv(zone).write(tx, TOKEN_USAGE_LEDGER, where, out);
            return out.toString();
        });
    }

    private byte[] copiedBytes(ZoneId zone, Condition where) {
        return inTransaction(tx -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new LedgerRowsCsv(zone).write(tx, TOKEN_USAGE_LEDGER, where, out);
            return out.toByteArray();
        });
    }

    private <T> T inTransaction(Function<DSLContext, T> work) {
        return new Transactions(DSL.using(dataSource, SQLDialect.POSTGRES), null).read("Exporting", work);
    }
}
