package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The load and soak run ({@code --load}): the dashboard read by many readers while writers
 * insert at a steady rate, late rows among them, and a scheduled refresh keeps the rollups
 * current. It reports reader latency with the readers alone and under load, the insert rate
 * achieved, the refreshes' durations and where the server's time went; and it checks at the end
 * that the rollups answer exactly as the ledger does and that every inserted row is counted once.
 * Exits 1 if a check fails or anything failed during the run, whatever the timings.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar --load --rows 10m --readers 8 --insert-rate 2000 \
 *     --repeat 2 --output docs/benchmarks.md
 * }</pre>
 */
@Command(
        name = "--load",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Reads the dashboard under a steady stream of inserts and scheduled refreshes, "
                + "then checks that the rollups still answer exactly and count every row once.")
final class LoadBenchmark implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--rows",
            paramLabel = "SIZE",
            defaultValue = "10m",
            description = "Rows seeded over the year before the run, such as 100k or 10m (default: ${DEFAULT-VALUE}).")
    private LedgerSize rows;

    @Option(
            names = "--readers",
            paramLabel = "N",
            defaultValue = "8",
            description = "Threads loading the dashboard without pause (default: ${DEFAULT-VALUE}).")
    private int readers;

    @Option(
            names = "--writers",
            paramLabel = "N",
            defaultValue = "16",
            description = "Threads inserting single rows, sharing the insert rate, as a gateway's connection pool "
                    + "(default: ${DEFAULT-VALUE}: while the readers keep every core busy, a round trip takes several "
                    + "ms, and 4 writers reach only a few hundred rows a second).")
    private int writers;

    @Option(
            names = "--insert-rate",
            paramLabel = "ROWS_PER_S",
            defaultValue = "2000",
            description = "Rows per second all writers together aim at (default: ${DEFAULT-VALUE}).")
    private int insertRate;

    @Option(
            names = "--late-share",
            paramLabel = "PERCENT",
            defaultValue = "1",
            description = "Share of inserted rows created in the past (default: ${DEFAULT-VALUE} %).")
    private double latePercent;

    @Option(
            names = "--late-max-age",
            paramLabel = "AGE",
            defaultValue = "3d",
            description = "How far in the past a late row is created: 1 hour to AGE (default: ${DEFAULT-VALUE}).")
    private Duration lateMaxAge;

    @Option(
            names = "--idle",
            paramLabel = "TIME",
            defaultValue = "60s",
            description = "How long the readers run alone first (default: ${DEFAULT-VALUE}).")
    private Duration idle;

    @Option(
            names = "--duration",
            paramLabel = "TIME",
            defaultValue = "5m",
            description = "How long readers, writers and the scheduled refresh then run (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(
            names = "--refresh-every",
            paramLabel = "TIME",
            defaultValue = "5s",
            description = "Delay between scheduled refreshes (default: ${DEFAULT-VALUE}).")
    private Duration refreshEvery;

    @Option(
            names = "--backlog",
            paramLabel = "TIME",
            defaultValue = "60s",
            description = "How long readers and writers then run without refresh, before one refresh of "
                    + "those writes (default: ${DEFAULT-VALUE}).")
    private Duration backlog;

    @Option(
            names = "--ranges",
            split = ",",
            paramLabel = "DAYS",
            defaultValue = "1d,30d,365d",
            description = "The ranges each reader takes in turn, ending when a dashboard load starts "
                    + "(default: ${DEFAULT-VALUE}).")
    private List<QueryRange> ranges;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            defaultValue = "1",
            description = "Runs of the same plan, each on a fresh database; 2 or more for published figures "
                    + "(default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Markdown file to put the report into, between <!-- load:start --> and <!-- load:end -->.")
    private Path output;

    private final PrintStream progress;
    /** The Markdown report, once the runs are complete. */
    private String report;

    LoadBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** The report, or {@code null} if the command did not run to the end. */
    String report() {
        return report;
    }

    @Override
    public Integer call() throws Exception {
        if (repeat < 1 || repeat > 10) {
            throw new ParameterException(spec.commandLine(), "--repeat must be between 1 and 10, but was " + repeat);
        }
        LoadPlan plan;
        try {
            plan = new LoadPlan(
                    rows,
                    readers,
                    writers,
                    insertRate,
                    latePercent,
                    lateMaxAge,
                    idle,
                    duration,
                    refreshEvery,
                    backlog,
                    ranges);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        long start = System.nanoTime();
        Machine machine;
        try (TestDatabase database = TestDatabase.empty();
                Connection connection = database.dataSource().getConnection()) {
            machine = Machine.describe(connection);
        }
        List<LoadResult> runs = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            progress.println("Load run " + (i + 1) + " of " + repeat);
            runs.add(new LoadRun(plan, progress).run());
        }
        // The parse result of a subcommand holds the whole command line, --load included.
        String command = QueryBenchmark.JAR_COMMAND + " "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        report = LoadReport.render(command, machine, plan, runs, Duration.ofNanos(System.nanoTime() - start));
        if (output != null) {
            ReportFile.LOAD.write(output, report);
            progress.println("Report written to " + output);
        }
        return runs.stream().allMatch(LoadResult::correct) ? 0 : 1;
    }
}
