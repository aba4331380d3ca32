package dev.ledgeranalytics.roles;

import static dev.ledgeranalytics.roles.RoleDatabase.assertLacksPrivilege;
import static dev.ledgeranalytics.roles.RoleDatabase.assertRefused;
import static dev.ledgeranalytics.roles.RoleDatabase.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.roles.RoleDatabase.RollupState;
import dev.ledgeranalytics.rollup.RollupAnswers;
import dev.ledgeranalytics.rollup.RollupStatus;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.verify.SchemaVerifier;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;

/**
 * The writer (the gateway) writes through every path a gateway uses with the grants
 * {@code AnalyticsGrants} gives it, whatever state the rollups are in; every write reaches the
 * rollups once; and the writer reads nothing but what its statements need.
 */
class WriterRoleTest {

    private static final String COLUMNS = "request_id, created_at, status, provider_id, model_id, user_id, user_tier,"
            + " request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens, output_tokens,"
            + " cached_input_tokens, reasoning_tokens, margin_multiplier";
    private static final LedgerFilter EVERYTHING = LedgerFilter.between(
                    Instant.parse("2026-08-25T00:00:00Z"), Instant.parse("2026-11-20T00:00:00Z"))
            .anyStatus();

    private static RoleDatabase roles;

    private final Random random = new Random(23);
    private final LedgerWriter rows = new LedgerWriter(random, List.of(Row.ALICE, Row.BOB));

    @BeforeAll
    static void roles() {
        roles = RoleDatabase.create();
    }

    @AfterAll
    static void dropRoles() {
        roles.close();
    }

    @BeforeEach
    void baseLedger() {
        Rollups.create(roles.owner()).disable();
        RoleDatabase.execute(roles.owner(), "TRUNCATE analytics.token_usage_ledger");
        new Ledger(roles.owner()).insert(RandomLedger.rows(11L, 500, 12));
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void everyWritePathOfTheGatewaySucceedsAndReachesTheRollupsOnce(RollupState state) throws SQLException {
        state.establish(roles.owner());
        long before = ledgerRows();
        Instant from = Instant.parse("2026-09-02T00:00:00Z");
        Instant to = Instant.parse("2026-11-10T00:00:00Z");
        int inserted;
        int appliedAtOnce;

        try (Connection gateway = roles.writer().getConnection()) {
            // One row a statement, batched, the provider looked up by its slug.
            new Ledger(roles.writer()).insert(rows.rows(5, from, to));
            // Many rows in one statement.
            rows.insert(gateway, rows.rows(20, from, to));
            // COPY, with the providers' ids the writer may read.
            copy(gateway, rows.rows(15, from, to));
            // One row, its id returned; then the same request again, as a retry: not billed twice.
            Row retried = rows.row(rows.instant(from, to));
            UUID requestId = UUID.randomUUID();
            UUID id = insertReturningId(gateway, requestId, retried);
            assertThat(insertIfAbsent(gateway, requestId, retried)).isZero();
            // A streamed request completes: its row is updated by request id, and again by id.
            assertThat(complete(gateway, "request_id", requestId)).isEqualTo(1);
            assertThat(complete(gateway, "id", id)).isEqualTo(1);
            inserted = 5 + 20 + 15 + 1;
            appliedAtOnce = inserted;
            // A writer in a REPEATABLE READ transaction: its inserts are recorded in either mode.
            gateway.setAutoCommit(false);
            gateway.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            rows.insert(gateway, rows.rows(4, from, to));
            gateway.commit();
            inserted += 4;
        }

        assertThat(ledgerRows()).isEqualTo(before + inserted);
        RollupStatus status = Rollups.create(roles.owner()).status();
        switch (state) {
            case NOT_BUILT -> {
                assertThat(status.pendingQuarterHours()).isZero();
                assertThat(rollupRequests()).isZero();
            }
            case REFRESH_MODE -> {
                assertThat(status.pendingQuarterHours()).isPositive();
                assertThat(rollupRequests()).isEqualTo(before);
            }
            case TRIGGER_MODE -> {
                assertThat(status.pendingQuarterHours()).isPositive(); // the updates and the REPEATABLE READ inserts
                assertThat(rollupRequests()).isEqualTo(before + appliedAtOnce);
            }
        }
        RollupAnswers answers = new RollupAnswers(roles.owner());
        answers.assertSame(
                "before the refresh, " + state, EVERYTHING, Granularity.DAY, ZoneOffset.UTC, UserSort.REQUESTS_DESC, 3);

        Rollups.create(roles.owner()).refresh();

        assertThat(Rollups.create(roles.owner()).status().pendingQuarterHours()).isZero();
        assertThat(rollupRequests()).isEqualTo(before + inserted);
        answers.assertSame(
                "after the refresh, " + state,
                EVERYTHING,
                Granularity.DAY,
                ZoneId.of("America/New_York"),
                UserSort.GROSS_MARGIN_DESC,
                3);
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void theWriterReadsNeitherTheRollupsNorTheMoneyAndDeletesNothing(RollupState state) {
        state.establish(roles.owner());
        DataSource writer = roles.writer();
        long before = ledgerRows();

        for (String table : List.of(
                "rollup_state",
                "rollup_changes",
                "rollup_new_rows",
                "rollup_status",
                "rollup_provider",
                "rollup_dims",
                "rollup_costs",
                "rollup_users",
                "rollup_cost_buckets",
                "analytics_schema_history")) {
            assertRefused(writer, "SELECT count(*) FROM analytics." + table);
        }
        // Which requests exist, by their ids, and when, is all the writer may read of the ledger.
        RoleDatabase.execute(writer, "SELECT id, request_id, created_at FROM analytics.token_usage_ledger");
        for (String column : List.of("user_id", "vendor_cost", "gross_margin_usd", "credits_deducted")) {
            assertRefused(writer, "SELECT " + column + " FROM analytics.token_usage_ledger");
        }
        assertRefused(writer, "UPDATE analytics.token_usage_ledger SET credits_deducted = credits_deducted + 1");
        assertRefused(writer, "DELETE FROM analytics.token_usage_ledger");
        assertRefused(writer, "TRUNCATE analytics.token_usage_ledger");
        assertRefused(writer, "INSERT INTO analytics.providers (slug, display_name) VALUES ('x', 'X')");
        assertRefused(writer, "INSERT INTO analytics.rollup_changes (quarter_hour) VALUES (now())");
        assertRefused(writer, "CREATE TABLE analytics.scratch (n int)");
        assertLacksPrivilege(() -> AnalyticsQueries.create(writer).grossMargin(EVERYTHING))
                .hasMessageContaining("permission denied for table rollup_state");
        assertLacksPrivilege(() -> CsvExporter.create(writer).exportLedger(EVERYTHING, new StringWriter()));
        assertLacksPrivilege(() -> SchemaVerifier.verify(writer));
        assertLacksPrivilege(() -> Rollups.create(writer).refresh());

        assertThat(ledgerRows()).isEqualTo(before);
    }

    /** COPY in text format: the gateway's bulk path, which takes provider ids rather than slugs. */
    private static void copy(Connection gateway, List<Row> batch) throws SQLException {
        Map<String, UUID> providers = new HashMap<>();
        try (PreparedStatement read = gateway.prepareStatement("SELECT slug, id FROM analytics.providers");
                ResultSet result = read.executeQuery()) {
            while (result.next()) {
                providers.put(result.getString(1), result.getObject(2, UUID.class));
            }
        }
        StringBuilder text = new StringBuilder();
        for (Row row : batch) {
            text.append(String.join(
                            "\t",
                            UUID.randomUUID().toString(),
                            row.createdAt().toString(),
                            row.status().name().toLowerCase(Locale.ROOT),
                            providers.get(row.provider()).toString(),
                            row.model(),
                            row.user().toString(),
                            row.tier(),
                            row.requestType(),
                            row.vendorCost().toPlainString(),
                            row.grossMargin().toPlainString(),
                            Integer.toString(row.credits()),
                            Integer.toString(row.inputTokens()),
                            Integer.toString(row.outputTokens()),
                            Integer.toString(row.cachedInputTokens()),
                            Integer.toString(row.reasoningTokens()),
                            "1.50"))
                    .append('\n');
        }
        try {
            long copied = gateway.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "COPY analytics.token_usage_ledger (" + COLUMNS + ") FROM STDIN",
                            new StringReader(text.toString()));
            assertThat(copied).isEqualTo(batch.size());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UUID insertReturningId(Connection gateway, UUID requestId, Row row) throws SQLException {
        try (PreparedStatement insert = gateway.prepareStatement(insert(row, "RETURNING id"))) {
            bind(insert, requestId, row);
            try (ResultSet id = insert.executeQuery()) {
                id.next();
                return id.getObject(1, UUID.class);
            }
        }
    }

    /** The idempotent insert of a retried request: nothing if the request id is already there. */
    /**
     * Inserts unless the request is there. A partitioned ledger's unique key on the request id
     * contains {@code created_at} too, as a partitioned table's must (docs/partitioning.md).
     */
    private static int insertIfAbsent(Connection gateway, UUID requestId, Row row) throws SQLException {
        String target = partitioned(gateway) ? "(request_id, created_at)" : "(request_id)";
        try (PreparedStatement insert =
                gateway.prepareStatement(insert(row, "ON CONFLICT " + target + " DO NOTHING"))) {
            bind(insert, requestId, row);
            return insert.executeUpdate();
        }
    }

    private static boolean partitioned(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_partitioned_table "
                        + "WHERE partrelid = 'analytics.token_usage_ledger'::regclass")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static String insert(Row row, String suffix) {
        return "INSERT INTO analytics.token_usage_ledger (" + COLUMNS + ") VALUES (?, ?, ?::analytics.request_status,"
                + " (SELECT id FROM analytics.providers WHERE slug = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1.50) "
                + suffix;
    }

    private static void bind(PreparedStatement insert, UUID requestId, Row row) throws SQLException {
        insert.setObject(1, requestId);
        insert.setObject(2, row.createdAt().atOffset(ZoneOffset.UTC));
        insert.setString(3, row.status().name().toLowerCase(Locale.ROOT));
        insert.setString(4, row.provider());
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
    }

    /** What a gateway writes when a streamed request ends: the final tokens and cost, set, never read. */
    private static int complete(Connection gateway, String key, UUID value) throws SQLException {
        try (PreparedStatement update = gateway.prepareStatement("UPDATE analytics.token_usage_ledger SET"
                + " status = 'success', output_tokens = 900, reasoning_tokens = 0, vendor_cost = 0.01250000,"
                + " gross_margin_usd = 0.00650000, credits_deducted = 19, error_code = NULL, updated_at = now()"
                + " WHERE " + key + " = ?")) {
            update.setObject(1, value);
            return update.executeUpdate();
        }
    }

    private static long ledgerRows() {
        return scalar(roles.owner(), "SELECT count(*) FROM analytics.token_usage_ledger");
    }

    /** The requests the rollups hold, by their daily totals. */
    private static long rollupRequests() {
        return scalar(roles.owner(), "SELECT coalesce(sum(requests), 0) FROM analytics.rollup_status WHERE grain = 3");
    }
}
