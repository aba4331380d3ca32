package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the partitioned layout costs and buys, on ledgers of one size (docs/benchmarks.md,
 * "Partitioning"); every ledger is seeded alike, unpartitioned as an install from before
 * partitioning has it, with its rollups built:
 *
 * <ol>
 *   <li>one ledger stays unpartitioned: its footprint, what VACUUM costs on the whole table, and a
 *       {@code DELETE} of one month's rows at a time, each followed by VACUUM;
 *   <li>{@code --conversions} ledgers are each converted by {@code Partitions.convert()} while
 *       paced writers insert and a reader loads the dashboard ({@link ConversionUnderLoad});
 *   <li>on the last converted ledger: each partition's footprint, what VACUUM costs on one
 *       month's partition, and {@code Retention.keepMonths} dropping the months the DELETEs removed.
 * </ol>
 *
 * <p>Exits 1 if a conversion lost or doubled a row, changed an answer, or anything failed.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar partitioning --size 1m --output docs/benchmarks.md
 * }</pre>
 */
@Command(
        name = "partitioning",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Measures the online conversion under load, retention against DELETE, and the sizes and "
                + "VACUUM of partitions against the unpartitioned ledger, on ledgers of one size.")
final class PartitioningBenchmark implements Callable<Integer> {

    /** The range the reader loads the dashboard over during a conversion. */
    private static final QueryRange READ_RANGE = new QueryRange(30);

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--size",
            paramLabel = "SIZE",
            defaultValue = "1m",
            description =
                    "Rows seeded over the year into each ledger, such as 100k or 10m (default: ${DEFAULT-VALUE}).")
    private LedgerSize size;

    @Option(
            names = "--conversions",
            paramLabel = "N",
            defaultValue = "2",
            description = "Conversions, each of a freshly seeded ledger (default: ${DEFAULT-VALUE}).")
    private int conversions;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description = "Months deleted and dropped, and VACUUM runs per table (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(
            names = "--writers",
            paramLabel = "N",
            defaultValue = "4",
            description = "Threads inserting single rows during a conversion (default: ${DEFAULT-VALUE}).")
    private int writers;

    @Option(
            names = "--write-rate",
            paramLabel = "ROWS_PER_S",
            defaultValue = "200",
            description = "Rows per second all writers together aim at (default: ${DEFAULT-VALUE}).")
    private int writeRate;

    @Option(
            names = "--readers",
            paramLabel = "N",
            defaultValue = "1",
            description = "Threads loading the dashboard over the last 30 days during a conversion "
                    + "(default: ${DEFAULT-VALUE}).")
    private int readers;

    @Option(
            names = "--steady",
            paramLabel = "TIME",
            defaultValue = "30s",
            description = "How long readers and writers run before each conversion, and again after it "
                    + "(default: ${DEFAULT-VALUE}).")
    private Duration steady;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Markdown file to put the report into, between <!-- partitioning:start --> and "
                    + "<!-- partitioning:end -->.")
    private Path output;

    private final PrintStream progress;
    /** The Markdown report, once the run is complete. */
    private String report;

    PartitioningBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** The report, or {@code null} if the command did not run to the end. */
    String report() {
        return report;
    }

    @Override
    public Integer call() throws Exception {
        LoadPlan plan;
        try {
            OptionValue.requireBetween("conversions", conversions, 1, 10);
            // The seeded year's first month is partial and dropped first; the months after it are removed.
            OptionValue.requireBetween("runs", runs, 1, 10);
            // Only the readers, writers, rate, duration and range serve the conversion; the rest are the load run's.
            plan = new LoadPlan(
                    size,
                    readers,
                    writers,
                    writeRate,
                    0,
                    LoadPlan.LATE_MIN_AGE.plusHours(1),
                    steady,
                    steady,
                    steady,
                    steady,
                    List.of(READ_RANGE));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        long start = System.nanoTime();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // The seeded year ends at the last full hour; "now" for the partitions and retention is the start.
        Instant end = started.truncatedTo(ChronoUnit.HOURS);
        Clock clock = Clock.fixed(started, ZoneOffset.UTC);
        Map<String, String> loads = new LinkedHashMap<>();
        loads.put("at the start", Machine.loadAverage());
        Machine machine;
        PartitioningResult.Unpartitioned unpartitioned;
        try (TestDatabase database = TestDatabase.migratedUnpartitioned()) {
            try (Connection connection = database.dataSource().getConnection()) {
                machine = Machine.describe(connection);
            }
            BenchLedger ledger = new BenchLedger(database.dataSource(), end, Layout.UNPARTITIONED);
            prepare(ledger, database.jdbcUrl(), "unpartitioned ledger");
            unpartitioned = unpartitioned(ledger);
        }
        loads.put("after the DELETEs", Machine.loadAverage());
        List<ConversionUnderLoad.Figures> converted = new ArrayList<>();
        PartitioningResult.Partitioned partitioned = null;
        for (int run = 1; run <= conversions; run++) {
            String name = "conversion " + run + " of " + conversions;
            try (TestDatabase database = TestDatabase.migratedUnpartitioned()) {
                BenchLedger ledger = new BenchLedger(database.dataSource(), end, Layout.UNPARTITIONED);
                long seeded = prepare(ledger, database.jdbcUrl(), name);
                // Under a steady stream of inserts, as in production, autovacuum runs: give it back.
                ledger.enableAutovacuum();
                log(name + ": " + LoadPlan.shown(steady) + " of load, the conversion, " + LoadPlan.shown(steady)
                        + " of load");
                converted.add(new ConversionUnderLoad(database.jdbcUrl(), plan, clock).run(ledger, seeded));
                loads.put("after conversion " + run, Machine.loadAverage());
                if (run == conversions) {
                    partitioned = partitioned(ledger, clock);
                    loads.put("after the drops", Machine.loadAverage());
                }
            }
        }
        PartitioningResult result = new PartitioningResult(
                size,
                started,
                machine,
                loads,
                unpartitioned,
                converted,
                partitioned,
                Duration.ofNanos(System.nanoTime() - start));
        // The parse result of a subcommand holds the whole command line, partitioning included.
        String command = QueryBenchmark.JAR_COMMAND + " "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        report = PartitioningReport.render(command, plan, runs, result);
        if (output != null) {
            ReportFile.PARTITIONING.write(output, report);
            progress.println("Report written to " + output);
        }
        return result.correct() ? 0 : 1;
    }

    /** Seeds the year, builds the rollups (refresh mode) and vacuums until all-visible; returns the rows seeded. */
    private long prepare(BenchLedger ledger, String jdbcUrl, String name) {
        log(name + ": seeding");
        long seeded = ledger.seed(size, BenchLedger.tenths(size, step -> log(name + ": " + step)))
                .rows();
        log(name + ": building the rollups");
        Rollups.create(LoadRole.REFRESH.dataSource(jdbcUrl))
                .withSchema(BenchLedger.INDEXED)
                .refresh();
        log(name + ": VACUUM ANALYZE until all-visible");
        ledger.settle(BenchLedger.INDEXED);
        return seeded;
    }

    private PartitioningResult.Unpartitioned unpartitioned(BenchLedger ledger) throws SQLException {
        DataSource dataSource = ledger.dataSource();
        LedgerStorage storage = ledger.storage(BenchLedger.INDEXED);
        log("unpartitioned ledger: VACUUM of the whole table");
        LedgerFilter updated = lastDay(ledger);
        VacuumCosts vacuum = VacuumCosts.measure(
                dataSource,
                BenchLedger.INDEXED,
                LedgerTables.ledger(BenchLedger.INDEXED),
                updated.from(),
                updated.to(),
                runs);
        List<MonthRemoval> deletes = new ArrayList<>();
        for (YearMonth month : removedMonths(ledger)) {
            log("unpartitioned ledger: DELETE of " + month);
            deletes.add(MonthRemoval.delete(dataSource, BenchLedger.INDEXED, month));
        }
        return new PartitioningResult.Unpartitioned(storage, vacuum, deletes);
    }

    private PartitioningResult.Partitioned partitioned(BenchLedger ledger, Clock clock) throws SQLException {
        DataSource dataSource = ledger.dataSource();
        log("converted ledger: autovacuum off on its partitions, VACUUM ANALYZE until all-visible");
        double settle;
        List<PartitionSizes> partitions;
        try (Connection connection = dataSource.getConnection()) {
            LedgerTables.disableAutovacuum(connection, BenchLedger.INDEXED);
            long start = System.nanoTime();
            TestLedger.in(dataSource).schema(BenchLedger.INDEXED).vacuum();
            settle = (System.nanoTime() - start) / 1e9;
            partitions = PartitionSizes.of(connection, BenchLedger.INDEXED);
        }
        LedgerFilter updated = lastDay(ledger);
        YearMonth lastMonth = month(updated.from());
        log("converted ledger: VACUUM of the partition of " + lastMonth);
        VacuumCosts vacuum = VacuumCosts.measure(
                dataSource,
                BenchLedger.INDEXED,
                BenchLedger.INDEXED + "." + LedgerLayout.partitionName(lastMonth),
                updated.from(),
                updated.to(),
                runs);
        YearMonth partial = month(ledger.seededYear().from());
        log("converted ledger: retention drops the partial month " + partial);
        MonthRemoval partialDrop = MonthRemoval.drop(dataSource, BenchLedger.INDEXED, clock, partial);
        List<MonthRemoval> drops = new ArrayList<>();
        for (YearMonth month : removedMonths(ledger)) {
            log("converted ledger: retention drops " + month);
            drops.add(MonthRemoval.drop(dataSource, BenchLedger.INDEXED, clock, month));
        }
        return new PartitioningResult.Partitioned(settle, partitions, vacuum, partialDrop, drops);
    }

    /** The first {@code --runs} whole months of the seeded year. */
    private List<YearMonth> removedMonths(BenchLedger ledger) {
        YearMonth first = month(ledger.seededYear().from()).plusMonths(1);
        List<YearMonth> months = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            months.add(first.plusMonths(i));
        }
        return months;
    }

    /** The last day of the seeded year, cut at the start of its last month: rows of one partition. */
    private static LedgerFilter lastDay(BenchLedger ledger) {
        Instant end = ledger.end();
        Instant monthStart =
                month(end.minusNanos(1)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant dayBefore = end.minus(Duration.ofDays(1));
        return LedgerFilter.between(dayBefore.isAfter(monthStart) ? dayBefore : monthStart, end);
    }

    private static YearMonth month(Instant instant) {
        return YearMonth.from(instant.atOffset(ZoneOffset.UTC));
    }

    private void log(String step) {
        progress.printf(Locale.ROOT, "[%tT] partitioning, %s rows, %s%n", System.currentTimeMillis(), size, step);
    }
}
