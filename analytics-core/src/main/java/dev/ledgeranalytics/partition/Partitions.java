package dev.ledgeranalytics.partition;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * The monthly partitions of a partitioned ledger (see docs/partitioning.md): lists them, and
 * creates those of the months ahead before their rows arrive.
 *
 * <pre>{@code
 * Partitions partitions = Partitions.create(dataSource);
 * scheduler.scheduleWithFixedDelay(() -> partitions.ensure(3), 0, 1, TimeUnit.DAYS);
 * }</pre>
 *
 * <p>A row whose month has no partition is never lost: it goes to the default partition, and the
 * next {@link #ensure} moves it into a partition of its own month. {@code ensure} is idempotent
 * and safe to run from every instance at once (a PostgreSQL advisory lock per schema serialises
 * the calls). Creating a month's partition holds writers back while it commits, milliseconds
 * for a month ahead, as long as moving that month's rows out of the default partition takes
 * otherwise; readers are never held back. A call with nothing to create takes no table lock.
 *
 * <p>Needs the ledger owner's privileges. Instances are immutable and thread-safe.
 */
public final class Partitions {

    /** The most months {@link #ensure} creates ahead of the current one. */
    public static final int MAX_MONTHS_AHEAD = 120;

    private final DataSource dataSource;
    private final String schema;
    private final Clock clock;

    private Partitions(DataSource dataSource, String schema, Clock clock) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.clock = clock;
    }

    /**
     * The partitions of the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema.
     *
     * @param dataSource connections to the host's database
     * @return the partitions
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static Partitions create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new Partitions(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA, Clock.systemUTC());
    }

    /**
     * A copy for the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public Partitions withSchema(String schema) {
        return new Partitions(dataSource, AnalyticsMigrations.requireSchemaName(schema), clock);
    }

    /**
     * A copy whose "current month" is read from {@code clock}: for tests, and for hosts that keep
     * their own time.
     *
     * @param clock the clock
     * @return the copy
     * @throws IllegalArgumentException if {@code clock} is {@code null}
     */
    public Partitions withClock(Clock clock) {
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        return new Partitions(dataSource, schema, clock);
    }

    /**
     * Whether the ledger is partitioned. New installs are; a ledger that held rows before it was
     * migrated to this version stays unpartitioned until converted (docs/partitioning.md).
     *
     * @return whether it is partitioned
     * @throws AnalyticsException if the database fails
     */
    public boolean partitioned() {
        return transactions().read("Reading the ledger's layout", tx -> isPartitioned(tx));
    }

    /**
     * The partitions, the default one first, then by month.
     *
     * @return the partitions
     * @throws AnalyticsException if the database fails or the ledger is not partitioned
     */
    public List<LedgerPartition> list() {
        return transactions().read("Listing the ledger's partitions", tx -> {
            requirePartitioned(tx);
            return partitions(tx);
        });
    }

    /**
     * Creates the partitions of the current month and the {@code monthsAhead} months after it that
     * do not exist yet, and moves the rows of every other month the default partition holds into a
     * partition of their own. Each month is created in a transaction of its own.
     *
     * @param monthsAhead how many months after the current one (UTC) to create, 0 to {@value #MAX_MONTHS_AHEAD}
     * @return the partitions created, by month
     * @throws IllegalArgumentException if {@code monthsAhead} is out of range
     * @throws AnalyticsException       if the database fails or the ledger is not partitioned
     */
    public List<LedgerPartition> ensure(int monthsAhead) {
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        return ensure(current, monthsAhead);
    }

    /**
     * As {@link #ensure(int)}, and creates the partitions of the months from {@code first} to the
     * current one too: before loading history, so that its rows go straight to their months'
     * partitions instead of through the default one.
     *
     * <pre>{@code
     * Partitions.create(dataSource).ensure(YearMonth.of(2024, 1), 3); // then load 2024 on
     * }</pre>
     *
     * @param first       the first month to create; months after the current one only add to
     *                    those {@code monthsAhead} asks for
     * @param monthsAhead how many months after the current one (UTC) to create, 0 to {@value #MAX_MONTHS_AHEAD}
     * @return the partitions created, by month
     * @throws IllegalArgumentException if {@code first} is {@code null} or {@code monthsAhead} is out of range
     * @throws AnalyticsException       if the database fails or the ledger is not partitioned
     */
    public List<LedgerPartition> ensure(YearMonth first, int monthsAhead) {
        if (first == null) {
            throw new IllegalArgumentException("first must not be null");
        }
        if (monthsAhead < 0 || monthsAhead > MAX_MONTHS_AHEAD) {
            throw new IllegalArgumentException(
                    "monthsAhead must be between 0 and " + MAX_MONTHS_AHEAD + ", but was " + monthsAhead);
        }
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        return transactions().onConnection("Creating the ledger's partitions", connection -> {
            TreeSet<YearMonth> wanted =
                    Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                        requirePartitioned(tx);
                        TreeSet<YearMonth> months = new TreeSet<>(monthsInDefault(tx));
                        YearMonth last = current.plusMonths(monthsAhead);
                        for (YearMonth month = first.isBefore(current) ? first : current;
                                !month.isAfter(last);
                                month = month.plusMonths(1)) {
                            months.add(month);
                        }
                        partitions(tx).stream()
                                .filter(partition -> !partition.isDefault())
                                .forEach(partition -> months.remove(partition.month()));
                        return months;
                    });
            List<YearMonth> created = new ArrayList<>();
            for (YearMonth month : wanted) {
                // CREATE TABLE ... PARTITION OF takes the ledger in ACCESS EXCLUSIVE mode: asked for
                // less first and raised to it, the lock deadlocked with a reader holding ACCESS SHARE
                // on the ledger that went on to read the new partition (a schema verification).
                boolean made = LedgerLock.run(
                        connection,
                        schema,
                        List.of(),
                        "ACCESS EXCLUSIVE",
                        tx -> tx.connectionResult(jdbc -> LedgerLayout.ensureMonth(jdbc, schema, month)));
                if (made) {
                    created.add(month);
                }
            }
            return Transactions.inTransaction(
                    connection,
                    Connection.TRANSACTION_READ_COMMITTED,
                    tx -> partitions(tx).stream()
                            .filter(partition -> created.contains(partition.month()))
                            .toList());
        });
    }

    /**
     * Turns the unpartitioned ledger into a partitioned one while writers keep inserting, updating
     * and reading: the rows are copied in the background, each write reaching both tables, and the
     * tables are swapped in one transaction that holds writers back for milliseconds. Every row
     * stays, once; the rollups stay as they are. See docs/partitioning.md for the steps and what
     * they cost.
     *
     * <pre>{@code
     * ConversionResult result = Partitions.create(dataSource).convert();
     * }</pre>
     *
     * <p>Run it as the ledger's owner or a member of that role; it needs room for a second copy of
     * the ledger while it runs. After a failure, run it again: it starts over.
     *
     * @return what it did
     * @throws AnalyticsException if the ledger is partitioned already, the database fails, or the
     *                            ledger stayed busy for a minute at one of the two moments it locks it
     */
    public ConversionResult convert() {
        return transactions()
                .onConnection(
                        "Converting the ledger to the partitioned layout",
                        connection -> new LedgerConversion(schema, clock).run(connection));
    }

    /** The months of the rows in the default partition. */
    private List<YearMonth> monthsInDefault(DSLContext tx) {
        return tx
                .resultQuery("SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') FROM "
                        + LedgerLayout.table(schema, LedgerLayout.DEFAULT_PARTITION))
                .fetch(0, String.class)
                .stream()
                .map(YearMonth::parse)
                .toList();
    }

    private List<LedgerPartition> partitions(DSLContext tx) {
        List<LedgerPartition> partitions = new ArrayList<>();
        for (Record row : tx.resultQuery("""
                        SELECT c.relname, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
                        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = to_regclass({0})
                        ORDER BY c.relname""", DSL.val(LedgerLayout.table(schema, LedgerLayout.LEDGER)))
                .fetch()) {
            String name = row.get(0, String.class);
            YearMonth month = LedgerLayout.monthOf(name);
            partitions.add(new LedgerPartition(
                    name,
                    month,
                    month == null ? null : start(month),
                    month == null ? null : start(month.plusMonths(1)),
                    row.get(1, Long.class),
                    row.get(2, Long.class)));
        }
        partitions.sort(
                (a, b) -> a.isDefault() ? -1 : b.isDefault() ? 1 : a.month().compareTo(b.month()));
        return partitions;
    }

    private boolean isPartitioned(DSLContext tx) {
        return tx.connectionResult(connection -> LedgerLayout.isPartitioned(connection, schema));
    }

    private void requirePartitioned(DSLContext tx) {
        if (!isPartitioned(tx)) {
            throw new AnalyticsException("The ledger " + schema + "." + TOKEN_USAGE_LEDGER.getName()
                    + " is not partitioned; convert it online with `analytics partitions convert` "
                    + "(docs/partitioning.md)");
        }
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private Transactions transactions() {
        return new Transactions(LedgerDsl.using(dataSource, schema), null);
    }
}
