package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.AdvisoryLock;
import dev.ledgeranalytics.internal.LedgerRows;
import dev.ledgeranalytics.internal.Transactions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Record6;
import org.jooq.Result;
import org.jooq.SelectWhereStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. Carries out what {@code Rollups} offers: builds, refreshes and switches off the
 * rollups of one schema, and installs the ledger's triggers that record every write.
 *
 * <p>Refreshes and builds run one at a time (a session advisory lock per schema, the one a
 * trigger-mode writer also takes), each in one REPEATABLE READ transaction, so a query sees a
 * bucket either before or after a refresh, never half-way.
 */
public final class RollupMaintenance {

    /**
     * The rollups' state.
     *
     * @param builtAt               when last built, or {@code null} if never
     * @param refreshedAt           when the last refresh or build committed, or {@code null}
     * @param mode                  {@code refresh} or {@code trigger}
     * @param pendingQuarterHours   quarter hours with writes no refresh has applied
     * @param oldestPendingChangeAt when the oldest of those writes was recorded, or {@code null}
     * @param retainedFrom          the retention boundary, or {@code null}
     */
    public record State(
            Instant builtAt,
            Instant refreshedAt,
            String mode,
            long pendingQuarterHours,
            Instant oldestPendingChangeAt,
            Instant retainedFrom) {}

    /**
     * What a refresh or build did.
     *
     * @param rebuilt      whether the rollups were built from the whole ledger
     * @param quarterHours how many quarter hours were summed again
     */
    public record Outcome(boolean rebuilt, long quarterHours) {}

    private static final List<String> EVENTS = List.of("insert", "update", "delete", "truncate");

    /** The row-level triggers of a ledger distributed by Citus ({@link #installRowTriggers}). */
    private static final List<String> ROW_TRIGGERS = List.of("rollup_row_insert", "rollup_row_change");

    /** One piece of maintenance work, told whether the ledger is distributed by Citus. */
    private interface Work {
        Outcome apply(DSLContext connection, boolean distributed);
    }

    private final DSLContext dsl;
    private final String schema;
    private final Transactions transactions;

    /**
     * @param dsl    a context rendering the generated model into {@code schema}
     * @param schema the ledger's schema, a checked identifier
     */
    public RollupMaintenance(DSLContext dsl, String schema) {
        this.dsl = dsl;
        this.schema = schema;
        this.transactions = new Transactions(dsl, null);
    }

    /** Applies the recorded writes, after building the rollups if they never were; waits for a running refresh. */
    public Outcome refresh() {
        return locked("Refreshing the rollups", true, true, this::refreshHoldingLock)
                .orElseThrow();
    }

    /** Like {@link #refresh()}, or nothing at once if another refresh of the schema is running. */
    public Optional<Outcome> tryRefresh() {
        return locked("Refreshing the rollups", false, true, this::refreshHoldingLock);
    }

    /** Builds the rollups again from the whole ledger. */
    public Outcome rebuild() {
        return locked("Building the rollups", true, true, this::build).orElseThrow();
    }

    /** Sets how writes reach the rollups: {@code refresh} or {@code trigger}. */
    public void mode(String mode) {
        StateTable state = StateTable.TABLE;
        transactions.onConnection("Setting the rollup mode", tx -> {
            Primary.require(tx, "Setting the rollup mode");
            if ("trigger".equals(mode)) {
                Primary.requireSingleNode(tx, schema, "Setting the rollup mode to trigger");
            }
            return tx.update(state).set(state.mode, mode).execute();
        });
    }

    /** Disables the ledger's rollup triggers and empties the rollups, so that queries read the ledger alone. */
    public void disable() {
        locked("Disabling the rollups", true, false, (connection, distributed) -> {
            Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                if (distributed) {
                    // Citus alters no trigger of a distributed table without it.
                    execute(tx, "SET LOCAL citus.enable_unsafe_triggers = on");
                }
                for (String trigger : installedTriggers(tx)) {
                    execute(tx, "ALTER TABLE " + tx.render(TOKEN_USAGE_LEDGER) + " DISABLE TRIGGER " + trigger);
                }
                RollupTable.ALL.forEach(table -> tx.deleteFrom(table).execute());
                tx.deleteFrom(ChangeLog.TABLE).execute();
                tx.deleteFrom(NewRows.TABLE).execute();
                StateTable state = StateTable.TABLE;
                tx.update(state)
                        .set(state.builtAt, (Instant) null)
                        .set(state.refreshedAt, (Instant) null)
                        .execute();
                return null;
            });
            return new Outcome(false, 0);
        });
    }

    /** The rollups' state. */
    public State state() {
        StateTable state = StateTable.TABLE;
        ChangeLog changes = ChangeLog.TABLE;
        Record6<Instant, Instant, String, Integer, Instant, Instant> row = transactions.read(
                "Reading the rollup state",
                tx -> tx.select(
                                state.builtAtInThisLayout(),
                                state.refreshedAt,
                                state.mode,
                                DSL.field(DSL.select(DSL.countDistinct(changes.quarterHour))
                                        .from(changes)),
                                DSL.field(
                                        DSL.select(DSL.min(changes.recordedAt)).from(changes)),
                                state.retainedFrom)
                        .from(state)
                        .fetchSingle());
        return new State(row.value1(), row.value2(), row.value3(), row.value4(), row.value5(), row.value6());
    }

    private Outcome refreshHoldingLock(DSLContext connection, boolean distributed) {
        StateTable state = StateTable.TABLE;
        boolean built = connection
                        .select(state.builtAtInThisLayout())
                        .from(state)
                        .fetchSingle()
                        .value1()
                != null;
        if (!built) {
            return build(connection, distributed);
        }
        long quarterHours = Transactions.inTransaction(connection, Connection.TRANSACTION_REPEATABLE_READ, tx -> {
            if (distributed) {
                oneSnapshotPerWorker(tx);
            }
            // Only the entries this snapshot sees, and the new rows that came with them: those
            // written later stay for the next refresh.
            ChangeLog changes = ChangeLog.TABLE;
            Result<Record> entries = tx.deleteFrom(changes)
                    .returning(changes.quarterHour, changes.recompute)
                    .fetch();
            if (entries.stream().anyMatch(entry -> !entry.get(changes.recompute))) {
                RollupUpkeep.addNewRows(tx).forEach(Query::execute);
            }
            List<Instant> recompute = entries.stream()
                    .filter(entry -> entry.get(changes.recompute))
                    .map(entry -> entry.get(changes.quarterHour))
                    .distinct()
                    .toList();
            if (!recompute.isEmpty()) {
                RollupUpkeep.recompute(tx, recompute, distributed).forEach(Query::execute);
            }
            tx.update(state).set(state.refreshedAt, now()).execute();
            if (distributed) {
                waitForRollupReads(tx);
            }
            return entries.stream()
                    .map(entry -> entry.get(changes.quarterHour))
                    .distinct()
                    .count();
        });
        return new Outcome(false, quarterHours);
    }

    /**
     * Applies, in the transaction of {@code tx}, the recorded writes of the quarter hours in
     * {@code [from, to)}: before retention drops those rows, so that no change of theirs is left
     * for a refresh that could no longer read them. Those quarter hours are summed again whole, so
     * their new rows are only deleted. The caller holds the rollups' lock and the ledger's, so that
     * no write commits in between.
     */
    public static void applyChanges(DSLContext tx, Instant from, Instant to) {
        ChangeLog changes = ChangeLog.TABLE;
        Instant first = Grain.QUARTER_HOUR.floor(from);
        List<Instant> changed = tx
                .deleteFrom(changes)
                .where(changes.quarterHour.ge(first))
                .and(changes.quarterHour.lt(to))
                .returning(changes.quarterHour)
                .fetch(changes.quarterHour)
                .stream()
                .distinct()
                .toList();
        if (!changed.isEmpty()) {
            NewRows rows = NewRows.TABLE;
            Field<Instant> createdAt = rows.rows.column(TOKEN_USAGE_LEDGER.CREATED_AT);
            tx.deleteFrom(rows)
                    .where(createdAt.ge(first))
                    .and(createdAt.lt(Grain.QUARTER_HOUR.ceiling(to)))
                    .execute();
            RollupUpkeep.recompute(tx, changed, false).forEach(Query::execute);
        }
    }

    /**
     * Builds from the whole ledger. The triggers must be installed, by {@link #installTriggers},
     * before: so every write either committed before the build's snapshot (and the build sees it)
     * or is recorded.
     */
    private Outcome build(DSLContext connection, boolean distributed) {
        long quarterHours = Transactions.inTransaction(connection, Connection.TRANSACTION_REPEATABLE_READ, tx -> {
            if (distributed) {
                oneSnapshotPerWorker(tx);
            }
            tx.deleteFrom(ChangeLog.TABLE).execute();
            tx.deleteFrom(NewRows.TABLE).execute();
            RollupUpkeep.build(tx).forEach(Query::execute);
            StateTable state = StateTable.TABLE;
            tx.update(state)
                    .set(state.builtAt, now())
                    .set(state.refreshedAt, now())
                    .set(state.layout, RollupTable.LAYOUT)
                    .execute();
            RollupTable status = RollupTable.STATUS;
            long built = tx.select(DSL.countDistinct(status.bucketStart))
                    .from(status)
                    .where(status.grain.eq(Grain.QUARTER_HOUR.code()))
                    .fetchSingle()
                    .value1()
                    .longValue();
            if (distributed) {
                waitForRollupReads(tx);
            }
            return built;
        });
        return new Outcome(true, quarterHours);
    }

    /**
     * On Citus: one connection per worker for the rest of the transaction, so that it reads each
     * worker's change log, copies of new rows and ledger rows in one snapshot there, as a single
     * node reads them all in one (with several connections per worker, each would have its own).
     */
    private static void oneSnapshotPerWorker(DSLContext tx) {
        execute(tx, "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
        execute(tx, "SET LOCAL citus.max_adaptive_executor_pool_size TO 1");
    }

    /** On Citus, before the commit: see {@link RollupReadLock}. */
    private static void waitForRollupReads(DSLContext tx) {
        RollupReadLock.takeAlone(tx);
    }

    /**
     * Runs {@code work} on one connection holding this schema's rollup lock; empty if not waiting
     * and it is taken. When {@code install}ing, the ledger's triggers are brought up to date first, outside that lock:
     * replacing a trigger waits for the ledger's writers of the moment, and a trigger-mode writer
     * may be waiting for the rollup lock, so holding it then would deadlock.
     */
    private Optional<Outcome> locked(String what, boolean wait, boolean install, Work work) {
        return transactions.onConnection(what, connection -> {
            Primary.require(connection, what);
            boolean distributed = Primary.distributed(connection, schema);
            if (install && !triggersUpToDate(connection, distributed)) {
                Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                    // One installer at a time: concurrent replacements of a function fail.
                    new AdvisoryLock(AdvisoryLock.TRIGGERS, schema).lockForTransaction(tx);
                    if (distributed) {
                        installRowTriggers(tx);
                    } else {
                        installTriggers(tx);
                    }
                    return null;
                });
            }
            AdvisoryLock rollups = new AdvisoryLock(AdvisoryLock.ROLLUPS, schema);
            if (wait) {
                rollups.lockForSession(connection);
            } else if (!rollups.tryLockForSession(connection)) {
                return Optional.empty();
            }
            try {
                return Optional.of(work.apply(connection, distributed));
            } finally {
                rollups.unlockSession(connection);
            }
        });
    }

    /**
     * Whether the ledger's triggers (the four statement-level ones, or on Citus the two row-level
     * ones) exist, are enabled, and run this library version's functions, which no one else may
     * execute: then a build need not replace them.
     */
    private boolean triggersUpToDate(DSLContext tx, boolean distributed) {
        Map<String, String> installed = tx
                .resultQuery(
                        "SELECT t.tgname, p.prosrc FROM pg_catalog.pg_trigger t"
                                + " JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
                                + " WHERE t.tgrelid = {0}::regclass AND t.tgname ~ '^rollup_(after|row)_'"
                                + " AND t.tgenabled = 'O'"
                                + " AND NOT pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')",
                        DSL.inline(tx.render(TOKEN_USAGE_LEDGER)))
                .fetchMap(0, 1)
                .entrySet()
                .stream()
                .collect(Collectors.toMap(e -> (String) e.getKey(), e -> (String) e.getValue()));
        Map<String, String> expected = new LinkedHashMap<>();
        if (distributed) {
            ROW_TRIGGERS.forEach(trigger -> expected.put(trigger, rowBody(tx, trigger)));
        } else {
            EVENTS.forEach(event -> expected.put("rollup_after_" + event, body(tx, event)));
        }
        return expected.entrySet().stream()
                .allMatch(trigger -> trigger.getValue().equals(installed.get(trigger.getKey())));
    }

    /**
     * Creates or replaces the ledger's four statement-level triggers and their functions, on the
     * table that is the ledger when {@code tx} runs this (the online conversion to the partitioned
     * layout calls it for the table that replaces the ledger, in the transaction that swaps them).
     * The
     * functions run with the rights of the role that installs them (SECURITY DEFINER), with a
     * search path of the system catalog alone and every name qualified, so that a writer needs
     * nothing but its own privileges on the ledger. EXECUTE, which PostgreSQL grants PUBLIC on a
     * new function and checks only when a trigger is created, is revoked: any role could otherwise
     * attach them to a table of its own (a temporary one will do) and run them with the installer's
     * rights, on rows it made up or to empty the rollups. The ledger's triggers fire without it.
     */
    public void installTriggers(DSLContext tx) {
        String ledger = tx.render(TOKEN_USAGE_LEDGER);
        for (String event : EVENTS) {
            String trigger = "rollup_after_" + event;
            String function = tx.render(DSL.name(schema, trigger));
            execute(
                    tx,
                    "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                            + " SET search_path = pg_catalog, pg_temp AS $body$" + body(tx, event) + "$body$");
            execute(tx, "REVOKE EXECUTE ON FUNCTION " + function + "() FROM PUBLIC");
            String transitions = switch (event) {
                case "insert" -> " REFERENCING NEW TABLE AS new_rows";
                case "update" -> " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
                case "delete" -> " REFERENCING OLD TABLE AS old_rows";
                default -> "";
            };
            execute(
                    tx,
                    "CREATE OR REPLACE TRIGGER " + trigger + " AFTER " + event.toUpperCase(Locale.ROOT) + " ON "
                            + ledger + transitions + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
            execute(tx, "ALTER TABLE " + ledger + " ENABLE TRIGGER " + trigger);
        }
    }

    /**
     * On a ledger distributed by Citus, row-level triggers in place of the statement-level ones.
     * Citus runs a distributed table's triggers on the workers, per shard, where a statement can
     * write to a co-located shard and to nothing else (a statement-level trigger there cannot read
     * its transition table, a write to a reference table fails: docs/scale-out.md). So each
     * inserted row's columns go to {@link NewRows} and its quarter hour to {@link ChangeLog}, both
     * distributed by {@code user_id} beside the ledger: into the shards beside the row's own, on
     * the same worker, in the writer's transaction. Updates and deletes record the quarter hours
     * they touched, to be summed again. Refresh mode only: the rollup tables are reference tables
     * (and {@code rollup_users} another shard group's), which no trigger there can write. A
     * {@code TRUNCATE} of the ledger is not recorded.
     */
    private void installRowTriggers(DSLContext tx) {
        String ledger = tx.render(TOKEN_USAGE_LEDGER);
        // Citus creates, replaces and enables no trigger of a distributed table without it.
        execute(tx, "SET LOCAL citus.enable_unsafe_triggers = on");
        for (String trigger : ROW_TRIGGERS) {
            String function = tx.render(DSL.name(schema, trigger));
            execute(
                    tx,
                    "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                            + " SET search_path = pg_catalog, pg_temp AS $body$" + rowBody(tx, trigger) + "$body$");
            execute(tx, "REVOKE EXECUTE ON FUNCTION " + function + "() FROM PUBLIC");
            String events = ROW_TRIGGERS.get(0).equals(trigger) ? "INSERT" : "UPDATE OR DELETE";
            execute(
                    tx,
                    "CREATE OR REPLACE TRIGGER " + trigger + " AFTER " + events + " ON " + ledger
                            + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
            execute(tx, "ALTER TABLE " + ledger + " ENABLE TRIGGER " + trigger);
        }
    }

    /** The body of one of {@link #ROW_TRIGGERS}' functions. */
    private static String rowBody(DSLContext tx, String trigger) {
        List<String> statements = new ArrayList<>();
        if (ROW_TRIGGERS.get(0).equals(trigger)) {
            statements.add(tx.renderInlined(tx.insertInto(NewRows.TABLE, NewRows.TABLE.fields())
                            .values(NewRows.LEDGER_COLUMNS.stream()
                                    .map(column -> DSL.field("NEW." + column.getName(), column.getDataType()))
                                    .toList()))
                    + ";");
            statements.add(recordRow(tx, "NEW", false));
        } else {
            statements.add(recordRow(tx, "OLD", true));
            statements.add("IF TG_OP = 'UPDATE' THEN\n" + recordRow(tx, "NEW", true) + "\nEND IF;");
        }
        return "\nBEGIN\n" + String.join("\n", statements) + "\nRETURN NULL;\nEND\n";
    }

    /** The change log entry of one row ({@code NEW} or {@code OLD}), with the row's user beside its quarter hour. */
    private static String recordRow(DSLContext tx, String row, boolean recompute) {
        ChangeLog changes = ChangeLog.TABLE;
        return tx.renderInlined(tx.insertInto(
                                changes,
                                changes.quarterHour,
                                changes.recompute,
                                DSL.field(DSL.name("user_id"), SQLDataType.UUID))
                        .values(
                                Grain.QUARTER_HOUR.bucketStart(DSL.field(row + ".created_at", SQLDataType.INSTANT)),
                                DSL.inline(recompute),
                                DSL.field(row + ".user_id", SQLDataType.UUID)))
                + ";";
    }

    /**
     * The body of one trigger function. Every write records the quarter hours it touched. In
     * trigger mode, inserts by READ COMMITTED writers add themselves to the rollups instead. Such
     * a writer first takes the schema's rollup lock (a transaction-level advisory lock, the one
     * refreshes and builds hold) and keeps it to the end of its transaction: the upserts of two
     * writers' transactions, or of a writer and a refresh, would otherwise lock the same hot rollup
     * rows in different orders and deadlock. (Under REPEATABLE READ an upsert of a row another
     * writer changed would fail the writer's transaction, so such writers only record.) Updates and
     * deletes can take a bucket's smallest cost or a user's first request away; only a
     * recomputation restores those, so both modes record them. TRUNCATE empties the rollups.
     */
    private String body(DSLContext tx, String event) {
        StateTable state = StateTable.TABLE;
        // Before the retention boundary the ledger's rows were dropped: there is nothing to
        // recompute a bucket from, so late rows of those months are added to the rollups at once,
        // and rows there may not change.
        Field<Instant> boundary = DSL.coalesce(
                DSL.field(DSL.select(state.retainedFrom).from(state)),
                DSL.field("'-infinity'::timestamptz", SQLDataType.INSTANT));
        Field<Instant> newCreatedAt = LedgerRows.named("new_rows").column(TOKEN_USAGE_LEDGER.CREATED_AT);
        Field<Instant> oldCreatedAt = LedgerRows.named("old_rows").column(TOKEN_USAGE_LEDGER.CREATED_AT);
        String lock = "PERFORM "
                + tx.renderInlined(DSL.function(
                        "pg_advisory_xact_lock", Object.class, new AdvisoryLock(AdvisoryLock.ROLLUPS, schema).key()))
                + ";";
        List<String> statements = new ArrayList<>();
        switch (event) {
            case "insert" -> {
                statements.add("IF EXISTS (SELECT 1 FROM new_rows WHERE " + tx.renderInlined(newCreatedAt.lt(boundary))
                        + ") THEN\n" + lock);
                RollupUpkeep.upserts(tx, "new_rows", newCreatedAt.lt(boundary))
                        .forEach(query -> statements.add(tx.renderInlined(query) + ";"));
                statements.add("END IF;");
                statements.add("IF "
                        + tx.renderInlined(DSL.field(DSL.select(state.mode).from(state))
                                .ne("trigger")
                                .or(DSL.function("current_setting", String.class, DSL.inline("transaction_isolation"))
                                        .ne("read committed")))
                        + " THEN\n" + tx.renderInlined(recordInserts(tx, newCreatedAt.ge(boundary)))
                        + ";\n" + tx.renderInlined(copyNewRows(tx, newCreatedAt.ge(boundary)))
                        + ";\nRETURN NULL;\nEND IF;");
                statements.add(lock);
                RollupUpkeep.upserts(tx, "new_rows", newCreatedAt.ge(boundary))
                        .forEach(query -> statements.add(tx.renderInlined(query) + ";"));
            }
            case "update", "delete" -> {
                Condition retained = "update".equals(event)
                        ? DSL.exists(DSL.selectOne()
                                        .from(DSL.table(DSL.name("old_rows")))
                                        .where(oldCreatedAt.lt(boundary)))
                                .or(DSL.exists(DSL.selectOne()
                                        .from(DSL.table(DSL.name("new_rows")))
                                        .where(newCreatedAt.lt(boundary))))
                        : DSL.exists(DSL.selectOne()
                                .from(DSL.table(DSL.name("old_rows")))
                                .where(oldCreatedAt.lt(boundary)));
                statements.add("IF " + tx.renderInlined(retained) + " THEN\nRAISE EXCEPTION '%', "
                        + tx.renderInlined(DSL.inline("Rows created before the retention boundary cannot be "
                                + ("update".equals(event) ? "updated" : "deleted")
                                + ": retention dropped the other rows of their months, and the rollups keep "
                                + "those months as they were (docs/partitioning.md)"))
                        + ";\nEND IF;");
                statements.add(tx.renderInlined(
                                "update".equals(event)
                                        ? tx.insertInto(ChangeLog.TABLE, ChangeLog.TABLE.quarterHour)
                                                .select(quarterHours("old_rows").union(quarterHours("new_rows")))
                                        : record(tx, "old_rows", DSL.noCondition()))
                        + ";");
            }
            default -> {
                RollupTable.ALL.forEach(table -> statements.add(tx.renderInlined(tx.deleteFrom(table)) + ";"));
                statements.add(tx.renderInlined(tx.deleteFrom(ChangeLog.TABLE)) + ";");
                statements.add(tx.renderInlined(tx.deleteFrom(NewRows.TABLE)) + ";");
            }
        }
        return "\nBEGIN\n" + String.join("\n", statements) + "\nRETURN NULL;\nEND\n";
    }

    /** The quarter hours of the inserted rows, each entry marked as an insert alone: its rows come in {@link NewRows}. */
    private static Query recordInserts(DSLContext tx, Condition rows) {
        ChangeLog changes = ChangeLog.TABLE;
        return tx.insertInto(changes, changes.quarterHour, changes.recompute)
                .select(DSL.selectDistinct(quarterHour("new_rows"), DSL.inline(false))
                        .from(DSL.table(DSL.name("new_rows")))
                        .where(rows));
    }

    /** The inserted rows' columns the rollups read, into {@link NewRows}. */
    private static Query copyNewRows(DSLContext tx, Condition rows) {
        LedgerRows inserted = LedgerRows.named("new_rows");
        return tx.insertInto(NewRows.TABLE, NewRows.TABLE.fields())
                .select(DSL.select(NewRows.LEDGER_COLUMNS.stream()
                                .map(inserted::column)
                                .toList())
                        .from(DSL.table(DSL.name("new_rows")))
                        .where(rows));
    }

    private static Query record(DSLContext tx, String transitionTable, Condition rows) {
        return tx.insertInto(ChangeLog.TABLE, ChangeLog.TABLE.quarterHour)
                .select(quarterHours(transitionTable).where(rows));
    }

    /** The quarter hours a transition table's rows fall in. */
    private static SelectWhereStep<Record1<Instant>> quarterHours(String transitionTable) {
        return DSL.selectDistinct(quarterHour(transitionTable)).from(DSL.table(DSL.name(transitionTable)));
    }

    /** The quarter hour each row of a transition table falls in. */
    private static Field<Instant> quarterHour(String transitionTable) {
        return Grain.QUARTER_HOUR.bucketStart(LedgerRows.named(transitionTable).column(TOKEN_USAGE_LEDGER.CREATED_AT));
    }

    /** Whether the ledger has rollup triggers: whether the rollups were ever built. */
    public boolean hasTriggers(DSLContext tx) {
        return !installedTriggers(tx).isEmpty();
    }

    /** The names of the rollup triggers that exist on the ledger. */
    private List<String> installedTriggers(DSLContext tx) {
        return tx.resultQuery(
                        "SELECT tgname FROM pg_catalog.pg_trigger WHERE tgrelid = {0}::regclass AND tgname ~ '^rollup_(after|row)_'",
                        DSL.inline(tx.render(TOKEN_USAGE_LEDGER)))
                .fetch(0, String.class);
    }

    /** DDL the SQL builder has no syntax for, sent as it is: its names are rendered by jOOQ, the rest is fixed text. */
    private static void execute(DSLContext tx, String ddl) {
        tx.connection(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(ddl);
            }
        });
    }

    /**
     * The time a refresh or build is recorded at: when the statement recording it started, near
     * the end of its transaction. Citus refuses a volatile function such as {@code clock_timestamp()}
     * in an update of a reference table.
     */
    private static Field<Instant> now() {
        return DSL.field("statement_timestamp()", SQLDataType.INSTANT);
    }
}
