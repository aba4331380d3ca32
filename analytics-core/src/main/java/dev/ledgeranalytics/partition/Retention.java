package dev.ledgeranalytics.partition;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.AdvisoryLock;
import dev.ledgeranalytics.internal.LedgerRowsCsv;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.internal.CitusLayout;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.rollup.internal.RollupMaintenance;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Drops whole months of raw ledger rows once the rollups hold them, so that a ledger of any age
 * stays small while the dashboard stays exact: sums, counts and the histogram of a dropped month
 * still come from the rollups, identical to what they were; percentiles within 1 %, as through
 * the rollups anywhere. What needs raw rows of a dropped month (a range that starts inside a
 * rollup bucket there, a filter the rollups do not keep, the ledger export) fails with an {@link
 * AnalyticsException} naming the retention boundary, never with a partial answer.
 *
 * <pre>{@code
 * RetentionResult result = Retention.create(dataSource)
 *         .archiveTo(Path.of("/var/lib/ledger-archive"))    // one CSV file per dropped month
 *         .keepMonths(13);                                   // this month and the 12 before it
 * }</pre>
 *
 * <p>A month is dropped in two steps. In a short transaction holding the ledger's lock (it waits
 * for the statements of the moment and stops new ones for a few milliseconds, retried on a busy
 * ledger), the writes of that month no refresh has applied yet are applied, its partition is
 * detached and the boundary recorded. Then the detached table, which no write can reach any more,
 * is archived and dropped. A run that fails half-way leaves detached tables behind, never lost
 * rows; the next run archives and drops them. Rows that arrive later for a dropped month land in
 * the default partition and are added to the rollups at once; rows before the boundary cannot be
 * updated or deleted any more. The next run drops those late rows too.
 *
 * <p>Needs the partitioned layout, built rollups and the ledger owner's privileges. Instances are
 * immutable and thread-safe.
 */
public final class Retention {

    /** How long one attempt waits for the ledger's lock; shorter than PostgreSQL's deadlock check. */
    private final DataSource dataSource;

    private final String schema;
    private final Clock clock;
    private final Path archive;

    private Retention(DataSource dataSource, String schema, Clock clock, Path archive) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.clock = clock;
        this.archive = archive;
    }

    /**
     * Retention for the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema, without
     * archive.
     *
     * @param dataSource connections to the host's database
     * @return the retention
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static Retention create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new Retention(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA, Clock.systemUTC(), null);
    }

    /**
     * A copy for the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public Retention withSchema(String schema) {
        return new Retention(dataSource, AnalyticsMigrations.requireSchemaName(schema), clock, archive);
    }

    /**
     * A copy whose "current month" is read from {@code clock}.
     *
     * @param clock the clock
     * @return the copy
     * @throws IllegalArgumentException if {@code clock} is {@code null}
     */
    public Retention withClock(Clock clock) {
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        return new Retention(dataSource, schema, clock, archive);
    }

    /**
     * A copy that writes every dropped partition's rows to {@code directory} first, as
     * {@code <partition>.csv} in the ledger export's format (instants in UTC).
     *
     * @param directory an existing, writable directory
     * @return the copy
     * @throws IllegalArgumentException if {@code directory} is {@code null} or not a writable directory
     */
    public Retention archiveTo(Path directory) {
        if (directory == null || !Files.isDirectory(directory) || !Files.isWritable(directory)) {
            throw new IllegalArgumentException(
                    "archive directory must be an existing, writable directory, but was " + directory);
        }
        return new Retention(dataSource, schema, clock, directory);
    }

    /**
     * Drops the months before the last {@code months} (the current month, UTC, and the {@code
     * months - 1} before it), after bringing the rollups up to date.
     *
     * @param months how many months of raw rows to keep, at least 1
     * @return what was dropped
     * @throws IllegalArgumentException if {@code months} is below 1
     * @throws AnalyticsException       if the database fails, the ledger is not partitioned or is
     *                                  distributed by Citus, or the rollups are not built
     */
    public RetentionResult keepMonths(int months) {
        if (months < 1) {
            throw new IllegalArgumentException("months must be at least 1, but was " + months);
        }
        YearMonth firstKept = YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(months - 1L);
        Instant cutoff = start(firstKept);
        DSLContext dsl = LedgerDsl.using(dataSource, schema);
        RollupMaintenance rollups = new RollupMaintenance(dsl, schema);
        if (rollups.state().builtAt() == null) {
            throw new AnalyticsException(
                    "Retention drops raw rows whose sums the rollups must hold first, and the " + "rollups of schema "
                            + schema + " are not built: run Rollups.refresh() (analytics rollups refresh)");
        }
        Transactions transactions = new Transactions(dsl, null);
        if (transactions.onConnection(
                "Reading where the ledger lives", c -> c.connectionResult(j -> CitusLayout.isDistributed(j, schema)))) {
            throw new AnalyticsException("Retention does not run on the ledger of schema " + schema
                    + ", which is distributed by Citus: it counts on the ledger's triggers refusing changes to"
                    + " rows before its boundary, which the row triggers there do not check, and on detaching"
                    + " months concurrently, which Citus does not support (docs/scale-out.md)");
        }
        rollups.refresh();
        return transactions.onConnection("Dropping the ledger's months before " + firstKept, connection -> {
            requirePartitioned(connection);
            List<String> detached = new ArrayList<>(leftovers(connection));
            for (LedgerPartition partition : attachedMonthsBefore(connection, firstKept)) {
                detach(connection, partition.name(), partition.from(), partition.to());
                detached.add(partition.name());
            }
            String defaultRows = LedgerLayout.DEFAULT_PARTITION + "_before_"
                    + LedgerLayout.partitionName(firstKept).substring(LedgerLayout.LEDGER.length() + 1);
            if (moveOldDefaultRows(connection, defaultRows, cutoff)) {
                detached.add(defaultRows);
            }
            long rows = 0;
            List<Path> archives = new ArrayList<>();
            for (String table : detached) {
                if (archive != null) {
                    archives.add(archive(connection, table));
                }
                rows += dropDetached(connection, table);
            }
            Instant boundary = Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                recordBoundary(tx, cutoff, !detached.isEmpty());
                return tx.resultQuery("SELECT retained_from FROM " + LedgerLayout.table(schema, "rollup_state"))
                        .fetchOptional(0, Instant.class)
                        .orElse(null);
            });
            return new RetentionResult(boundary, detached, rows, archives);
        });
    }

    /**
     * Detaches one month's partition, in a transaction that holds the ledger's lock for
     * milliseconds: the rollups' lock first (as refreshes take it), then the ledger's, tried with a
     * short lock timeout and again after a pause, so that a trigger-mode writer waiting for the
     * rollups' lock never deadlocks with it.
     */
    private void detach(DSLContext connection, String partition, Instant from, Instant to) {
        withLedgerLock(connection, tx -> {
            applyPendingChanges(tx, from, to);
            LedgerLock.execute(
                    tx,
                    "ALTER TABLE " + LedgerLayout.table(schema, LedgerLayout.LEDGER) + " DETACH PARTITION "
                            + LedgerLayout.table(schema, partition));
            recordBoundary(tx, to, true);
        });
    }

    /**
     * Moves the default partition's rows from before {@code cutoff} (late rows of months with no
     * partition) into a table of their own, to be archived and dropped like a detached month.
     */
    private boolean moveOldDefaultRows(DSLContext connection, String table, Instant cutoff) {
        String defaultPartition = LedgerLayout.table(schema, LedgerLayout.DEFAULT_PARTITION);
        String before = "created_at < '" + cutoff + "'::timestamptz";
        if (!connection.fetchExists(
                DSL.selectOne().from(DSL.table(defaultPartition)).where(DSL.condition(before)))) {
            return false;
        }
        withLedgerLock(connection, tx -> {
            Instant oldest = tx.resultQuery("SELECT min(created_at) FROM " + defaultPartition)
                    .fetchSingle(0, Instant.class);
            applyPendingChanges(tx, oldest, cutoff);
            LedgerLock.execute(
                    tx,
                    "CREATE TABLE " + LedgerLayout.table(schema, table) + " (LIKE "
                            + LedgerLayout.table(schema, LedgerLayout.LEDGER) + " INCLUDING DEFAULTS)");
            // Direct writes to a partition do not fire the ledger's triggers: the rollups keep the rows' sums.
            LedgerLock.execute(
                    tx,
                    "INSERT INTO " + LedgerLayout.table(schema, table) + " SELECT * FROM " + defaultPartition
                            + " WHERE " + before);
            LedgerLock.execute(tx, "DELETE FROM " + defaultPartition + " WHERE " + before);
            recordBoundary(tx, cutoff, true);
        });
        return true;
    }

    /** Runs {@code work} holding the rollups' lock and the ledger alone, retried while the ledger is busy. */
    private void withLedgerLock(DSLContext connection, Consumer<DSLContext> work) {
        LedgerLock.run(connection, schema, List.of(AdvisoryLock.ROLLUPS), "ACCESS EXCLUSIVE", tx -> {
            work.accept(tx);
            return null;
        });
    }

    /** Applies the writes of {@code [from, to)} no refresh has applied yet, while its raw rows are still there. */
    private static void applyPendingChanges(DSLContext tx, Instant from, Instant to) {
        RollupMaintenance.applyChanges(tx, from, to);
    }

    private void recordBoundary(DSLContext tx, Instant boundary, boolean dropped) {
        if (dropped) {
            LedgerLock.execute(
                    tx,
                    "UPDATE " + LedgerLayout.table(schema, "rollup_state") + " SET retained_from = greatest("
                            + "retained_from, '" + boundary + "'::timestamptz)");
        }
    }

    /** Writes a detached table's rows to {@code <table>.csv}, complete or not at all. */
    private Path archive(DSLContext connection, String table) {
        Path file = archive.resolve(table + ".csv");
        Path partial = archive.resolve("." + table + ".csv.partial");
        Transactions.inTransaction(connection, Connection.TRANSACTION_REPEATABLE_READ, tx -> {
            // One COPY of the whole month: no statement timeout of the role's may cut it short.
            tx.execute("SET LOCAL statement_timeout = 0");
            try (OutputStream out = Files.newOutputStream(partial)) {
                new LedgerRowsCsv(ZoneOffset.UTC).write(tx, TOKEN_USAGE_LEDGER.rename(table), DSL.noCondition(), out);
            } catch (IOException e) {
                throw new UncheckedIOException("Writing the archive " + partial + " failed: " + e.getMessage(), e);
            }
            return null;
        });
        try {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Moving the archive " + partial + " to " + file + " failed: " + e.getMessage(), e);
        }
        return file;
    }

    private long dropDetached(DSLContext connection, String table) {
        return Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
            long rows = tx.fetchCount(DSL.table(LedgerLayout.table(schema, table)));
            LedgerLock.execute(tx, "DROP TABLE " + LedgerLayout.table(schema, table));
            return rows;
        });
    }

    /** Month partitions attached to the ledger that end on or before the first kept month. */
    private List<LedgerPartition> attachedMonthsBefore(DSLContext connection, YearMonth firstKept) {
        return Partitions.create(dataSource).withSchema(schema).list().stream()
                .filter(partition ->
                        partition.month() != null && partition.month().isBefore(firstKept))
                .toList();
    }

    /** Tables a failed run detached and did not drop: month partitions and old default rows, no longer attached. */
    private List<String> leftovers(DSLContext connection) {
        return connection.resultQuery("""
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = {0} AND c.relkind = 'r' AND NOT c.relispartition
                          AND (c.relname ~ '^token_usage_ledger_y[0-9]{4}m[0-9]{2}$'
                               OR c.relname LIKE 'token\\_usage\\_ledger\\_default\\_before\\_%')
                        ORDER BY c.relname""", DSL.val(schema)).fetch(0, String.class);
    }

    private void requirePartitioned(DSLContext connection) {
        if (!connection.connectionResult(jdbc -> LedgerLayout.isPartitioned(jdbc, schema))) {
            throw new AnalyticsException("Retention drops whole monthly partitions, and the ledger " + schema + "."
                    + LedgerLayout.LEDGER + " is not partitioned; convert it with `analytics partitions convert` "
                    + "(docs/partitioning.md)");
        }
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
