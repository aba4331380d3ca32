package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.LedgerRows;
import dev.ledgeranalytics.internal.Transactions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record5;
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
     */
    public record State(
            Instant builtAt,
            Instant refreshedAt,
            String mode,
            long pendingQuarterHours,
            Instant oldestPendingChangeAt) {}

    /**
     * What a refresh or build did.
     *
     * @param rebuilt      whether the rollups were built from the whole ledger
     * @param quarterHours how many quarter hours were summed again
     */
    public record Outcome(boolean rebuilt, long quarterHours) {}

    private static final List<String> EVENTS = List.of("insert", "update", "delete", "truncate");

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
        transactions.onConnection(
                "Setting the rollup mode",
                tx -> tx.update(state).set(state.mode, mode).execute());
    }

    /** Disables the ledger's rollup triggers and empties the rollups, so that queries read the ledger alone. */
    public void disable() {
        locked("Disabling the rollups", true, false, connection -> {
            Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                for (String trigger : installedTriggers(tx)) {
                    execute(tx, "ALTER TABLE " + tx.render(TOKEN_USAGE_LEDGER) + " DISABLE TRIGGER " + trigger);
                }
                RollupTable.ALL.forEach(table -> tx.deleteFrom(table).execute());
                tx.deleteFrom(ChangeLog.TABLE).execute();
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
        Record5<Instant, Instant, String, Integer, Instant> row = transactions.read(
                "Reading the rollup state",
                tx -> tx.select(
                                state.builtAt,
                                state.refreshedAt,
                                state.mode,
                                DSL.field(DSL.select(DSL.countDistinct(changes.quarterHour))
                                        .from(changes)),
                                DSL.field(
                                        DSL.select(DSL.min(changes.recordedAt)).from(changes)))
                        .from(state)
                        .fetchSingle());
        return new State(row.value1(), row.value2(), row.value3(), row.value4(), row.value5());
    }

    private Outcome refreshHoldingLock(DSLContext connection) {
        StateTable state = StateTable.TABLE;
        boolean built =
                connection.select(state.builtAt).from(state).fetchSingle().value1() != null;
        if (!built) {
            return build(connection);
        }
        long quarterHours = Transactions.inTransaction(connection, Connection.TRANSACTION_REPEATABLE_READ, tx -> {
            // Only the entries this snapshot sees: those written later stay for the next refresh.
            List<Instant> changed = tx
                    .deleteFrom(ChangeLog.TABLE)
                    .returning(ChangeLog.TABLE.quarterHour)
                    .fetch(ChangeLog.TABLE.quarterHour)
                    .stream()
                    .distinct()
                    .toList();
            if (!changed.isEmpty()) {
                RollupUpkeep.recompute(tx, changed).forEach(Query::execute);
            }
            tx.update(state).set(state.refreshedAt, now()).execute();
            return (long) changed.size();
        });
        return new Outcome(false, quarterHours);
    }

    /**
     * Builds from the whole ledger. The triggers must be installed, by {@link #installTriggers},
     * before: so every write either committed before the build's snapshot (and the build sees it)
     * or is recorded.
     */
    private Outcome build(DSLContext connection) {
        long quarterHours = Transactions.inTransaction(connection, Connection.TRANSACTION_REPEATABLE_READ, tx -> {
            tx.deleteFrom(ChangeLog.TABLE).execute();
            RollupUpkeep.build(tx).forEach(Query::execute);
            StateTable state = StateTable.TABLE;
            tx.update(state)
                    .set(state.builtAt, now())
                    .set(state.refreshedAt, now())
                    .execute();
            RollupTable status = RollupTable.STATUS;
            return tx.select(DSL.countDistinct(status.bucketStart))
                    .from(status)
                    .where(status.grain.eq(Grain.QUARTER_HOUR.code()))
                    .fetchSingle()
                    .value1()
                    .longValue();
        });
        return new Outcome(true, quarterHours);
    }

    /**
     * Runs {@code work} on one connection holding this schema's rollup lock; empty if not waiting
     * and it is taken. When {@code install}ing, the ledger's triggers are brought up to date first, outside that lock:
     * replacing a trigger waits for the ledger's writers of the moment, and a trigger-mode writer
     * may be waiting for the rollup lock, so holding it then would deadlock.
     */
    private Optional<Outcome> locked(String what, boolean wait, boolean install, Function<DSLContext, Outcome> work) {
        return transactions.onConnection(what, connection -> {
            if (install && !triggersUpToDate(connection)) {
                Transactions.inTransaction(connection, Connection.TRANSACTION_READ_COMMITTED, tx -> {
                    // One installer at a time: concurrent replacements of a function fail.
                    tx.select(DSL.function("pg_advisory_xact_lock", Object.class, lockKey("triggers")))
                            .fetch();
                    installTriggers(tx);
                    return null;
                });
            }
            if (wait) {
                connection
                        .select(DSL.function("pg_advisory_lock", Object.class, lockKey("rollups")))
                        .fetch();
            } else if (!connection
                    .select(DSL.function("pg_try_advisory_lock", Boolean.class, lockKey("rollups")))
                    .fetchSingle()
                    .value1()) {
                return Optional.empty();
            }
            try {
                return Optional.of(work.apply(connection));
            } finally {
                connection
                        .select(DSL.function("pg_advisory_unlock", Boolean.class, lockKey("rollups")))
                        .fetch();
            }
        });
    }

    /**
     * The key of one of this schema's advisory locks: {@code rollups}, which refreshes, builds and
     * trigger-mode writers take, or {@code triggers}, which installers take.
     */
    private Field<Long> lockKey(String purpose) {
        return DSL.function(
                "hashtextextended",
                SQLDataType.BIGINT,
                DSL.inline("ledger-analytics " + purpose + " " + schema),
                DSL.inline(0));
    }

    /**
     * Whether the ledger's four triggers exist, are enabled, and run this library version's
     * functions: then a build need not replace them.
     */
    private boolean triggersUpToDate(DSLContext tx) {
        Map<String, String> installed = tx
                .resultQuery(
                        "SELECT t.tgname, p.prosrc FROM pg_catalog.pg_trigger t"
                                + " JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
                                + " WHERE t.tgrelid = {0}::regclass AND t.tgname LIKE 'rollup\\_after\\_%'"
                                + " AND t.tgenabled = 'O'",
                        DSL.inline(tx.render(TOKEN_USAGE_LEDGER)))
                .fetchMap(0, 1)
                .entrySet()
                .stream()
                .collect(Collectors.toMap(e -> (String) e.getKey(), e -> (String) e.getValue()));
        return EVENTS.stream().allMatch(event -> body(tx, event).equals(installed.get("rollup_after_" + event)));
    }

    /**
     * Creates or replaces the ledger's four statement-level triggers and their functions. The
     * functions run with the rights of the role that installs them (SECURITY DEFINER), with a
     * search path of the system catalog alone and every name qualified, so that a writer needs
     * nothing but its own privileges on the ledger.
     */
    private void installTriggers(DSLContext tx) {
        String ledger = tx.render(TOKEN_USAGE_LEDGER);
        for (String event : EVENTS) {
            String trigger = "rollup_after_" + event;
            String function = tx.render(DSL.name(schema, trigger));
            execute(
                    tx,
                    "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                            + " SET search_path = pg_catalog, pg_temp AS $body$" + body(tx, event) + "$body$");
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
        List<String> statements = new ArrayList<>();
        switch (event) {
            case "insert" -> {
                StateTable state = StateTable.TABLE;
                statements.add("IF "
                        + tx.renderInlined(DSL.field(DSL.select(state.mode).from(state))
                                .ne("trigger")
                                .or(DSL.function("current_setting", String.class, DSL.inline("transaction_isolation"))
                                        .ne("read committed")))
                        + " THEN\n" + tx.renderInlined(record(tx, "new_rows")) + ";\nRETURN NULL;\nEND IF;");
                statements.add("PERFORM "
                        + tx.renderInlined(DSL.function("pg_advisory_xact_lock", Object.class, lockKey("rollups")))
                        + ";");
                RollupUpkeep.upserts(tx, "new_rows").forEach(query -> statements.add(tx.renderInlined(query) + ";"));
            }
            case "update" ->
                statements.add(tx.renderInlined(tx.insertInto(ChangeLog.TABLE, ChangeLog.TABLE.quarterHour)
                                .select(quarterHours("old_rows").union(quarterHours("new_rows"))))
                        + ";");
            case "delete" -> statements.add(tx.renderInlined(record(tx, "old_rows")) + ";");
            default -> {
                RollupTable.ALL.forEach(table -> statements.add(tx.renderInlined(tx.deleteFrom(table)) + ";"));
                statements.add(tx.renderInlined(tx.deleteFrom(ChangeLog.TABLE)) + ";");
            }
        }
        return "\nBEGIN\n" + String.join("\n", statements) + "\nRETURN NULL;\nEND\n";
    }

    private static Query record(DSLContext tx, String transitionTable) {
        return tx.insertInto(ChangeLog.TABLE, ChangeLog.TABLE.quarterHour).select(quarterHours(transitionTable));
    }

    /** The quarter hours a transition table's rows fall in. */
    private static org.jooq.Select<org.jooq.Record1<Instant>> quarterHours(String transitionTable) {
        return DSL.selectDistinct(Grain.QUARTER_HOUR.bucketStart(
                        LedgerRows.named(transitionTable).column(TOKEN_USAGE_LEDGER.CREATED_AT)))
                .from(DSL.table(DSL.name(transitionTable)));
    }

    /** The names of the rollup triggers that exist on the ledger. */
    private List<String> installedTriggers(DSLContext tx) {
        return tx.resultQuery(
                        "SELECT tgname FROM pg_catalog.pg_trigger WHERE tgrelid = {0}::regclass AND tgname LIKE 'rollup\\_after\\_%'",
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

    private static Field<Instant> now() {
        return DSL.field("clock_timestamp()", SQLDataType.INSTANT);
    }
}
