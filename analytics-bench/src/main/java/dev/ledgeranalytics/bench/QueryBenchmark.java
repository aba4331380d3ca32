package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The benchmark: the latency of every dashboard query at each ledger size, on the indexed ledger,
 * on an unindexed baseline and through the rollups in the same run, next to the seed report's targets.
 *
 * <p>For each size it seeds one year of requests into a fresh database on the testkit's embedded
 * PostgreSQL, copies them into a baseline schema that keeps only the primary key, builds the
 * rollups of the indexed ledger, vacuums everything until every page is all-visible, and then,
 * per query and range, warms up and times at least {@code --runs} calls through one open
 * connection for each of the three. It also records the plans, the storage, the seeding and CSV
 * export throughput, and the rollups' build time, size, insert overhead and refresh cost, and
 * prints a Markdown report (into {@code --output} between two marker comments when given).
 *
 * <p>A plain harness rather than JMH: JMH forks a JVM per benchmark, and each fork would have to
 * start its own embedded server and seed up to ten million rows again, or need an external server
 * that a fresh clone does not have. Seeding once per size and reusing it across queries leaves the
 * 10M run with the cost of its queries alone. What JMH guards against matters less here: a query spends
 * its time in PostgreSQL, not in JIT-compiled Java, and warm-up runs precede every timed series.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar --sizes 100k,1m,10m --output docs/benchmarks.md
 * }</pre>
 *
 * <p>{@code --load} as the first argument runs the load and soak run instead ({@link LoadBenchmark}),
 * {@code partitioning} the conversion, retention and VACUUM measurements of the partitioned layout
 * ({@link PartitioningBenchmark}).
 */
@Command(
        name = "analytics-bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Times the dashboard queries at each ledger size, indexed and baseline, next to the seed's "
                + "targets; --load runs the dashboard under inserts and refreshes instead (--load --help), "
                + "partitioning measures the partitioned layout (partitioning --help), rollups times the "
                + "dashboard through the rollups alone (rollups --help), raw times the ledger read alone beside hand-written SQL "
                + "(raw --help).")
public final class QueryBenchmark implements Callable<Integer> {

    static final String JAR_COMMAND = "java -jar analytics-bench/target/analytics-bench.jar";

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--sizes",
            split = ",",
            paramLabel = "SIZE",
            defaultValue = "100k",
            description = "Ledger sizes, such as 100k,1m,10m (default: ${DEFAULT-VALUE}).")
    private List<LedgerSize> sizes;

    @Option(
            names = "--ranges",
            split = ",",
            paramLabel = "DAYS",
            defaultValue = "1d,30d,365d",
            description = "Ranges ending at the end of the seeded year (default: ${DEFAULT-VALUE}).")
    private List<QueryRange> ranges;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "20",
            description =
                    "Timed runs per query, range and ledger; 20 or more for published figures (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Warm-up runs before them, fewer once warm-up has taken 3 s (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(
            names = "--layout",
            paramLabel = "LAYOUT",
            defaultValue = "partitioned",
            description = "The ledgers' layout: partitioned (by month, as new installs have it) or unpartitioned "
                    + "(as installs from before partitioning have it until converted) (default: ${DEFAULT-VALUE}).")
    private Layout layout;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Markdown file to put the report into, between <!-- bench:start --> and <!-- bench:end -->.")
    private Path output;

    private final PrintStream progress;
    /** Where "now" comes from: the seeded year ends at its last full hour. */
    private final Clock clock;
    /** The Markdown report, once the run is complete. */
    private String report;

    private QueryBenchmark(PrintStream progress, Clock clock) {
        this.progress = progress;
        this.clock = clock;
    }

    /**
     * Runs the benchmark and exits: 0 when done, 2 for an invalid command line, 1 on failure.
     *
     * @param args the options, such as {@code --sizes 100k,1m,10m --output docs/benchmarks.md}
     */
    public static void main(String[] args) {
        System.exit(run(
                new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8),
                args));
    }

    static int run(PrintStream out, PrintStream err, String... args) {
        return run(Clock.systemUTC(), out, err, args);
    }

    /**
     * As {@link #run(PrintStream, PrintStream, String...)}, with the query benchmark's year ending at
     * the last full hour of {@code clock}: the plans it records depend on where the ranges fall in
     * the monthly partitions, so a test fixes them.
     */
    static int run(Clock clock, PrintStream out, PrintStream err, String... args) {
        QueryBenchmark benchmark = new QueryBenchmark(err, clock);
        LoadBenchmark load = new LoadBenchmark(err);
        PartitioningBenchmark partitioning = new PartitioningBenchmark(err);
        RollupReadsBenchmark rollups = new RollupReadsBenchmark(err);
        RawFloorBenchmark raw = new RawFloorBenchmark(err);
        CitusBenchmark citus = new CitusBenchmark(err);
        CommandLine commandLine = new CommandLine(benchmark)
                .addSubcommand(new CommandLine(load))
                .addSubcommand(new CommandLine(partitioning))
                .addSubcommand(new CommandLine(rollups))
                .addSubcommand(new CommandLine(raw))
                .addSubcommand(new CommandLine(citus));
        // After the subcommand is added, so that it gets the converters too.
        commandLine.registerConverter(LedgerSize.class, LedgerSize::parse);
        commandLine.registerConverter(QueryRange.class, QueryRange::parse);
        commandLine.registerConverter(Layout.class, Layout::parse);
        commandLine.registerConverter(Duration.class, OptionValue::duration);
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int code = commandLine.execute(args);
        for (String report : new String[] {
            benchmark.report, load.report(), partitioning.report(), rollups.report(), raw.report(), citus.report()
        }) {
            if (report != null) {
                out.print(report);
            }
        }
        return code;
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 1, but was " + runs);
        }
        if (warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative, but was " + warmup);
        }
        long start = System.nanoTime();
        Instant started = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // The seeded year ends at the last full hour, and every range ends with it: "now" for the dashboard.
        Instant end = started.truncatedTo(ChronoUnit.HOURS);
        Machine machine = null;
        List<SizeResult> results = new ArrayList<>();
        for (LedgerSize size : sizes) {
            try (TestDatabase database = layout == Layout.PARTITIONED
                    ? TestDatabase.migrated(BenchLedger.INDEXED)
                    : TestDatabase.migratedUnpartitioned()) {
                if (machine == null) {
                    try (Connection connection = database.dataSource().getConnection()) {
                        machine = Machine.describe(connection);
                    }
                }
                results.add(measure(new BenchLedger(database.dataSource(), end, layout), size));
            }
        }
        String options = String.format(
                Locale.ROOT,
                "Data: one year of requests ending %s, %s, seed %d; each "
                        + "query over the last %s; per cell up to %d warm-up runs (fewer once they took %d s), then %d timed runs "
                        + "through one open connection; nearest-rank percentiles.",
                end,
                users(sizes),
                BenchLedger.SEED,
                String.join(", ", ranges.stream().map(QueryRange::toString).toList()),
                warmup,
                Timing.WARMUP_BUDGET_NANOS / 1_000_000_000L,
                runs);
        String command = JAR_COMMAND + " "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        report = MarkdownReport.render(
                command, started, machine, layout, options, results, Duration.ofNanos(System.nanoTime() - start));
        if (output != null) {
            ReportFile.QUERIES.write(output, report);
            progress.println("Report written to " + output);
        }
        return 0;
    }

    /** "20,000 users", or each size's users where they differ. */
    private static String users(List<LedgerSize> sizes) {
        if (sizes.stream().map(LedgerSize::users).distinct().count() == 1) {
            return String.format(Locale.ROOT, "%,d users", sizes.get(0).users());
        }
        return sizes.stream()
                .map(size -> String.format(Locale.ROOT, "%,d users at %s rows", size.users(), size))
                .collect(Collectors.joining(", "));
    }

    private SizeResult measure(BenchLedger ledger, LedgerSize size) throws Exception {
        long start = System.nanoTime();
        log(size, "seeding");
        SeedResult seed = ledger.seed(size, BenchLedger.tenths(size, step -> log(size, step)));
        log(size, "copying into the baseline schema");
        long copyStart = System.nanoTime();
        ledger.copyToBaseline();
        log(size, "building the rollups");
        RollupMaintenance rollups = new RollupMaintenance(ledger.dataSource(), ledger.end());
        RefreshResult build = rollups.build();
        long settleStart = System.nanoTime();
        log(size, "VACUUM ANALYZE until all-visible");
        ledger.settle(BenchLedger.INDEXED, BenchLedger.BASELINE);
        long settled = System.nanoTime();

        QueryRange planRange = ranges.contains(new QueryRange(30)) ? new QueryRange(30) : ranges.get(0);
        Map<DashboardQuery, List<String>> indexedPlans = new EnumMap<>(DashboardQuery.class);
        Map<DashboardQuery, List<String>> baselinePlans = new EnumMap<>(DashboardQuery.class);
        for (DashboardQuery query : DashboardQuery.values()) {
            indexedPlans.put(query, ledger.plans(BenchLedger.INDEXED, query, ledger.last(planRange)));
            baselinePlans.put(query, ledger.plans(BenchLedger.BASELINE, query, ledger.last(planRange)));
        }

        List<SizeResult.Latency> latencies = new ArrayList<>();
        try (Connection connection = ledger.connect()) {
            AnalyticsQueries withRollups = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                    .withSchema(BenchLedger.INDEXED);
            AnalyticsQueries indexed = withRollups.withRawReads();
            AnalyticsQueries baseline = indexed.withSchema(BenchLedger.BASELINE);
            for (DashboardQuery query : DashboardQuery.values()) {
                for (QueryRange range : ranges) {
                    log(size, query.method() + " over " + range);
                    LedgerFilter filter = ledger.last(range);
                    latencies.add(new SizeResult.Latency(
                            query,
                            range,
                            Timing.measure(() -> query.run(indexed, filter), warmup, runs),
                            Timing.measure(() -> query.run(baseline, filter), warmup, runs),
                            Timing.measure(() -> query.run(withRollups, filter), warmup, runs)));
                }
            }
        }
        log(size, "CSV export");
        BenchLedger.Export export = ledger.exportCsv();
        LedgerStorage indexedStorage = ledger.storage(BenchLedger.INDEXED);
        LedgerStorage baselineStorage = ledger.storage(BenchLedger.BASELINE);
        Map<String, Long> rollupSizes = rollups.sizes();
        log(size, "rollup maintenance: insert overhead and refresh cost");
        RollupMaintenance.Costs costs = rollups.measure();
        return new SizeResult(
                size,
                seed,
                Duration.ofNanos(settleStart - copyStart - build.took().toNanos()),
                Duration.ofNanos(settled - settleStart),
                indexedStorage,
                baselineStorage,
                export,
                latencies,
                planRange,
                indexedPlans,
                baselinePlans,
                build,
                rollupSizes,
                costs,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private void log(LedgerSize size, String step) {
        progress.printf(Locale.ROOT, "[%tT] %s rows: %s%n", System.currentTimeMillis(), size, step);
    }
}
