package dev.ledgeranalytics.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.SqlState;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@AnalyticsDatabase
class CsvExporterTest {

    private static final LedgerFilter NOVEMBER = LedgerFilter.between(
                    Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"))
            .anyStatus();

    private final DataSource dataSource;

    CsvExporterTest(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE analytics.token_usage_ledger, analytics.providers");
            statement.execute(
                    "INSERT INTO analytics.providers (slug, display_name) VALUES ('openai', 'Open \"AI\", Inc.')");
            statement.execute("""
                    INSERT INTO analytics.token_usage_ledger (id, request_id, user_id, model_id, provider_id, vendor_cost,
                        credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens,
                        user_tier, request_type, error_code, metadata, updated_at)
                    SELECT '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002',
                           '00000000-0000-4000-8000-000000000003', 'gpt-4o', id, 0.00000100, 0, 1.50, -0.00000100, 'failed',
                           '2026-11-02T23:30:00.123456Z', 10, 0, 'pro', 'chat', 'line 1,
                    "line 2"', '{"note": "a, b"}', '2026-11-02T23:30:00.123456Z'
                    FROM analytics.providers""");
        }
    }

    @Test
    void writesTheLedgerAsRfc4180WithExactDecimalsAndLocalTimes() {
        StringWriter out = new StringWriter();

        long rows = CsvExporter.create(dataSource)
                .withZone(ZoneId.of("Asia/Kolkata"))
                .exportLedger(NOVEMBER, out);

        assertThat(rows).isEqualTo(1);
        String[] lines = out.toString().split("\r\n", -1);
        assertThat(lines[0]).startsWith("id,request_id,created_at,status,provider,model_id,user_id");
        assertThat(lines[1])
                .startsWith("00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000002,"
                        + "2026-11-03T05:00:00.123456+05:30,failed,openai,gpt-4o,");
        assertThat(out.toString())
                .contains(",0.00000100,1.50,-0.00000100,0,")
                .contains(",\"line 1,\n\"\"line 2\"\"\",")
                .contains(",\"{\"\"note\"\": \"\"a, b\"\"}\",")
                .endsWith("\r\n");
    }

    @Test
    void writesBytesAsUtf8AndOnlyTheHeaderWhenNothingMatches() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        long rows = CsvExporter.create(dataSource).exportLedger(NOVEMBER.providers("nobody"), bytes);

        assertThat(rows).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .startsWith("id,request_id,")
                .endsWith("updated_at\r\n");
    }

    @Test
    void exportsWithoutTheStatementTimeoutThatCancelsTheDatabasesQueries() throws Exception {
        String database = LedgerDsl.using(dataSource)
                .resultQuery("SELECT current_database()")
                .fetchOne(0, String.class);
        LedgerDsl.using(dataSource).execute("ALTER DATABASE \"" + database + "\" SET statement_timeout = '200ms'");
        ExecutorService unlocker = Executors.newSingleThreadExecutor();
        try (Connection locker = dataSource.getConnection();
                Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("LOCK TABLE analytics.token_usage_ledger IN ACCESS EXCLUSIVE MODE");

            assertThatThrownBy(() ->
                            AnalyticsQueries.create(dataSource).withRawReads().grossMargin(NOVEMBER))
                    .isInstanceOf(AnalyticsException.class)
                    .extracting(e -> ((AnalyticsException) e).sqlState())
                    .isEqualTo(Optional.of(SqlState.QUERY_CANCELED));
            Future<?> unlocked = unlocker.submit(() -> {
                Thread.sleep(1_000);
                locker.commit();
                return null;
            });
            StringWriter out = new StringWriter();

            long rows = CsvExporter.create(dataSource).exportLedger(NOVEMBER, out);

            unlocked.get();
            assertThat(rows).isEqualTo(1);
            assertThat(out.toString()).contains("gpt-4o");
        } finally {
            unlocker.shutdownNow();
            LedgerDsl.using(dataSource).execute("ALTER DATABASE \"" + database + "\" RESET statement_timeout");
        }
    }

    @Test
    void writesQueryResultsWithQuotedNamesAndEmptyFieldsForNulls() {
        AnalyticsQueries queries = AnalyticsQueries.create(dataSource);
        CsvExporter exporter = CsvExporter.create(dataSource);
        StringWriter providers = new StringWriter();
        StringWriter kpis = new StringWriter();
        StringWriter trend = new StringWriter();

        exporter.writeProviderCosts(queries.providerCosts(NOVEMBER), providers);
        exporter.write(queries.grossMargin(NOVEMBER), kpis);
        exporter.write(queries.marginTrend(NOVEMBER, Granularity.WEEK, ZoneId.of("UTC")), trend);

        assertThat(providers.toString())
                .isEqualTo(
                        "provider,display_name,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,"
                                + "vendor_cost,revenue,gross_margin,cost_share\r\nopenai,\"Open \"\"AI\"\", Inc.\",1,10,0,0,0,"
                                + "0.00000100,0.00000000,-0.00000100,1.000000\r\n");
        assertThat(kpis.toString())
                .contains("\r\ncurrent,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,1,10,0,0,0,0.00000100,0.00000000,")
                .contains(
                        "\r\nprevious,2026-10-02T00:00:00Z,2026-11-01T00:00:00Z,0,0,0,0,0,0.00000000,0.00000000,0.00000000,,0\r\n");
        assertThat(trend.toString())
                .startsWith("bucket_start,bucket_end,requests,revenue,vendor_cost,gross_margin\r\n"
                        + "2026-10-26T00:00:00Z,2026-11-02T00:00:00Z,0,");
        assertThatThrownBy(() -> exporter.exportLedger(null, new StringWriter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filter");
    }
}
