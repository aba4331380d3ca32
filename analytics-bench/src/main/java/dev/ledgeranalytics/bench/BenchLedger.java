package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.partition.Partitions;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestLedger;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
 * install it, and a copy of the same rows in {@value #BASELINE} that keeps only the primary key,
 * both in the same {@link Layout}. Every query runs unchanged against either schema through
 * {@link AnalyticsQueries#withSchema}.
 */
final class BenchLedger {

    static final String INDEXED = AnalyticsMigrations.DEFAULT_SCHEMA;
    static final String BASELINE = "baseline";
    static final long SEED = 2026;

    /**
     * The last migration before V6, which partitions the ledger only if it is empty: an
     * unpartitioned baseline is migrated this far, filled, and then migrated to the end.
     */
    private static final String LAST_UNPARTITIONED_VERSION = "5";

    private final DataSource dataSource;
    private final Instant end;
    private final Layout layout;

    /**
     * @throws IllegalStateException if the indexed ledger of {@code dataSource} is not in {@code layout}
     */
    BenchLedger(DataSource dataSource, Instant end, Layout layout) {
        this.dataSource = dataSource;
        this.end = end;
        this.layout = layout;
        execute(connection -> {
            if (LedgerTables.partitioned(connection, INDEXED) != (layout == Layout.PARTITIONED)) {
                throw new IllegalStateException("The benchmark database's ledger is not " + layout
                        + " (is analytics.testdb.layout or ANALYTICS_TESTDB_LAYOUT set?)");
            }
        });
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
     * rows are in, as a bulk load would. A partitioned ledger first gets the partitions of the
     * seeded months, as a host creates them before loading history.
     */
    SeedResult seed(LedgerSize size, LongConsumer progress) {
        createSeededMonths(INDEXED);
        execute(connection -> LedgerTables.disableAutovacuum(connection, INDEXED));
        return LedgerSeeder.into(dataSource)
                .rows(size.rows())
                .between(seededYear().from(), end)
                .users(size.users())
                .seed(SEED)
                .rebuildIndexes(true)
                .progress(progress)
                .load();
    }

    private void createSeededMonths(String schema) {
        if (layout == Layout.PARTITIONED) {
            Partitions.create(dataSource)
                    .withSchema(schema)
                    .ensure(YearMonth.from(seededYear().from().atOffset(ZoneOffset.UTC)), 0);
        }
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
     * out alike on disk. An unpartitioned baseline is filled before the migrations that would
     * partition an empty ledger, as an install from before partitioning was.
     */
    void copyToBaseline() {
        AnalyticsMigrations migrations = AnalyticsMigrations.create(dataSource).withSchema(BASELINE);
        (layout == Layout.UNPARTITIONED ? migrations.withTarget(LAST_UNPARTITIONED_VERSION) : migrations).migrate();
        createSeededMonths(BASELINE);
        String ledger = LedgerTables.ledger(BASELINE);
        List<String> keys = new ArrayList<>();
        execute(connection -> {
            LedgerTables.disableAutovacuum(connection, BASELINE);
            try (PreparedStatement constraints = connection.prepareStatement("""
                    SELECT quote_ident(conname), contype, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = ?::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC""")) {
                constraints.setString(1, ledger);
                try (ResultSet rs = constraints.executeQuery()) {
                    while (rs.next()) {
                        Sql.update(connection, "ALTER TABLE " + ledger + " DROP CONSTRAINT " + rs.getString(1));
                        if (!rs.getString(2).equals("u")) {
                            keys.add("ALTER TABLE " + ledger + " ADD CONSTRAINT " + rs.getString(1) + " "
                                    + rs.getString(3));
                        }
                    }
                }
            }
            // A partitioned index goes with the indexes of every partition.
            for (String index : Sql.strings(
                    connection,
                    "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = ?::regclass",
                    ledger)) {
                Sql.update(connection, "DROP INDEX " + index);
            }
            Sql.update(connection, "INSERT INTO " + BASELINE + ".providers SELECT * FROM " + INDEXED + ".providers");
            // The enum type is the schema's own: cast the status through text into the baseline's.
            String columns = Sql.strings(connection, """
                    SELECT string_agg(CASE WHEN data_type = 'USER-DEFINED'
                                           THEN format('%I::text::%I.%I', column_name, ?, udt_name)
                                           ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
                    FROM information_schema.columns WHERE table_schema = ? AND table_name = 'token_usage_ledger'""", BASELINE, INDEXED).get(0);
            Sql.update(
                    connection,
                    "INSERT INTO " + ledger + " SELECT " + columns + " FROM " + LedgerTables.ledger(INDEXED));
        });
        if (layout == Layout.UNPARTITIONED) {
            migrations.migrate(); // V6 finds rows and leaves the ledger as it is
        }
        execute(connection -> {
            // The primary key first: the foreign key's definition follows in the query's order.
            for (String key : keys) {
                Sql.update(connection, key);
            }
        });
    }

    /**
     * Statistics for the planner and a visibility map covering every page of the ledgers in
     * {@code schemas} (and of the rollup tables, as autovacuum would leave them after the build). A
     * production ledger's pages are all-visible but for the newest few; only then can the planner
     * trust an index-only scan to stay off the heap. The ledgers are settled as the testkit settles
     * them ({@link TestLedger#vacuum()}), so that tests and benchmark judge plans on the same state.
     */
    void settle(String... schemas) {
        execute(connection -> {
            for (String schema : schemas) {
                Sql.update(connection, "VACUUM ANALYZE " + schema + ".providers");
            }
            for (String rollup : RollupMaintenance.TABLES) {
                Sql.update(connection, "VACUUM ANALYZE " + INDEXED + "." + rollup);
            }
        });
        for (String schema : schemas) {
            TestLedger.in(dataSource).schema(schema).vacuum();
        }
    }

    /**
     * Gives the indexed ledger its autovacuum back, after {@link #settle}: under a steady stream
     * of inserts, as in production, autovacuum keeps the new pages all-visible and the statistics
     * current.
     */
    void enableAutovacuum() {
        execute(connection -> {
            for (String table : LedgerTables.leaves(connection, INDEXED)) {
                Sql.update(connection, "ALTER TABLE " + table + " RESET (autovacuum_enabled)");
            }
        });
    }

    /** The ledger's on-disk footprint in one schema. */
    LedgerStorage storage(String schema) {
        LedgerStorage[] storage = new LedgerStorage[1];
        execute(connection -> storage[0] = LedgerTables.storage(connection, schema));
        return storage[0];
    }

    /**
     * The plan PostgreSQL chooses for each statement a query runs on the ledger alone that reads
     * the ledger: the statements are captured while the query runs once, then explained (without
     * ANALYZE) with their values inlined.
     */
    List<String> plans(String schema, DashboardQuery query, LedgerFilter filter) {
        List<String> plans = new ArrayList<>();
        execute(connection -> {
            for (String statement : statements(connection, schema, true, query, filter)) {
                String json = Sql.strings(connection, "EXPLAIN (FORMAT JSON) " + statement)
                        .get(0);
                PlanSummary.of(connection, schema, json).ifPresent(plans::add);
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
}
