package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One load run on a fresh database: seeds the ledger, builds the rollups (refresh mode), runs the
 * readers alone, then with the writers and a scheduled refresh, then without refresh for the
 * backlog and one refresh of it; stops everything and checks the answers and the counts.
 */
final class LoadRun {

    private final LoadPlan plan;
    private final PrintStream progress;

    LoadRun(LoadPlan plan, PrintStream progress) {
        this.plan = plan;
        this.progress = progress;
    }

    LoadResult run() throws InterruptedException {
        long start = System.nanoTime();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (TestDatabase database = TestDatabase.migrated(BenchLedger.INDEXED)) {
            BenchLedger ledger =
                    new BenchLedger(database.dataSource(), started.truncatedTo(ChronoUnit.HOURS), Layout.PARTITIONED);
            log("seeding");
            SeedResult seed = ledger.seed(plan.rows(), BenchLedger.tenths(plan.rows(), this::log));
            String url = database.jdbcUrl();
            Rollups rollups = Rollups.create(LoadRole.REFRESH.dataSource(url)).withSchema(BenchLedger.INDEXED);
            log("building the rollups");
            RefreshResult build = rollups.refresh();
            log("VACUUM ANALYZE until all-visible");
            ledger.settle(BenchLedger.INDEXED);
            ledger.enableAutovacuum();
            DataSource monitor = LoadRole.MONITOR.dataSource(url);
            OtherProcesses others = new OtherProcesses(serverPid(monitor));
            Map<Phase, OtherProcesses.Snapshot> cpu = new EnumMap<>(Phase.class);
            LoadRecorder recorder = new LoadRecorder();
            try (Workload workload = new Workload(url, recorder)) {
                workload.startSampler();
                others.snapshot().ifPresent(s -> cpu.put(Phase.IDLE, s));
                log("readers alone for " + LoadPlan.shown(plan.idle()));
                workload.startReaders(plan.readers(), plan.ranges());
                Thread.sleep(plan.idle().toMillis());
                workload.prepareWriters(plan, providerIds(monitor));

                recorder.enter(Phase.LOAD);
                others.snapshot().ifPresent(s -> cpu.put(Phase.LOAD, s));
                log("readers, writers and a refresh every " + LoadPlan.shown(plan.refreshEvery()) + " for "
                        + LoadPlan.shown(plan.duration()));
                workload.startWriters();
                workload.startRefreshes(rollups, plan.refreshEvery());
                Thread.sleep(plan.duration().toMillis());
                recorder.enter(Phase.EXPLAIN);
                others.snapshot().ifPresent(s -> cpu.put(Phase.EXPLAIN, s));
                log("explaining every query under load");
                List<LoadResult.Explained> underLoad = explainUnderLoad(monitor);
                workload.stopRefreshes();

                recorder.enter(Phase.BACKLOG);
                others.snapshot().ifPresent(s -> cpu.put(Phase.BACKLOG, s));
                log("readers and writers without refresh for " + LoadPlan.shown(plan.backlog()));
                Thread.sleep(plan.backlog().toMillis());
                long backlogRows = recorder.insertCount(Phase.BACKLOG);
                RefreshResult backlog = rollups.refresh();
                workload.stopWriters();
                workload.stopReaders();
                recorder.finish();
                Optional<OtherProcesses.Snapshot> finished = others.snapshot();
                workload.stopSampler();

                log("checking the answers with writes pending, then after a final refresh");
                LoadChecks checks = new LoadChecks(monitor);
                Instant to = Instant.now();
                long pending = rollups.status().pendingQuarterHours();
                LoadChecks.Answers whilePending = checks.answers(plan.ranges(), to);
                rollups.refresh();
                LoadChecks.Answers refreshed = checks.answers(plan.ranges(), to);
                log("counting every row");
                LoadChecks.Rows rows = checks.rows(seed.rows(), workload.insertedByWriter());
                LoadChecks.Counts counts = checks.counts();
                return new LoadResult(
                        started,
                        seed,
                        build,
                        phases(recorder),
                        otherCores(cpu, finished),
                        reads(recorder),
                        new LoadResult.Writes(
                                plan.insertRate(),
                                recorder.insertCount(Phase.LOAD),
                                recorder.lateCount(Phase.LOAD),
                                recorder.length(Phase.LOAD),
                                recorder.inserts(Phase.LOAD)),
                        recorder.refreshes().stream()
                                .filter(refresh -> refresh.phase() == Phase.LOAD)
                                .toList(),
                        backlog,
                        backlogRows,
                        timeline(recorder),
                        workload.activity(),
                        underLoad,
                        pending,
                        whilePending,
                        refreshed,
                        rows,
                        counts,
                        failures(recorder),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /**
     * Every query over every range, through the rollups, explained with ANALYZE while the load
     * runs: how long each statement takes and how many ledger rows it reads then.
     */
    private List<LoadResult.Explained> explainUnderLoad(DataSource monitor) {
        List<LoadResult.Explained> explained = new ArrayList<>();
        try (Connection connection = monitor.getConnection()) {
            for (QueryRange range : plan.ranges()) {
                Instant now = Instant.now();
                LedgerFilter filter = LedgerFilter.between(now.minus(range.duration()), now);
                for (DashboardQuery query : DashboardQuery.values()) {
                    List<String> statements =
                            BenchLedger.statements(connection, BenchLedger.INDEXED, false, query, filter);
                    double millis = 0;
                    long ledgerRows = 0;
                    for (String statement : statements) {
                        try (Statement explain = connection.createStatement();
                                ResultSet rs = explain.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)) {
                            rs.next();
                            PlanSummary.Analyzed analyzed = PlanSummary.analyzed(connection, rs.getString(1));
                            millis += analyzed.millis();
                            ledgerRows += analyzed.ledgerRows();
                        }
                    }
                    explained.add(new LoadResult.Explained(query, range, statements.size(), millis, ledgerRows));
                }
            }
        } catch (SQLException e) {
            throw new AnalyticsException("Explaining the queries under load failed", e);
        }
        return explained;
    }

    private List<LoadResult.Reads> reads(LoadRecorder recorder) {
        List<LoadResult.Reads> reads = new ArrayList<>();
        for (DashboardQuery query : DashboardQuery.values()) {
            for (QueryRange range : plan.ranges()) {
                reads.add(new LoadResult.Reads(
                        query,
                        range,
                        recorder.reads(new LoadRecorder.Cell(Phase.IDLE, query, range)),
                        recorder.reads(new LoadRecorder.Cell(Phase.LOAD, query, range)),
                        recorder.reads(new LoadRecorder.Cell(Phase.BACKLOG, query, range)),
                        recorder.answeredByLedger(new LoadRecorder.Cell(Phase.LOAD, query, range))));
            }
        }
        return reads;
    }

    /** Minute by minute, the refreshes of the explain phase included. */
    private static List<LoadResult.Minute> timeline(LoadRecorder recorder) {
        Map<Integer, Long> inserts = recorder.insertsByMinute();
        List<LoadRecorder.Refresh> refreshes = recorder.refreshes();
        Duration writing =
                recorder.length(Phase.LOAD).plus(recorder.length(Phase.EXPLAIN)).plus(recorder.length(Phase.BACKLOG));
        List<LoadResult.Minute> minutes = new ArrayList<>();
        for (int minute = 0; minute * 60L < writing.toSeconds(); minute++) {
            int m = minute;
            List<LoadRecorder.Refresh> in =
                    refreshes.stream().filter(r -> r.minute() == m).toList();
            Duration length = writing.minusMinutes(minute);
            minutes.add(new LoadResult.Minute(
                    minute,
                    length.compareTo(Duration.ofMinutes(1)) < 0 ? length : Duration.ofMinutes(1),
                    inserts.getOrDefault(minute, 0L),
                    recorder.readsIn(minute),
                    in.size(),
                    in.stream()
                            .map(LoadRecorder.Refresh::took)
                            .max(Duration::compareTo)
                            .orElse(null),
                    in.stream().mapToLong(LoadRecorder.Refresh::pending).max().orElse(0)));
        }
        return minutes;
    }

    private static Map<Phase, Duration> phases(LoadRecorder recorder) {
        Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            phases.put(phase, recorder.length(phase));
        }
        return phases;
    }

    private static Map<Phase, Double> otherCores(
            Map<Phase, OtherProcesses.Snapshot> starts, Optional<OtherProcesses.Snapshot> finished) {
        Map<Phase, Double> cores = new EnumMap<>(Phase.class);
        Phase[] phases = Phase.values();
        for (int i = 0; i < phases.length; i++) {
            OtherProcesses.Snapshot from = starts.get(phases[i]);
            OtherProcesses.Snapshot to = finished.orElse(null);
            for (int next = i + 1; next < phases.length; next++) {
                if (starts.containsKey(phases[next])) {
                    to = starts.get(phases[next]);
                    break;
                }
            }
            if (from != null && to != null) {
                cores.put(phases[i], to.otherCoresSince(from));
            }
        }
        return cores;
    }

    static List<LoadResult.Failure> failures(LoadRecorder recorder) {
        List<LoadResult.Failure> failures = new ArrayList<>();
        for (LoadRole role : LoadRole.values()) {
            if (recorder.failures(role) > 0) {
                failures.add(new LoadResult.Failure(role, recorder.failures(role), recorder.failureMessages(role)));
            }
        }
        return failures;
    }

    private static long serverPid(DataSource monitor) {
        try (Connection connection = monitor.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AnalyticsException("Asking the server for its process id failed", e);
        }
    }

    /** The seeded providers' ids, which every inserted row refers to. */
    static Map<String, UUID> providerIds(DataSource monitor) {
        Map<String, UUID> ids = new HashMap<>();
        try (Connection connection = monitor.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT slug, id FROM " + BenchLedger.INDEXED + ".providers")) {
            while (rs.next()) {
                ids.put(rs.getString(1), rs.getObject(2, UUID.class));
            }
        } catch (SQLException e) {
            throw new AnalyticsException("Reading the seeded providers failed", e);
        }
        return ids;
    }

    private void log(String step) {
        progress.printf(Locale.ROOT, "[%tT] load, %s rows: %s%n", System.currentTimeMillis(), plan.rows(), step);
    }
}
