package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The ledger read alone ({@code withRawReads()}), the path of every filter the rollups cannot
 * serve, beside the SQL one would write by hand for the same answer ({@link HandWrittenQuery}):
 * one seeded ledger, each query and its hand-written statements timed in turn through one open
 * connection, after a check that both give the same answer.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar raw --rows 1m --output docs/benchmarks.md
 * }</pre>
 */
@Command(
        name = "raw",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Times each query read from the ledger alone (withRawReads()) beside hand-written SQL that "
                + "returns the same answer, on one seeded ledger, after checking that the answers agree.")
final class RawFloorBenchmark implements Callable<Integer> {

    /** Above this ratio of p50s, the library's statements are slower than they need to be. */
    static final double GAP = 1.2;

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--rows",
            paramLabel = "SIZE",
            defaultValue = "1m",
            description = "Rows in the seeded year, such as 100k or 1m (default: ${DEFAULT-VALUE}).")
    private LedgerSize size;

    @Option(
            names = "--ranges",
            split = ",",
            paramLabel = "DAYS",
            defaultValue = "30d,365d",
            description = "Ranges ending at the end of the seeded year (default: ${DEFAULT-VALUE}).")
    private List<QueryRange> ranges;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "20",
            description = "Timed runs per query, range and side (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Warm-up runs before them, fewer once warm-up has taken 3 s (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Markdown file to put the report into, between <!-- raw:start --> and <!-- raw:end -->.")
    private Path output;

    private final PrintStream progress;
    private String report;
    private int mismatches;

    RawFloorBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** The report, or {@code null} if the command did not run to the end. */
    String report() {
        return report;
    }

    /**
     * One query over one range, both ways.
     *
     * @param query       the hand-written query, which names the library's
     * @param range       how far back it read
     * @param library     the library's timing, raw reads
     * @param handWritten the hand-written statements' timing
     * @param sameAnswer  whether both answered alike
     */
    record Cell(HandWrittenQuery query, QueryRange range, Timing library, Timing handWritten, boolean sameAnswer) {

        /** The library's p50 over the hand-written statements'. */
        double ratio() {
            return library.p50() / handWritten.p50();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 5) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 5, but was " + runs);
        }
        if (warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative, but was " + warmup);
        }
        long start = System.nanoTime();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant end = started.truncatedTo(ChronoUnit.HOURS);
        try (TestDatabase database = TestDatabase.migrated(BenchLedger.INDEXED)) {
            Machine machine;
            try (Connection connection = database.dataSource().getConnection()) {
                machine = Machine.describe(connection);
            }
            BenchLedger ledger = new BenchLedger(database.dataSource(), end, Layout.PARTITIONED);
            progress.println("seeding " + size + " rows");
            SeedResult seed = ledger.seed(size, BenchLedger.tenths(size, progress::println));
            progress.println("VACUUM ANALYZE until all-visible");
            ledger.settle(BenchLedger.INDEXED);
            List<Cell> cells = new ArrayList<>();
            try (Connection connection = ledger.connect()) {
                AnalyticsQueries raw = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                        .withSchema(BenchLedger.INDEXED)
                        .withRawReads();
                for (HandWrittenQuery query : HandWrittenQuery.values()) {
                    for (QueryRange range : ranges) {
                        progress.println(query.query().method() + " over " + range);
                        LedgerFilter filter = ledger.last(range);
                        boolean same =
                                query.answer(query.query().run(raw, filter)).equals(query.answer(connection, filter));
                        Timing library = Timing.measure(() -> query.query().run(raw, filter), warmup, runs);
                        Timing handWritten = Timing.measure(() -> handWritten(query, connection, filter), warmup, runs);
                        cells.add(new Cell(query, range, library, handWritten, same));
                        if (!same) {
                            mismatches++;
                        }
                    }
                }
            }
            String command = QueryBenchmark.JAR_COMMAND + " "
                    + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            report = render(command, started, machine, end, seed, cells, Duration.ofNanos(System.nanoTime() - start));
        }
        if (output != null) {
            ReportFile.RAW.write(output, report);
            progress.println("Report written to " + output);
        }
        if (mismatches > 0) {
            // A different answer is a defect of one side, not a timing: the run fails.
            progress.println(mismatches + " cells answered differently; see the report");
            return 1;
        }
        return 0;
    }

    private static void handWritten(HandWrittenQuery query, Connection connection, LedgerFilter filter) {
        try {
            query.answer(connection, filter);
        } catch (SQLException e) {
            throw new IllegalStateException(query + " failed", e);
        }
    }

    private String render(
            String command,
            Instant started,
            Machine machine,
            Instant end,
            SeedResult seed,
            List<Cell> cells,
            Duration wallTime) {
        StringBuilder md = new StringBuilder();
        md.append(MarkdownReport.header(
                "The raw path beside hand-written SQL (`analytics-bench raw`)", started, wallTime, command, machine));
        md.append(String.format(
                Locale.ROOT,
                "- Data: %s rows, one year of requests ending %s, %,d users, seed %d, partitioned by month, vacuumed "
                        + "until all-visible; no rollups. Seeded in %s. Each query over the last %s: the library's "
                        + "`withRawReads()` and the hand-written statements below, each up to %d warm-up runs "
                        + "(fewer once they took %d s), then %d timed runs through one open connection; "
                        + "nearest-rank percentiles.%n",
                size,
                end,
                size.users(),
                BenchLedger.SEED,
                MarkdownReport.duration(seed.elapsed()),
                String.join(", ", ranges.stream().map(QueryRange::toString).toList()),
                warmup,
                Timing.WARMUP_BUDGET_NANOS / 1_000_000_000L,
                runs));
        md.append(String.format(
                Locale.ROOT,
                "- Same answer: both reduced to the same figures (the cost distribution's percentiles to nine "
                        + "significant digits, as PostgreSQL interpolates them in double precision). Gap: library p50 "
                        + "÷ hand-written p50, flagged above %.1f×.%n%n",
                GAP));
        md.append(
                "| Query | Range | Library p50 / p95 / max (ms) | Hand-written p50 / p95 / max (ms) | Library ÷ hand-written "
                        + "| Same answer | Within " + GAP + "× |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Cell cell : cells) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %.2f× | %s | %s |%n",
                    cell.query().query().method(),
                    cell.range(),
                    cell.library(),
                    cell.handWritten(),
                    cell.ratio(),
                    cell.sameAnswer() ? "yes" : "**no**",
                    cell.ratio() <= GAP ? "yes" : "**no**"));
        }
        md.append("\nThe hand-written statements (`?`: the range's start and end; the gross margin's also the "
                + "previous period's start):\n\n");
        for (HandWrittenQuery query : HandWrittenQuery.values()) {
            md.append("`")
                    .append(query.query().method())
                    .append("`:\n\n```sql\n")
                    .append(query.sql())
                    .append("\n```\n\n");
        }
        return md.toString().stripTrailing() + "\n";
    }
}
