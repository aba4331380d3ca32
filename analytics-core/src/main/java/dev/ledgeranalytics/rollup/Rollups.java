package dev.ledgeranalytics.rollup;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.rollup.internal.RollupMaintenance;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Builds and maintains the rollup tables that let {@link dev.ledgeranalytics.query.AnalyticsQueries}
 * answer long ranges in milliseconds. Nothing changes for the queries' callers: once the rollups
 * are built, every query reads whole clean buckets from them and the rest of its range from the
 * ledger, with answers identical to reading the ledger alone (the cost distribution's
 * percentiles aside, which are then within 1 % of the exact ones).
 *
 * <pre>{@code
 * Rollups rollups = Rollups.create(dataSource);
 * rollups.refresh();                  // the first call builds them from the whole ledger
 * scheduler.scheduleWithFixedDelay(rollups::refresh, 1, 1, TimeUnit.MINUTES);
 * }</pre>
 *
 * <p>Answers never depend on how recent the last refresh is: writes record the quarter hours
 * they touch in the writer's own transaction, and until a refresh has applied them, queries read
 * those quarter hours from the ledger. A refresh only keeps that share small. Late rows, updates
 * and deletes are recorded like any other write.
 *
 * <p>Refreshes and builds run one at a time (a PostgreSQL advisory lock per schema), each in one
 * REPEATABLE READ transaction, so a query sees a bucket either before or after a refresh, never
 * half-way. A build installs the ledger's rollup triggers, so it needs the privileges of the
 * ledger's owner; the triggers then run with the owner's rights, and the ledger's writers need
 * nothing beyond their own privileges on it. Refreshes need write access to the rollup tables.
 *
 * <p>Run them against the primary. On a hot standby (a streaming read replica) every method but
 * {@link #status()} fails at once with an {@link AnalyticsException} saying so, before taking any
 * lock; the replica receives the rollups through replication, and queries there read them as of
 * the replica's snapshot.
 *
 * <p>On a ledger distributed by Citus ({@code AnalyticsMigrations.distributeOverCitus()}), run
 * them against the coordinator. There the build installs row-level triggers that record each
 * write on its worker, only {@link RollupMode#REFRESH} is taken, and a {@code TRUNCATE} of the
 * ledger is not recorded: call {@link #rebuild()} after one (docs/scale-out.md).
 *
 * <p>A refresh that fails (the database unreachable, say) throws {@link AnalyticsException} and
 * changes nothing; a task scheduled with {@code scheduleWithFixedDelay} stops at its first
 * exception, so a host that wants refreshes to outlive a database outage catches it in the task.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Rollups {

    private final DataSource dataSource;
    private final RollupMaintenance maintenance;

    private Rollups(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.maintenance = new RollupMaintenance(LedgerDsl.using(dataSource, schema), schema);
    }

    /**
     * The rollups of the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema.
     *
     * @param dataSource connections to the host's database
     * @return the rollups
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static Rollups create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new Rollups(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * A copy for the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public Rollups withSchema(String schema) {
        AnalyticsMigrations.requireSchemaName(schema);
        return new Rollups(dataSource, schema);
    }

    /**
     * Applies the writes recorded since the last refresh; builds the rollups from the whole
     * ledger if they have never been built. Idempotent: a refresh with nothing recorded only
     * notes the time. Waits for a refresh running elsewhere to finish first.
     *
     * @return what was recomputed
     * @throws AnalyticsException if the database fails or is a hot standby
     */
    public RefreshResult refresh() {
        return timed(maintenance::refresh);
    }

    /**
     * Like {@link #refresh()}, unless a refresh or build of the same schema is running (in any
     * process): then nothing at once. For a schedule on many instances, where one refresh at a
     * time is enough.
     *
     * <pre>{@code
     * scheduler.scheduleWithFixedDelay(() -> rollups.tryRefresh(), 1, 1, TimeUnit.MINUTES);
     * }</pre>
     *
     * @return what was recomputed, or empty if another refresh was running
     * @throws AnalyticsException if the database fails or is a hot standby
     */
    public Optional<RefreshResult> tryRefresh() {
        long start = System.nanoTime();
        return maintenance.tryRefresh().map(outcome -> result(outcome, start));
    }

    /**
     * Builds the rollups again from the whole ledger, whatever their state: after restoring a
     * backup of the ledger alone, say. Concurrent writes are kept: those the build does not see
     * stay recorded for the next refresh.
     *
     * @return what was recomputed
     * @throws AnalyticsException if the database fails or is a hot standby
     */
    public RefreshResult rebuild() {
        return timed(maintenance::rebuild);
    }

    /**
     * Chooses how writes reach the rollups; takes effect for statements that start afterwards.
     *
     * @param mode the mode
     * @throws IllegalArgumentException if {@code mode} is {@code null}
     * @throws AnalyticsException       if the database fails or is a hot standby
     */
    public void mode(RollupMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        maintenance.mode(mode.name().toLowerCase(Locale.ROOT));
    }

    /**
     * Stops maintaining the rollups: disables the ledger's rollup triggers and empties the
     * rollup tables. Queries read the ledger alone until the next {@link #refresh()} or
     * {@link #rebuild()}.
     *
     * @throws AnalyticsException if the database fails or is a hot standby
     */
    public void disable() {
        maintenance.disable();
    }

    /**
     * The rollups' state. It only reads, so it works on a hot standby too, where it reports the
     * state the replica has replayed.
     *
     * @return the state
     * @throws AnalyticsException if the database fails
     */
    public RollupStatus status() {
        RollupMaintenance.State state = maintenance.state();
        return new RollupStatus(
                state.builtAt(),
                state.refreshedAt(),
                RollupMode.valueOf(state.mode().toUpperCase(Locale.ROOT)),
                state.pendingQuarterHours(),
                state.oldestPendingChangeAt(),
                state.retainedFrom());
    }

    private static RefreshResult timed(Supplier<RollupMaintenance.Outcome> work) {
        long start = System.nanoTime();
        return result(work.get(), start);
    }

    private static RefreshResult result(RollupMaintenance.Outcome outcome, long start) {
        return new RefreshResult(
                outcome.rebuilt(), outcome.quarterHours(), Duration.ofNanos(System.nanoTime() - start));
    }
}
