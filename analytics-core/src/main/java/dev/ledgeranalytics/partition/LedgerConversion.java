package dev.ledgeranalytics.partition;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.AdvisoryLock;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.rollup.internal.RollupMaintenance;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Turns an unpartitioned ledger into a partitioned one while writers keep writing
 * (docs/partitioning.md):
 *
 * <ol>
 *   <li>creates the partitioned ledger beside the old one, under another name, with a partition
 *       for every month that has rows and the months ahead;
 *   <li>adds a trigger to the old ledger that repeats each write on the new one, so that from then
 *       on every write reaches both (a short lock: adding a trigger waits for running writes);
 *   <li>copies the old rows over in batches in primary-key order, each batch's rows locked against
 *       change while it copies them, so a row updated meanwhile is copied as it is now, never as it
 *       was; what the trigger already put there stays;
 *   <li>swaps the two in one short transaction: renames, grants, the rollups' triggers (writers and
 *       readers wait for it, milliseconds);
 *   <li>drops the old ledger.
 * </ol>
 *
 * Rerun after a failure, it starts over: what a failed run left (the new table, the trigger) is
 * dropped first. The rollups stay as they are: no row changes.
 */
final class LedgerConversion {

    /** Rows a batch of the copy locks and copies; a write to one of them waits for that batch. */
    private static final int BATCH_ROWS = 5_000;

    private static final String NEW_LEDGER = LedgerLayout.LEDGER + "_partitioned";
    private static final String OLD_LEDGER = LedgerLayout.LEDGER + "_unpartitioned";
    /** Appended to the new ledger's key and index names until the swap frees the final ones. */
    private static final String NEW_SUFFIX = "_partitioned";
    /** Appended to the old ledger's index names at the swap. */
    private static final String OLD_SUFFIX = "_unpartitioned";

    private static final String MIRROR = "ledger_conversion_mirror";

    private final String schema;
    private final Clock clock;

    LedgerConversion(String schema, Clock clock) {
        this.schema = schema;
        this.clock = clock;
    }

    ConversionResult run(DSLContext connection) {
        long start = System.nanoTime();
        AdvisoryLock partitions = new AdvisoryLock(AdvisoryLock.PARTITIONS, schema);
        partitions.lockForSession(connection);
        try {
            String owner = read(connection, tx -> {
                if (tx.connectionResult(jdbc -> LedgerLayout.isPartitioned(jdbc, schema))) {
                    throw new AnalyticsException("The ledger " + schema + "." + LedgerLayout.LEDGER
                            + " is partitioned already: there is nothing to convert");
                }
                return tx.fetchSingle(
                                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass({0})",
                                DSL.val(table(LedgerLayout.LEDGER)))
                        .get(0, String.class);
            });
            // Everything made here is the ledger owner's, whoever among its members runs this.
            execute(connection, "SET ROLE " + LedgerLayout.quote(owner));
            try {
                return convert(connection, start);
            } finally {
                execute(connection, "RESET ROLE");
            }
        } finally {
            partitions.unlockSession(connection);
        }
    }

    private ConversionResult convert(DSLContext connection, long start) {
        dropLeftovers(connection);
        List<String> created = createNewLedger(connection);
        Duration triggerPause = LedgerLock.run(connection, schema, List.of(), "SHARE ROW EXCLUSIVE", tx -> {
            long locked = System.nanoTime();
            installMirror(tx);
            return Duration.ofNanos(System.nanoTime() - locked);
        });
        long copied = copyRows(connection);
        RollupMaintenance rollups = new RollupMaintenance(connection, schema);
        long[] swapStarted = new long[1];
        LedgerLock.run(connection, schema, List.of(AdvisoryLock.TRIGGERS), "ACCESS EXCLUSIVE", tx -> {
            swapStarted[0] = System.nanoTime();
            swap(tx, rollups);
            return null;
        });
        Duration swapPause = Duration.ofNanos(System.nanoTime() - swapStarted[0]);
        execute(connection, "DROP TABLE " + table(OLD_LEDGER));
        execute(connection, "ANALYZE " + table(LedgerLayout.LEDGER));
        return new ConversionResult(
                copied,
                created,
                Duration.ofNanos(System.nanoTime() - start),
                swapPause.compareTo(triggerPause) > 0 ? swapPause : triggerPause);
    }

    /** What a failed run left: the copying trigger and its function, and the new ledger. */
    private void dropLeftovers(DSLContext connection) {
        LedgerLock.run(connection, schema, List.of(), "SHARE ROW EXCLUSIVE", tx -> {
            LedgerLock.execute(tx, "DROP TRIGGER IF EXISTS " + MIRROR + " ON " + table(LedgerLayout.LEDGER));
            LedgerLock.execute(tx, "DROP TRIGGER IF EXISTS " + MIRROR + "_truncate ON " + table(LedgerLayout.LEDGER));
            LedgerLock.execute(tx, "DROP FUNCTION IF EXISTS " + table(MIRROR) + "()");
            LedgerLock.execute(tx, "DROP TABLE IF EXISTS " + table(NEW_LEDGER));
            return null;
        });
    }

    /**
     * The partitioned ledger under its interim name: keys, indexes and the foreign key as the
     * partitioned layout has them, a default partition, and a partition for every month with rows
     * and for the current month and the two after it.
     */
    private List<String> createNewLedger(DSLContext connection) {
        TreeSet<YearMonth> months = new TreeSet<>(read(connection, this::monthsWithRows));
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        for (int ahead = 0; ahead <= 2; ahead++) {
            months.add(current.plusMonths(ahead));
        }
        List<String> created = new ArrayList<>();
        Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
            tx.connection(jdbc -> {
                try (Statement statement = jdbc.createStatement()) {
                    LedgerLayout.createParent(statement, schema, NEW_LEDGER, LedgerLayout.LEDGER);
                    LedgerLayout.addKeysAndIndexes(statement, schema, NEW_LEDGER, NEW_SUFFIX);
                    statement.execute("CREATE TABLE " + table(LedgerLayout.DEFAULT_PARTITION) + " PARTITION OF "
                            + table(NEW_LEDGER) + " DEFAULT");
                    created.add(LedgerLayout.DEFAULT_PARTITION);
                    for (YearMonth month : months) {
                        statement.execute(LedgerLayout.createMonth(schema, NEW_LEDGER, month));
                        created.add(LedgerLayout.partitionName(month));
                    }
                }
            });
            return null;
        });
        return created;
    }

    /**
     * The months that have rows, read month by month from the index on {@code created_at}: a few
     * index probes a month instead of a scan of every row.
     */
    private List<YearMonth> monthsWithRows(DSLContext tx) {
        String ledger = table(LedgerLayout.LEDGER);
        return tx
                .fetch("WITH RECURSIVE m(month) AS ("
                        + " SELECT date_trunc('month', min(created_at), 'UTC') FROM " + ledger
                        + " UNION ALL"
                        + " SELECT (SELECT date_trunc('month', min(created_at), 'UTC') FROM " + ledger
                        + "         WHERE created_at >= ((m.month AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC')"
                        + " FROM m WHERE m.month IS NOT NULL)"
                        + " SELECT to_char(month AT TIME ZONE 'UTC', 'YYYY-MM') FROM m WHERE month IS NOT NULL")
                .getValues(0, String.class)
                .stream()
                .map(YearMonth::parse)
                .toList();
    }

    /**
     * The trigger that repeats every write of the old ledger on the new one. An update is a delete
     * of the old version and an insert of the new, which may belong to another month. It runs with
     * the owner's rights, so that writers need no grant on the new table, and no one else may
     * execute it (see the rollup triggers, which are made the same way).
     */
    private void installMirror(DSLContext tx) {
        String copy = table(NEW_LEDGER);
        String function = table(MIRROR);
        LedgerLock.execute(
                tx,
                "CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                        + " SET search_path = pg_catalog, pg_temp AS $body$\nBEGIN\n"
                        + "IF TG_OP = 'TRUNCATE' THEN\n  TRUNCATE " + copy + ";\n  RETURN NULL;\nEND IF;\n"
                        + "IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
                        + "  DELETE FROM " + copy + " WHERE id = OLD.id AND created_at = OLD.created_at;\nEND IF;\n"
                        + "IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
                        + "  INSERT INTO " + copy + " SELECT (NEW).* ON CONFLICT DO NOTHING;\nEND IF;\n"
                        + "RETURN NULL;\nEND\n$body$");
        LedgerLock.execute(tx, "REVOKE EXECUTE ON FUNCTION " + function + "() FROM PUBLIC");
        LedgerLock.execute(
                tx,
                "CREATE TRIGGER " + MIRROR + " AFTER INSERT OR UPDATE OR DELETE ON " + table(LedgerLayout.LEDGER)
                        + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        LedgerLock.execute(
                tx,
                "CREATE TRIGGER " + MIRROR + "_truncate AFTER TRUNCATE ON " + table(LedgerLayout.LEDGER)
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
    }

    /**
     * Copies the old ledger's rows in batches of {@value #BATCH_ROWS} in primary-key order, each
     * in a transaction of its own. {@code FOR SHARE} makes a batch copy the rows as they are after
     * any update that committed before it, and makes updates wait until it committed, after which
     * the trigger repeats them; a row the trigger put there already stays.
     */
    private long copyRows(DSLContext connection) {
        String batch = "WITH batch AS (SELECT * FROM " + table(LedgerLayout.LEDGER)
                + " WHERE id > {0} ORDER BY id LIMIT " + BATCH_ROWS + " FOR SHARE),"
                + " copied AS (INSERT INTO " + table(NEW_LEDGER) + " SELECT * FROM batch ON CONFLICT DO NOTHING)"
                + " SELECT count(*), (SELECT id FROM batch ORDER BY id DESC LIMIT 1) FROM batch";
        long copied = 0;
        UUID after = null;
        while (true) {
            UUID from = after;
            Record done = Transactions.inTransaction(
                    connection,
                    Connection.TRANSACTION_READ_COMMITTED,
                    tx -> from == null
                            ? tx.fetchSingle(batch.replace("id > {0}", "true"))
                            : tx.fetchSingle(batch, DSL.val(from)));
            long rows = done.get(0, Long.class);
            copied += rows;
            if (rows < BATCH_ROWS) {
                return copied;
            }
            after = done.get(1, UUID.class);
        }
    }

    /**
     * Makes the new table the ledger, with the locks of {@link LedgerLock} held: the old ledger's
     * index names move aside, the new one takes the ledger's name, its keys and indexes their
     * final names, the old one's grants and, if the rollups were built, their triggers.
     */
    private void swap(DSLContext tx, RollupMaintenance rollups) {
        boolean rollupTriggers = rollups.hasTriggers(tx);
        LedgerLock.execute(tx, "DROP TRIGGER " + MIRROR + " ON " + table(LedgerLayout.LEDGER));
        LedgerLock.execute(tx, "DROP TRIGGER " + MIRROR + "_truncate ON " + table(LedgerLayout.LEDGER));
        LedgerLock.execute(tx, "DROP FUNCTION " + table(MIRROR) + "()");
        LedgerLock.execute(
                tx, "ALTER TABLE " + table(LedgerLayout.LEDGER) + " RENAME TO " + LedgerLayout.quote(OLD_LEDGER));
        for (String index : indexes(tx, OLD_LEDGER)) {
            LedgerLock.execute(
                    tx, "ALTER INDEX " + table(index) + " RENAME TO " + LedgerLayout.quote(index + OLD_SUFFIX));
        }
        LedgerLock.execute(
                tx, "ALTER TABLE " + table(NEW_LEDGER) + " RENAME TO " + LedgerLayout.quote(LedgerLayout.LEDGER));
        for (String index : indexes(tx, LedgerLayout.LEDGER)) {
            if (index.endsWith(NEW_SUFFIX)) {
                LedgerLock.execute(
                        tx,
                        "ALTER INDEX " + table(index) + " RENAME TO "
                                + LedgerLayout.quote(index.substring(0, index.length() - NEW_SUFFIX.length())));
            }
        }
        LedgerLock.execute(
                tx,
                "ALTER TABLE " + table(LedgerLayout.LEDGER) + " RENAME CONSTRAINT "
                        + LedgerLayout.quote(LedgerLayout.PROVIDER_KEY + NEW_SUFFIX) + " TO "
                        + LedgerLayout.quote(LedgerLayout.PROVIDER_KEY));
        tx.connection(jdbc -> LedgerLayout.copyGrants(jdbc, schema, OLD_LEDGER, LedgerLayout.LEDGER));
        if (rollupTriggers) {
            rollups.installTriggers(tx);
        }
    }

    private List<String> indexes(DSLContext tx, String table) {
        return tx.fetch(
                        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                                + " WHERE i.indrelid = to_regclass({0})",
                        DSL.val(table(table)))
                .getValues(0, String.class);
    }

    private <T> T read(DSLContext connection, Function<DSLContext, T> work) {
        return Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, work::apply);
    }

    private static void execute(DSLContext connection, String sql) {
        LedgerLock.execute(connection, sql);
    }

    private String table(String name) {
        return LedgerLayout.table(schema, name);
    }
}
