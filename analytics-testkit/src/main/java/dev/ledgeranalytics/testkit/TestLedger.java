package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Hand-written ledger rows for tests, one readable line each:
 *
 * <pre>{@code
 * TestLedger ledger = TestLedger.in(dataSource);
 * ledger.row().user(alice).provider("anthropic").vendorCost("0.0025").credits(450).at(t).insert();
 * }</pre>
 *
 * <p>A row starts from valid defaults (a successful {@code gpt-4o} chat request by a fixed user on
 * the {@code pro} tier, at 2026-11-01T00:00:00Z, costing nothing) and only what the test names
 * changes. Providers are registered on first use, named after their slug. Unless set, the gross
 * margin is the vendor cost times the multiplier minus the cost, and zero revenue for requests
 * that did not succeed.
 */
public final class TestLedger {

    /** The user of a row whose user was not set. */
    public static final UUID DEFAULT_USER = UUID.fromString("00000000-0000-4000-8000-000000000001");

    private static final Pattern HEAP_FETCHES = Pattern.compile("\"Heap Fetches\": (\\d+)");

    private final DataSource dataSource;
    private final String schema;

    private TestLedger(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /**
     * The ledger in this database's {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema.
     *
     * @param dataSource the migrated database
     * @return the ledger
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static TestLedger in(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new TestLedger(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * The same database's ledger in another schema.
     *
     * @param schemaName the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the ledger
     * @throws IllegalArgumentException if the name is invalid
     */
    public TestLedger schema(String schemaName) {
        return new TestLedger(dataSource, AnalyticsMigrations.requireSchemaName(schemaName));
    }

    /**
     * Starts a row with the defaults.
     *
     * @return the row, to adjust and {@link RowBuilder#insert()}
     */
    public RowBuilder row() {
        return new RowBuilder();
    }

    /**
     * Brings the ledger to the state autovacuum keeps a settled production ledger in: analyzed,
     * and every page that holds a row marked all-visible, so that the planner chooses index-only
     * scans and tests of plans see production's plans. Turns autovacuum off for the ledger table
     * (an autovacuum ANALYZE starting at the wrong moment holds a snapshot that keeps VACUUM from
     * marking pages) and repeats {@code VACUUM (ANALYZE, INDEX_CLEANUP ON)}, for at most a minute,
     * until an index-only scan of the whole ledger fetches no row from the table.
     *
     * @throws AnalyticsException if the database fails, or some snapshot stays open for a minute;
     *                            the message names the sessions that hold one
     */
    public void vacuum() {
        String table = '"' + schema + "\".token_usage_ledger";
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            // The table itself, or each partition of a partitioned ledger (which has no storage of its own).
            String leaves = "SELECT t.relid FROM pg_partition_tree('" + table + "') t WHERE t.isleaf"
                    + " UNION SELECT '" + table + "'::regclass WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree('"
                    + table + "'))";
            try (ResultSet names = statement.executeQuery(
                    "SELECT string_agg(format('ALTER TABLE %s SET (autovacuum_enabled = false)', relid::regclass), ';') FROM ("
                            + leaves + ") l")) {
                names.next();
                statement.execute(names.getString(1));
            }
            // A busy machine can keep an automatic ANALYZE of another table, or a checkpoint's pins,
            // in the way for seconds; a minute is far beyond that and still ends a true leak.
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            do {
                // INDEX_CLEANUP ON: with dead items on fewer than 2% of the pages VACUUM otherwise
                // skips the index pass and leaves them, and a page holding one is never all-visible.
                statement.execute("VACUUM (ANALYZE, INDEX_CLEANUP ON) " + table);
                // Not relallvisible = relpages: loaders that extend the table side by side leave
                // never-used pages between theirs, which VACUUM never marks (PostgreSQL leaves new
                // pages out of the visibility map) and cannot truncate, and which no scan reads.
                if (heapFetchesOfIndexOnlyScan(statement, table) == 0) {
                    return;
                }
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            throw new AnalyticsException("VACUUM could not mark the test ledger all-visible within a minute ("
                    + visiblePages(statement, leaves) + "); sessions of this database holding a snapshot: "
                    + snapshotHolders(statement));
        } catch (SQLException e) {
            throw new AnalyticsException("Vacuuming the test ledger failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnalyticsException("Interrupted while vacuuming the test ledger", e);
        }
    }

    /** How many rows an index-only scan of every row had to read from the table, as visibility was unknown. */
    private static long heapFetchesOfIndexOnlyScan(Statement statement, String table) throws SQLException {
        statement.execute("SET enable_seqscan = off; SET enable_bitmapscan = off");
        try (ResultSet plan = statement.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM " + table)) {
            plan.next();
            Matcher fetches = HEAP_FETCHES.matcher(plan.getString(1));
            long total = 0;
            boolean indexOnly = false;
            while (fetches.find()) {
                indexOnly = true;
                total += Long.parseLong(fetches.group(1));
            }
            // A plan without an index-only scan proves nothing; treated as not settled yet.
            return indexOnly ? total : Long.MAX_VALUE;
        } finally {
            statement.execute("RESET enable_seqscan; RESET enable_bitmapscan");
        }
    }

    private static String visiblePages(Statement statement, String leaves) throws SQLException {
        try (ResultSet pages = statement.executeQuery(
                "SELECT string_agg(format('%s: %s of %s pages all-visible', c.oid::regclass, c.relallvisible, c.relpages),"
                        + " ', ') FROM pg_class c WHERE c.oid IN (" + leaves + ")")) {
            pages.next();
            return pages.getString(1);
        }
    }

    private static String snapshotHolders(Statement statement) throws SQLException {
        try (ResultSet sessions = statement.executeQuery("""
                SELECT coalesce(string_agg(format('pid %s (%s, %s, xmin %s): %s', pid, backend_type, state, backend_xmin,
                                                  left(query, 80)), '; '), 'none')
                FROM pg_stat_activity
                WHERE datname = current_database() AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()""")) {
            sessions.next();
            return sessions.getString(1);
        }
    }

    /** One ledger row being written; every setter returns this builder. */
    public final class RowBuilder {

        private UUID user = DEFAULT_USER;
        private String provider = "openai";
        private String model = "gpt-4o";
        private String status = "success";
        private Instant at = Instant.parse("2026-11-01T00:00:00Z");
        private String tier = "pro";
        private String requestType = "chat";
        private BigDecimal vendorCost = BigDecimal.ZERO;
        private BigDecimal multiplier = new BigDecimal("1.80");
        private BigDecimal grossMargin;
        private int credits;
        private int inputTokens = 100;
        private int outputTokens = 20;

        private RowBuilder() {}

        /**
         * @param userId the host's user id
         * @return this builder
         */
        public RowBuilder user(UUID userId) {
            this.user = require("user", userId);
            return this;
        }

        /**
         * @param slug the provider's slug; registered if new
         * @return this builder
         */
        public RowBuilder provider(String slug) {
            this.provider = require("provider", slug);
            return this;
        }

        /**
         * @param modelId the model id
         * @return this builder
         */
        public RowBuilder model(String modelId) {
            this.model = require("model", modelId);
            return this;
        }

        /**
         * @param value {@code "success"}, {@code "failed"} or {@code "cancelled"}
         * @return this builder
         */
        public RowBuilder status(String value) {
            this.status = require("status", value).toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * @param instant the request's {@code created_at}
         * @return this builder
         */
        public RowBuilder at(Instant instant) {
            this.at = require("at", instant);
            return this;
        }

        /**
         * @param value the user's tier
         * @return this builder
         */
        public RowBuilder tier(String value) {
            this.tier = require("tier", value);
            return this;
        }

        /**
         * @param value the request type, such as {@code "embedding"}
         * @return this builder
         */
        public RowBuilder requestType(String value) {
            this.requestType = require("requestType", value);
            return this;
        }

        /**
         * @param usd the provider's cost, at most eight decimals
         * @return this builder
         */
        public RowBuilder vendorCost(String usd) {
            this.vendorCost = new BigDecimal(require("vendorCost", usd));
            return this;
        }

        /**
         * @param value the margin multiplier, such as {@code "2.50"}
         * @return this builder
         */
        public RowBuilder marginMultiplier(String value) {
            this.multiplier = new BigDecimal(require("marginMultiplier", value));
            return this;
        }

        /**
         * @param usd the gross margin, overriding the one derived from cost and multiplier
         * @return this builder
         */
        public RowBuilder grossMargin(String usd) {
            this.grossMargin = new BigDecimal(require("grossMargin", usd));
            return this;
        }

        /**
         * @param value credits deducted from the user
         * @return this builder
         */
        public RowBuilder credits(int value) {
            this.credits = value;
            return this;
        }

        /**
         * @param input  input tokens
         * @param output output tokens
         * @return this builder
         */
        public RowBuilder tokens(int input, int output) {
            this.inputTokens = input;
            this.outputTokens = output;
            return this;
        }

        /**
         * Writes the row.
         *
         * @return the row's generated request id
         * @throws AnalyticsException if the database rejects it (a CHECK constraint, say)
         */
        public UUID insert() {
            BigDecimal margin = grossMargin != null
                    ? grossMargin
                    : status.equals("success")
                            ? vendorCost
                                    .multiply(multiplier)
                                    .setScale(8, RoundingMode.HALF_UP)
                                    .subtract(vendorCost)
                            : vendorCost.negate();
            UUID requestId = UUID.randomUUID();
            String table = '"' + schema + '"';
            String sql = "INSERT INTO " + table
                    + ".token_usage_ledger (request_id, user_id, model_id, provider_id, vendor_cost, "
                    + "credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens, "
                    + "user_tier, request_type, error_code) VALUES (?, ?, ?, (SELECT id FROM " + table
                    + ".providers WHERE slug = ?), "
                    + "?, ?, ?, ?, ?::" + table + ".request_status, ?, ?, ?, ?, ?, ?)";
            try (Connection connection = dataSource.getConnection()) {
                try (PreparedStatement register = connection.prepareStatement("INSERT INTO " + table
                        + ".providers (slug, display_name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING")) {
                    register.setString(1, provider);
                    register.setString(2, provider);
                    register.executeUpdate();
                }
                try (PreparedStatement insert = connection.prepareStatement(sql)) {
                    insert.setObject(1, requestId);
                    insert.setObject(2, user);
                    insert.setString(3, model);
                    insert.setString(4, provider);
                    insert.setBigDecimal(5, vendorCost);
                    insert.setInt(6, credits);
                    insert.setBigDecimal(7, multiplier);
                    insert.setBigDecimal(8, margin);
                    insert.setString(9, status);
                    insert.setObject(10, at.atOffset(ZoneOffset.UTC));
                    insert.setInt(11, inputTokens);
                    insert.setInt(12, outputTokens);
                    insert.setString(13, tier);
                    insert.setString(14, requestType);
                    insert.setString(15, status.equals("success") ? null : "test_error");
                    insert.executeUpdate();
                }
            } catch (SQLException e) {
                throw new AnalyticsException("Inserting a test ledger row failed", e);
            }
            return requestId;
        }

        private static <T> T require(String name, T value) {
            if (value == null) {
                throw new IllegalArgumentException(name + " must not be null");
            }
            return value;
        }
    }
}
