package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.testkit.SeedResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one load run measured and checked.
 *
 * @param started        when it started
 * @param seed           the seeder's load of the ledger
 * @param build          building the rollups from the seeded ledger
 * @param phases         how long each phase lasted
 * @param otherCores     cores kept busy on average by other processes of the machine, per phase,
 *                       where the system says so
 * @param reads          per query and range, the readers' latencies in each phase
 * @param writes         what the writers achieved
 * @param refreshes      the scheduled refreshes under load, in order
 * @param backlog        the one refresh of the writes made while no refresh ran
 * @param backlogRows    rows written while no refresh ran, before that refresh started
 * @param timeline       per minute since the writers started
 * @param activity       what the server processes were seen doing, per phase and role
 * @param underLoad      the statements of every query and range, explained with ANALYZE at the
 *                       end of the load phase, while readers, writers and refreshes ran
 * @param pendingAtCheck quarter hours with writes no refresh had applied at the first check
 * @param whilePending   the answers compared before the final refresh
 * @param refreshed      the answers compared after it
 * @param rows           the ledger's rows against what was written
 * @param counts         the rollups' counts against the ledger's
 * @param failures       the roles that failed, with how often and why
 * @param wallTime       the whole run, seeding included
 */
record LoadResult(
        Instant started,
        SeedResult seed,
        RefreshResult build,
        Map<Phase, Duration> phases,
        Map<Phase, Double> otherCores,
        List<Reads> reads,
        Writes writes,
        List<LoadRecorder.Refresh> refreshes,
        RefreshResult backlog,
        long backlogRows,
        List<Minute> timeline,
        Map<ActivitySampler.Key, Long> activity,
        List<Explained> underLoad,
        long pendingAtCheck,
        LoadChecks.Answers whilePending,
        LoadChecks.Answers refreshed,
        LoadChecks.Rows rows,
        LoadChecks.Counts counts,
        List<Failure> failures,
        Duration wallTime) {

    /** The writers' achieved rate that counts as on target: what pacing and start-up cost, no more. */
    static final double ON_TARGET = 0.99;

    /** The longest a refresh of a minute of writes may take. */
    static final Duration MINUTE_REFRESH_TARGET = Duration.ofSeconds(1);

    /** The most reader p95 under load may grow over idle. */
    static final double P95_GROWTH_TARGET = 2.0;

    /**
     * One query over one range.
     *
     * @param query          the query
     * @param range          its range, ending when the dashboard load started
     * @param idle           latencies with the readers alone
     * @param load           latencies under load
     * @param backlog        latencies while no refresh ran
     * @param loadByLedger   queries under load answered by the ledger alone (none, once the rollups are built)
     */
    record Reads(DashboardQuery query, QueryRange range, Timing idle, Timing load, Timing backlog, long loadByLedger) {

        /** p95 under load over p95 idle. */
        double growth() {
            return idle == null || load == null ? Double.NaN : load.p95() / Math.max(1e-9, idle.p95());
        }
    }

    /**
     * The writers in the load phase.
     *
     * @param target   rows per second aimed at
     * @param inserted rows inserted and committed
     * @param late     of which late rows
     * @param length   how long the phase lasted
     * @param latency  single-row INSERT latency
     */
    record Writes(int target, long inserted, long late, Duration length, Timing latency) {

        double achieved() {
            return inserted / Math.max(1e-9, length.toNanos() / 1e9);
        }

        boolean onTarget() {
            return achieved() >= ON_TARGET * target;
        }
    }

    /**
     * One minute of the run since the writers started.
     *
     * @param minute     its index
     * @param length     how much of it the run lasted: the last minute may be cut short
     * @param inserts    rows inserted in it
     * @param reads      every query's latency in it
     * @param refreshes  scheduled refreshes started in it
     * @param slowest    the slowest of those, or {@code null}
     * @param maxPending the most quarter hours one of them found pending
     */
    record Minute(
            int minute, Duration length, long inserts, Timing reads, int refreshes, Duration slowest, long maxPending) {

        double insertsPerSecond() {
            return inserts / Math.max(1e-9, length.toNanos() / 1e9);
        }
    }

    /**
     * One query's statements explained with ANALYZE under load.
     *
     * @param query      the query
     * @param range      the range
     * @param statements how many statements it sends
     * @param millis     their execution time
     * @param ledgerRows ledger rows they read
     */
    record Explained(DashboardQuery query, QueryRange range, int statements, double millis, long ledgerRows) {}

    /**
     * Failures of one role.
     *
     * @param role  who failed
     * @param count how many times
     * @param first the first few failures' messages
     */
    record Failure(LoadRole role, long count, List<String> first) {

        /** As the reports print it: {@code 3 failures of the writers, first: [...]}. */
        @Override
        public String toString() {
            return count + " failures of the " + role + ", first: " + first;
        }
    }

    /** The query and range whose p95 grew most under load. */
    Optional<Reads> worstGrowth() {
        return reads.stream().filter(r -> !Double.isNaN(r.growth())).max(Comparator.comparingDouble(Reads::growth));
    }

    long failureCount() {
        return failures.stream().mapToLong(Failure::count).sum();
    }

    /** Whether every inserted row is in the ledger once and counted once by every rollup table and grain. */
    boolean rowsCountedOnce() {
        return rows.expected() == rows.inLedger()
                && rows.writersMiscounted() == 0
                && counts.differing().isEmpty();
    }

    boolean answersAgree() {
        return whilePending.differences().isEmpty() && refreshed.differences().isEmpty();
    }

    /** No failures and every check passed: what a run must achieve whatever the machine's speed. */
    boolean correct() {
        return failureCount() == 0 && rowsCountedOnce() && answersAgree();
    }
}
