package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.partition.ConversionResult;
import dev.ledgeranalytics.partition.Partitions;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * {@link Partitions#convert()} of a seeded, unpartitioned ledger with built rollups while the load
 * run's writers insert and its readers load the dashboard ({@link Workload}): the plan's
 * {@code duration} of load before the conversion ({@link Phase#LOAD}), the conversion
 * ({@link Phase#CONVERSION}), and as long again after it ({@link Phase#CONVERTED}). Then the load
 * run's checks, and the dashboard's answers over the seeded year from the ledger alone against
 * those before the load: the writers' rows are all created after it, so nothing may have changed.
 */
final class ConversionUnderLoad {

    /** The phases of a conversion under load, in order. */
    static final List<Phase> PHASES = List.of(Phase.LOAD, Phase.CONVERSION, Phase.CONVERTED);

    private final String jdbcUrl;
    private final LoadPlan plan;
    private final Clock clock;

    /**
     * @param jdbcUrl the database whose ledger to convert
     * @param plan    the readers, writers (late rows: none), {@code duration} and one range of the load
     * @param clock   the conversion's "now", for the months ahead it creates
     */
    ConversionUnderLoad(String jdbcUrl, LoadPlan plan, Clock clock) {
        if (plan.ranges().size() != 1) {
            throw new IllegalArgumentException("plan must have one range, but has " + plan.ranges());
        }
        if (plan.latePercent() != 0) {
            throw new IllegalArgumentException(
                    "late rows would change the seeded year's answers, but the plan has " + plan.latePercent() + " %");
        }
        this.jdbcUrl = jdbcUrl;
        this.plan = plan;
        this.clock = clock;
    }

    /**
     * One conversion under load, and what it left.
     *
     * @param result        what {@code convert()} returned: its elapsed time and the longest time
     *                      it held writers back, as it measured them
     * @param walBytes      WAL written while it ran, the writers' included
     * @param writes        the writers' INSERT latency per phase; a phase without any is absent
     * @param inserted      rows inserted per phase
     * @param reads         the readers' latency per query and phase; a phase without any is absent
     * @param failures      the roles that failed, with how often and why
     * @param rows          the ledger's rows against the seeded ones and every one the writers saw
     *                      committed, and each writer's against its own count
     * @param doubledIds    ids held by more than one row
     * @param unchanged     the dashboard's answers over the seeded year compared with those before
     * @param rollups       every query through the rollups against the ledger alone, after a refresh
     * @param counts        the rollups' counts per bucket against the ledger's
     * @param storageBefore the unpartitioned ledger's footprint
     * @param storageAfter  the partitioned ledger's footprint
     */
    record Figures(
            ConversionResult result,
            long walBytes,
            Map<Phase, Timing> writes,
            Map<Phase, Long> inserted,
            Map<DashboardQuery, Map<Phase, Timing>> reads,
            List<LoadResult.Failure> failures,
            LoadChecks.Rows rows,
            long doubledIds,
            LoadChecks.Answers unchanged,
            LoadChecks.Answers rollups,
            LoadChecks.Counts counts,
            LedgerStorage storageBefore,
            LedgerStorage storageAfter) {

        /** Whether every row is there once: the seeded ones and every one the writers saw committed. */
        boolean nothingLostOrDoubled() {
            return rows.inLedger() == rows.expected() && rows.writersMiscounted() == 0 && doubledIds == 0;
        }

        /** Whether nothing failed, no row was lost or doubled, and every answer held. */
        boolean correct() {
            return failures.isEmpty()
                    && nothingLostOrDoubled()
                    && unchanged.differences().isEmpty()
                    && rollups.differences().isEmpty()
                    && counts.differing().isEmpty();
        }
    }

    /**
     * Converts the ledger of {@code ledger} under load.
     *
     * @param seeded the rows seeded into it
     */
    Figures run(BenchLedger ledger, long seeded) throws InterruptedException {
        DataSource monitor = LoadRole.MONITOR.dataSource(jdbcUrl);
        LedgerFilter year = ledger.seededYear().anyStatus();
        List<Object> before = answers(monitor, year);
        LedgerStorage storageBefore = ledger.storage(BenchLedger.INDEXED);
        LoadRecorder recorder = new LoadRecorder();
        ConversionResult result;
        long wal;
        Map<UUID, Long> insertedByWriter;
        try (Workload workload = new Workload(jdbcUrl, recorder);
                Connection connection = monitor.getConnection()) {
            workload.prepareWriters(plan, LoadRun.providerIds(monitor));
            recorder.enter(Phase.LOAD);
            workload.startReaders(plan.readers(), plan.ranges());
            workload.startWriters();
            Thread.sleep(plan.duration().toMillis());
            String walStart = Sql.walPosition(connection);
            recorder.enter(Phase.CONVERSION);
            result = Partitions.create(ledger.dataSource())
                    .withSchema(BenchLedger.INDEXED)
                    .withClock(clock)
                    .convert();
            recorder.enter(Phase.CONVERTED);
            wal = Sql.walSince(connection, walStart);
            Thread.sleep(plan.duration().toMillis());
            workload.stopWriters();
            workload.stopReaders();
            recorder.finish();
            insertedByWriter = workload.insertedByWriter();
        } catch (SQLException e) {
            throw new AnalyticsException("Measuring the WAL of the conversion failed", e);
        }
        LoadChecks checks = new LoadChecks(monitor);
        LoadChecks.Rows rows = checks.rows(seeded, insertedByWriter);
        List<Object> after = answers(monitor, year);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < DashboardQuery.values().length; i++) {
            if (!Objects.equals(before.get(i), after.get(i))) {
                changed.add(DashboardQuery.values()[i].method() + " over the seeded year");
            }
        }
        Rollups.create(monitor).withSchema(BenchLedger.INDEXED).refresh();
        return new Figures(
                result,
                wal,
                byPhase(recorder::inserts),
                byPhase(recorder::insertCount),
                reads(recorder),
                LoadRun.failures(recorder),
                rows,
                doubledIds(monitor),
                new LoadChecks.Answers(DashboardQuery.values().length, changed),
                checks.answers(plan.ranges(), Instant.now()),
                checks.counts(),
                storageBefore,
                ledger.storage(BenchLedger.INDEXED));
    }

    /** Every query's answer over {@code filter} from the ledger alone, in {@link DashboardQuery} order. */
    private static List<Object> answers(DataSource dataSource, LedgerFilter filter) {
        AnalyticsQueries raw = AnalyticsQueries.create(dataSource)
                .withSchema(BenchLedger.INDEXED)
                .withRawReads();
        List<Object> answers = new ArrayList<>();
        for (DashboardQuery query : DashboardQuery.values()) {
            answers.add(query.run(raw, filter));
        }
        return answers;
    }

    private static long doubledIds(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return Sql.number(
                    connection,
                    "SELECT count(*) - count(DISTINCT id) FROM " + LedgerTables.ledger(BenchLedger.INDEXED));
        } catch (SQLException e) {
            throw new AnalyticsException("Counting the ledger's ids failed", e);
        }
    }

    private static <T> Map<Phase, T> byPhase(Function<Phase, T> figure) {
        Map<Phase, T> figures = new EnumMap<>(Phase.class);
        for (Phase phase : PHASES) {
            T value = figure.apply(phase);
            if (value != null) {
                figures.put(phase, value);
            }
        }
        return figures;
    }

    private Map<DashboardQuery, Map<Phase, Timing>> reads(LoadRecorder recorder) {
        Map<DashboardQuery, Map<Phase, Timing>> reads = new EnumMap<>(DashboardQuery.class);
        for (DashboardQuery query : DashboardQuery.values()) {
            reads.put(
                    query,
                    byPhase(phase -> recorder.reads(
                            new LoadRecorder.Cell(phase, query, plan.ranges().get(0)))));
        }
        return reads;
    }
}
