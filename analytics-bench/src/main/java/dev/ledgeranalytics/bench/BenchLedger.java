package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.SeedResult;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteType;
import org.jooq.SQLDialect;
import org.jooq.impl.DefaultConfiguration;

/**
 * One seeded database of the benchmark: the indexed ledger in {@value #INDEXED} as the migrations
 * install it, and a copy of the same rows in {@value #BASELINE} that keeps only the primary key.
 * Every query runs unchanged against either schema through {@link AnalyticsQueries#withSchema}.
 */
final class BenchLedger {

    static final String INDEXED = AnalyticsMigrations.DEFAULT_SCHEMA;
    static final String BASELINE = "baseline";
    /** As in docs/benchmarks.md's seeder figures: heavy-tailed activity over 20,000 users. */
    static final int USERS = 20_000;

    static final long SEED = 2026;

    private final DataSource dataSource;
    private final Instant end;

    BenchLedger(DataSource dataSource, Instant end) {
        this.dataSource = dataSource;
        this.end = end;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** The end of the seeded year, the last full hour when the run started. */
    Instant end() {
        return end;
    }

    /** The seeded year: {@code [end - 365 days, end)}. */
    LedgerFilter seededYear() {
        return LedgerFilter.between(end.minus(Duration.ofDays(QueryRange.MAX_DAYS)), end);
    }

    /** Successful requests in the last {@code range} of the seeded year, as the dashboard asks. */
    LedgerFilter last(QueryRange range) {
        return LedgerFilter.between(end.minus(range.duration()), end);
    }

    /**
     * Seeds the indexed ledger with one year of requests, building its indexes once after the
     * rows are in, as a bulk load would.
     */
    SeedResult seed(LedgerSize size, LongConsumer progress) {
        execute(connection -> disableAutovacuum(connection, INDEXED));
        return LedgerSeeder.into(dataSource)
                .rows(size.rows())
                .between(seededYear().from(), end)
                .users(USERS)
                .seed(SEED)
                .rebuildIndexes(true)
                .progress(progress)
                .load();
    }

    /**
     * A seeder progress listener that calls {@code log} at every tenth of {@code rows}; the
     * seeder calls it from several threads.
     */
    static LongConsumer tenths(LedgerSize rows, Consumer<String> log) {
        AtomicLong reported = new AtomicLong();
        return seeded -> {
            long tenth = seeded * 10 / rows.rows();
            long previous = reported.get();
            if (tenth > previous && reported.compareAndSet(previous, tenth)) {
                log.accept("seeded " + tenth * 10 + " %");
            }
        };
    }

    /**
     * Copies the seeded rows into the {@value #BASELINE} schema, migrated like the indexed one and
     * then stripped of every index but the primary key. Keys are dropped for the copy and put
     * back after it, for the same reason the seeder rebuilds indexes: one build beats maintaining
     * them row by row. The copy reads the ledger in physical order, so both tables lay the rows
     * out alike on disk.
     */
    void copyToBaseline() {
        AnalyticsMigrations.create(dataSource).withSchema(BASELINE).migrate();
        String ledger = BASELINE + ".token_usage_ledger";
        execute(connection -> {
            disableAutovacuum(connection, BASELINE);
            List<String> keys = new ArrayList<>();
            try (PreparedStatement constraints = connection.prepareStatement("""
                    SELECT quote_ident(conname), contype, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = ?::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC""")) {
                constraints.setString(1, ledger);
                try (ResultSet rs = constraints.executeQuery()) {
                    while (rs.next()) {
                        update(connection, "ALTER TABLE " + ledger + " DROP CONSTRAINT " + rs.getString(1));
                        if (!rs.getString(2).equals("u")) {
                            keys.add("ALTER TABLE " + ledger + " ADD CONSTRAINT " + rs.getString(1) + " "
                                    + rs.getString(3));
                        }
                    }
                }
            }
            for (String index : strings(
                    connection,
                    "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = ?::regclass",
                    ledger)) {
                update(connection, "DROP INDEX " + index);
            }
            update(connection, "INSERT INTO " + BASELINE + ".providers SELECT * FROM " + INDEXED + ".providers");
            // The enum type is the schema's own: cast the status through text into the baseline's.
            String columns = strings(connection, """
                    SELECT string_agg(CASE WHEN data_type = 'USER-DEFINED'
                                           THEN format('%I::text::%I.%I', column_name, ?, udt_name)
                                           ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
                    FROM information_schema.columns WHERE table_schema = ? AND table_name = 'token_usage_ledger'""", BASELINE, INDEXED).get(0);
            update(
                    connection,
                    "INSERT INTO " + ledger + " SELECT " + columns + " FROM " + INDEXED + ".token_usage_ledger");
            // The primary key first: the foreign key's definition follows in the query's order.
            for (String key : keys) {
                update(connection, key);
            }
        });
    }

    /**
     * Autovacuum stays off on a ledger from before its rows arrive to the end of the run (of the
     * query benchmark; a load run gives it back with {@link #enableAutovacuum()}): an
     * automatic ANALYZE started while the rows are loaded holds a snapshot that keeps VACUUM from
     * marking them all-visible, and one started between two timed runs would disturb them.
     */
    private static void disableAutovacuum(Connection connection, String schema) throws SQLException {
        update(connection, "ALTER TABLE " + schema + ".token_usage_ledger SET (autovacuum_enabled = false)");
    }

    /**
     * Statistics for the planner and a visibility map covering every page of the ledgers in
     * {@code schemas} (and of the rollup tables, as autovacuum would leave them after the build). A
     * production ledger's pages are all-visible but for the newest few; only then can the planner
     * trust an index-only scan to stay off the heap.
     */
    void settle(String... schemas) {
        execute(connection -> {
            for (String schema : schemas) {
                update(connection, "VACUUM ANALYZE " + schema + ".providers");
                vacuumUntilAllVisible(connection, schema + ".token_usage_ledger");
            }
            for (String rollup : RollupMaintenance.TABLES) {
                update(connection, "VACUUM ANALYZE " + INDEXED + "." + rollup);
            }
        });
    }

    /**
     * Gives the indexed ledger its autovacuum back, after {@link #settle}: under a steady stream
     * of inserts, as in production, autovacuum keeps the new pages all-visible and the statistics
     * current.
     */
    void enableAutovacuum() {
        execute(connection ->
                update(connection, "ALTER TABLE " + INDEXED + ".token_usage_ledger RESET (autovacuum_enabled)"));
    }

    /**
     * VACUUM cannot mark a page all-visible while a snapshot older than its rows is open (an
     * autovacuum ANALYZE starting at the wrong moment is enough), so repeat until it could.
     */
    private static void vacuumUntilAllVisible(Connection connection, String table) throws SQLException {
        for (int attempt = 0; attempt < 150; attempt++) {
            update(connection, "VACUUM (ANALYZE) " + table);
            List<String> pages = strings(
                    connection, "SELECT relpages || ' ' || relallvisible FROM pg_class WHERE oid = ?::regclass", table);
            String[] counts = pages.get(0).split(" ");
            if (!counts[0].equals("0") && counts[0].equals(counts[1])) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while vacuuming " + table, e);
            }
        }
        throw new IllegalStateException(
                "VACUUM could not mark " + table + " all-visible in 30 s; sessions holding an old snapshot: "
                        + strings(connection, """
                        SELECT coalesce(string_agg(format('pid %s (%s, xmin %s): %s', pid, backend_type, backend_xmin, left(query, 80)), '; '), 'none')
                        FROM pg_stat_activity WHERE datname = current_database() AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()""").get(0));
    }

    /** The ledger's on-disk footprint in one schema. */
    Storage storage(String schema) {
        String ledger = schema + ".token_usage_ledger";
        Map<String, Long> indexes = new LinkedHashMap<>();
        long[] table = new long[2];
        execute(connection -> {
            try (PreparedStatement sizes =
                    connection.prepareStatement("SELECT pg_table_size(?::regclass), pg_indexes_size(?::regclass)")) {
                sizes.setString(1, ledger);
                sizes.setString(2, ledger);
                try (ResultSet rs = sizes.executeQuery()) {
                    rs.next();
                    table[0] = rs.getLong(1);
                    table[1] = rs.getLong(2);
                }
            }
            try (PreparedStatement each = connection.prepareStatement("""
                    SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = ?::regclass ORDER BY 2 DESC, 1""")) {
                each.setString(1, ledger);
                try (ResultSet rs = each.executeQuery()) {
                    while (rs.next()) {
                        indexes.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        });
        return new Storage(table[0], table[1], indexes);
    }

    /**
     * The plan PostgreSQL chooses for each statement a query runs on the ledger alone: the
     * statements are captured while the query runs once, then explained (without ANALYZE) with
     * their values inlined.
     */
    List<String> plans(String schema, DashboardQuery query, LedgerFilter filter) {
        List<String> plans = new ArrayList<>();
        execute(connection -> {
            for (String statement : statements(connection, schema, true, query, filter)) {
                String json = strings(connection, "EXPLAIN (FORMAT JSON) " + statement)
                        .get(0);
                plans.add(PlanSummary.of(connection, json));
            }
        });
        return plans;
    }

    /**
     * The statements a query sends, with their values inlined, captured while it runs once on
     * {@code connection}: from the ledger alone if {@code raw}, else through the rollups.
     */
    static List<String> statements(
            Connection connection, String schema, boolean raw, DashboardQuery query, LedgerFilter filter) {
        List<String> statements = new ArrayList<>();
        ExecuteListener capture = ExecuteListener.onExecuteStart(context -> {
            if (context.type() == ExecuteType.READ && context.query() != null) {
                statements.add(context.dsl().renderInlined(context.query()));
            }
        });
        AnalyticsQueries queries = AnalyticsQueries.create(new DefaultConfiguration()
                        .set(connection)
                        .set(SQLDialect.POSTGRES)
                        .set(capture)
                        .dsl())
                .withSchema(schema);
        query.run(raw ? queries.withRawReads() : queries, filter);
        return statements;
    }

    /** Streams the whole ledger through {@link CsvExporter} into a stream that counts and discards. */
    Export exportCsv() {
        long start = System.nanoTime();
        CountingOutputStream out = new CountingOutputStream();
        long rows = CsvExporter.create(dataSource).exportLedger(seededYear().anyStatus(), out);
        return new Export(rows, out.bytes, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A session on one connection, as a pooled host holds one for the length of a query. */
    Connection connect() {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new AnalyticsException("Connecting to the benchmark database failed", e);
        }
    }

    /**
     * The ledger's footprint: {@code table} is heap, TOAST, free space and visibility maps.
     *
     * @param table   bytes of the table without indexes
     * @param indexes bytes of all its indexes
     * @param each    bytes of each index, largest first
     */
    record Storage(long table, long indexes, Map<String, Long> each) {}

    /**
     * One CSV export of the whole ledger.
     *
     * @param rows    rows written
     * @param bytes   CSV bytes written
     * @param elapsed wall time
     */
    record Export(long rows, long bytes, Duration elapsed) {

        double rowsPerSecond() {
            return rows / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    private static final class CountingOutputStream extends OutputStream {

        private long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            bytes += length;
        }
    }

    @FunctionalInterface
    private interface Work {
        void on(Connection connection) throws SQLException;
    }

    private void execute(Work work) {
        try (Connection connection = dataSource.getConnection()) {
            work.on(connection);
        } catch (SQLException e) {
            throw new AnalyticsException("Preparing the benchmark database failed", e);
        }
    }

    private static void update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<String> strings(Connection connection, String sql, String... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
