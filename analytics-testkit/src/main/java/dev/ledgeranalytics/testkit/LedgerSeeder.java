package dev.ledgeranalytics.testkit;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Fills a migrated ledger with realistic requests, fast: rows are generated and streamed
 * through PostgreSQL's COPY in constant memory.
 *
 * <pre>{@code
 * SeedResult result = LedgerSeeder.into(dataSource)
 *         .rows(1_000_000)
 *         .between(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
 *         .seed(42)
 *         .load();
 * }</pre>
 *
 * <p>The data is deterministic: the same seed and options give identical rows, ids included. It
 * follows {@link ModelPrice#catalog()}'s real list prices; users' activity is heavy-tailed (Zipf,
 * exponent 1.1) and each user has one tier (60 % free at multiplier 2.50, 32 % pro at 1.80, 8 %
 * enterprise at 1.50); traffic follows a diurnal curve with quieter weekends; 2.5 % of requests
 * fail and 1 % are cancelled, carrying the provider's cost but no credits. Every row's money is
 * consistent: {@code vendor_cost} from its tokens and prices, revenue from the multiplier,
 * {@code gross_margin_usd = revenue - vendor_cost}, and one credit per started thousandth of a
 * dollar of revenue.
 *
 * <p>Everything about the rows follows from the seed and the options, so loading the same seed
 * and options twice into one ledger fails on its primary key; vary the seed or the range to add
 * more.
 *
 * <p>Instances are immutable; each option returns a copy.
 */
public final class LedgerSeeder {

    private static final int COPY_CHUNK_CHARS = 1 << 16;

    private final DataSource dataSource;
    /** A plain lower-case identifier, quoted in SQL all the same: it may be a keyword such as "order". */
    private final String schema;

    private final long rows;
    private final Instant from;
    private final Instant to;
    private final long seed;
    private final int users;
    private final boolean rebuildIndexes;
    private final LongConsumer progress;

    private LedgerSeeder(
            DataSource dataSource,
            String schema,
            long rows,
            Instant from,
            Instant to,
            long seed,
            int users,
            boolean rebuildIndexes,
            LongConsumer progress) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.rows = rows;
        this.from = from;
        this.to = to;
        this.seed = seed;
        this.users = users;
        this.rebuildIndexes = rebuildIndexes;
        this.progress = progress;
    }

    /**
     * A seeder for the ledger in this database's {@value AnalyticsMigrations#DEFAULT_SCHEMA}
     * schema: 10,000 rows over the 30 days before 2026-11-01, 1,000 users, seed 1.
     *
     * @param dataSource the database, already migrated
     * @return the seeder
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static LedgerSeeder into(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        return new LedgerSeeder(
                dataSource,
                AnalyticsMigrations.DEFAULT_SCHEMA,
                10_000,
                to.minus(Duration.ofDays(30)),
                to,
                1,
                1_000,
                false,
                written -> {});
    }

    /**
     * Writes into the ledger installed in another schema.
     *
     * @param schemaName the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return a copy
     * @throws IllegalArgumentException if the name is invalid
     */
    public LedgerSeeder schema(String schemaName) {
        return new LedgerSeeder(
                dataSource,
                AnalyticsMigrations.requireSchemaName(schemaName),
                rows,
                from,
                to,
                seed,
                users,
                rebuildIndexes,
                progress);
    }

    /**
     * How many rows to write.
     *
     * @param count zero or more
     * @return a copy
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public LedgerSeeder rows(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("rows must not be negative, but was " + count);
        }
        return new LedgerSeeder(dataSource, schema, count, from, to, seed, users, rebuildIndexes, progress);
    }

    /**
     * The half-open range {@code [start, end)} the rows' {@code created_at} fall in.
     *
     * @param start the first instant
     * @param end   the first instant after the range
     * @return a copy
     * @throws IllegalArgumentException if either is {@code null} or {@code start} is not before {@code end}
     */
    public LedgerSeeder between(Instant start, Instant end) {
        if (start == null || end == null || !start.isBefore(end)) {
            throw new IllegalArgumentException("start must be before end, but start = " + start + " and end = " + end);
        }
        if (start.getNano() % 1_000 != 0 || end.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException(
                    "start and end must be whole microseconds, PostgreSQL's precision, but were " + start + " and "
                            + end);
        }
        return new LedgerSeeder(dataSource, schema, rows, start, end, seed, users, rebuildIndexes, progress);
    }

    /**
     * The random seed; the same seed and options give identical rows.
     *
     * @param value any value
     * @return a copy
     */
    public LedgerSeeder seed(long value) {
        return new LedgerSeeder(dataSource, schema, rows, from, to, value, users, rebuildIndexes, progress);
    }

    /**
     * How many distinct users make the requests.
     *
     * @param count 1 to 10,000,000
     * @return a copy
     * @throws IllegalArgumentException if {@code count} is out of range
     */
    public LedgerSeeder users(int count) {
        if (count < 1 || count > 10_000_000) {
            throw new IllegalArgumentException("users must be between 1 and 10000000, but was " + count);
        }
        return new LedgerSeeder(dataSource, schema, rows, from, to, seed, count, rebuildIndexes, progress);
    }

    /**
     * Drops the ledger's indexes, keys and foreign key before the load and builds them again after
     * it, which is several times faster for large loads. Meant for test and benchmark databases:
     * while it runs, the ledger has no index and no key, and a load that fails part-way restores
     * them over the rows that were committed.
     *
     * @param enabled whether to rebuild
     * @return a copy
     */
    public LedgerSeeder rebuildIndexes(boolean enabled) {
        return new LedgerSeeder(dataSource, schema, rows, from, to, seed, users, enabled, progress);
    }

    /**
     * Reports progress while loading: {@code listener} receives the number of rows streamed so far,
     * every few thousand rows, from the loading threads.
     *
     * @param listener a thread-safe listener
     * @return a copy
     * @throws IllegalArgumentException if {@code listener} is {@code null}
     */
    public LedgerSeeder progress(LongConsumer listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        return new LedgerSeeder(dataSource, schema, rows, from, to, seed, users, rebuildIndexes, listener);
    }

    /**
     * Writes the rows, registering the catalog's providers first if they are missing. The range is
     * split into one stretch of hours per processor, each streamed through its own connection and
     * committed on its own; the rows are the same whatever the split. If the load fails part-way,
     * the stretches already committed stay.
     *
     * @return how many rows were written and how long it took
     * @throws AnalyticsException if the database fails
     */
    public SeedResult load() {
        long start = System.nanoTime();
        long rebuildStart;
        List<ModelPrice> models = ModelPrice.catalog();
        try (Connection connection = dataSource.getConnection()) {
            Map<String, String> providerIds = registerProviders(connection, models);
            createPartitions(connection);
            List<String> rebuild = rebuildIndexes ? dropIndexesAndKeys(connection) : List.of();
            try {
                copyInParallel(
                        models,
                        models.stream()
                                .map(m -> providerIds.get(m.providerSlug()))
                                .toList());
            } finally {
                rebuildStart = System.nanoTime();
                restore(connection, rebuild);
            }
        } catch (SQLException e) {
            throw new AnalyticsException("Seeding " + rows + " ledger rows into schema \"" + schema + "\" failed", e);
        }
        long end = System.nanoTime();
        return new SeedResult(
                rows, Duration.ofNanos(end - start), Duration.ofNanos(rebuildIndexes ? end - rebuildStart : 0));
    }

    /**
     * Gives every month of the rows a partition of its own in a partitioned ledger, as a host runs
     * {@code Partitions.ensure} before loading history: so the rows are laid out as in production,
     * not all in the default partition.
     */
    private void createPartitions(Connection connection) throws SQLException {
        if (!LedgerLayout.isPartitioned(connection, schema)) {
            return;
        }
        YearMonth last = YearMonth.from(to.minusNanos(1).atOffset(ZoneOffset.UTC));
        connection.setAutoCommit(false);
        try {
            for (YearMonth month = YearMonth.from(from.atOffset(ZoneOffset.UTC));
                    !month.isAfter(last);
                    month = month.plusMonths(1)) {
                LedgerLayout.ensureMonth(connection, schema, month);
                connection.commit();
            }
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private void copyInParallel(List<ModelPrice> models, List<String> providerIds) throws SQLException {
        int parts = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), rows / 50_000));
        List<Instant> bounds = LedgerRowGenerator.segments(rows, from, to, parts);
        List<Connection> connections = new ArrayList<>();
        AtomicLong written = new AtomicLong();
        ExecutorService loaders = Executors.newFixedThreadPool(bounds.size() - 1, runnable -> {
            Thread thread = new Thread(runnable, "ledger-seeder");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Void>> loads = new ArrayList<>();
            for (int i = 0; i + 1 < bounds.size(); i++) {
                LedgerRowGenerator generator = new LedgerRowGenerator(
                        seed, rows, from, to, bounds.get(i), bounds.get(i + 1), users, models, providerIds);
                Connection connection = dataSource.getConnection();
                connections.add(connection);
                loads.add(loaders.submit(() -> {
                    connection.setAutoCommit(false);
                    copy(connection, generator, written);
                    connection.commit();
                    return null;
                }));
            }
            awaitAll(loads, connections);
        } finally {
            loaders.shutdownNow();
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    /**
     * Waits for every loader. After the first failure the others are stopped by closing their
     * connections (a COPY blocked in socket I/O does not notice an interrupt), and awaited too, so
     * that nothing still writes once {@link #load()} has thrown.
     */
    private static void awaitAll(List<Future<Void>> loads, List<Connection> connections) throws SQLException {
        Exception failure = null;
        for (Future<Void> load : loads) {
            try {
                load.get();
            } catch (ExecutionException e) {
                Exception cause = e.getCause() instanceof Exception exception ? exception : e;
                if (failure == null) {
                    failure = cause;
                    for (Connection connection : connections) {
                        try {
                            connection.close();
                        } catch (SQLException closeFailure) {
                            failure.addSuppressed(closeFailure);
                        }
                    }
                } else if (failure != cause) {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while loading the ledger", e);
            }
        }
        if (failure instanceof SQLException sql) {
            throw sql;
        }
        if (failure != null) {
            throw new SQLException("A ledger loader failed: " + failure, failure);
        }
    }

    private Map<String, String> registerProviders(Connection connection, List<ModelPrice> models) throws SQLException {
        Map<String, String> names = new LinkedHashMap<>();
        models.forEach(model -> names.putIfAbsent(model.providerSlug(), model.providerName()));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + quoted(schema)
                + ".providers (slug, display_name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING")) {
            for (Map.Entry<String, String> provider : names.entrySet()) {
                insert.setString(1, provider.getKey());
                insert.setString(2, provider.getValue());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        Map<String, String> ids = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT slug, id FROM " + quoted(schema) + ".providers")) {
            while (rs.next()) {
                ids.put(rs.getString(1), rs.getString(2));
            }
        }
        return ids;
    }

    /**
     * Drops every index, key and foreign key of the ledger, returning the statements that restore
     * them. Building an index once over all rows is several times faster than maintaining it row by
     * row, and one join validates the foreign key faster than a trigger per row.
     */
    private List<String> dropIndexesAndKeys(Connection connection) throws SQLException {
        String table = quoted(schema) + ".token_usage_ledger";
        List<String> restore = new ArrayList<>();
        List<String> drop = new ArrayList<>();
        try (PreparedStatement constraints = connection.prepareStatement("""
                SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = (quote_ident(?) || '.token_usage_ledger')::regclass AND contype IN ('p', 'u', 'f')
                ORDER BY contype DESC, conname""")) {
            constraints.setString(1, schema);
            try (ResultSet rs = constraints.executeQuery()) {
                while (rs.next()) {
                    drop.add("ALTER TABLE " + table + " DROP CONSTRAINT " + rs.getString(1));
                    restore.add("ALTER TABLE " + table + " ADD CONSTRAINT " + rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        try (PreparedStatement indexes = connection.prepareStatement("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = (quote_ident(?) || '.token_usage_ledger')::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""")) {
            indexes.setString(1, schema);
            try (ResultSet rs = indexes.executeQuery()) {
                while (rs.next()) {
                    drop.add("DROP INDEX " + rs.getString(1));
                    // A partitioned ledger's index prints as ON ONLY the parent; rebuilt so, it would
                    // stay invalid until an index of every partition were attached to it by hand.
                    restore.add(rs.getString(2).replace(" ON ONLY ", " ON "));
                }
            }
        }
        // All or nothing: a drop that fails half-way must not leave some indexes gone.
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : drop) {
                statement.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
        return restore;
    }

    /**
     * Rebuilds what {@link #dropIndexesAndKeys} dropped, keys first so that the foreign key is
     * checked last. Every statement is tried even when one fails (duplicate keys from loading the
     * same rows twice, say), so that one failure costs one index, and the failures are reported.
     */
    private void restore(Connection connection, List<String> statements) throws SQLException {
        if (statements.isEmpty()) {
            return;
        }
        SQLException failures = null;
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET maintenance_work_mem = '512MB'");
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    if (failures == null) {
                        failures = new SQLException(
                                "Could not restore every index and key of " + quoted(schema)
                                        + ".token_usage_ledger after the load; the first failure: " + e.getMessage(),
                                e.getSQLState(),
                                e);
                    } else {
                        failures.addSuppressed(e);
                    }
                }
            }
            statement.execute("RESET maintenance_work_mem");
        }
        if (failures != null) {
            throw failures;
        }
    }

    private static String quoted(String identifier) {
        return '"' + identifier + '"';
    }

    private void copy(Connection connection, LedgerRowGenerator generator, AtomicLong written) throws SQLException {
        CopyIn copy = connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY " + quoted(schema) + ".token_usage_ledger ("
                        + String.join(", ", LedgerRowGenerator.COLUMNS) + ") FROM STDIN");
        try {
            StringBuilder chunk = new StringBuilder(COPY_CHUNK_CHARS + 1024);
            int inChunk = 0;
            while (generator.hasNext()) {
                generator.next(chunk);
                inChunk++;
                if (chunk.length() >= COPY_CHUNK_CHARS) {
                    write(copy, chunk);
                    progress.accept(written.addAndGet(inChunk));
                    inChunk = 0;
                }
            }
            write(copy, chunk);
            progress.accept(written.addAndGet(inChunk));
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void write(CopyIn copy, StringBuilder chunk) throws SQLException {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        chunk.setLength(0);
    }
}
