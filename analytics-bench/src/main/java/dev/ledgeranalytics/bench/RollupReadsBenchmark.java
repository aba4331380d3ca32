package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The dashboard through the rollups alone, at sizes where the ledger read alone takes minutes per
 * cell (docs/benchmarks.md, "Through the rollups"): one seeded ledger with its rollups built, every
 * query over every range warmed up, then per query and range many timed calls through one open connection with the server's JIT on and
 * off, and where the time goes: PostgreSQL's planning and execution of every statement the call
 * sends ({@code EXPLAIN (ANALYZE, SUMMARY)} of exactly those statements, values inlined, in one
 * REPEATABLE READ transaction as the call runs them), the rest being the client and the round
 * trips. The indexed ledger read alone and the baseline are {@link QueryBenchmark}'s; they are
 * left out here, where they would take most of an hour at 10M rows and most of a day at 100M.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar rollups --rows 10m --end-hour 2 --output docs/benchmarks.md
 * }</pre>
 */
@Command(
        name = "rollups",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Times the dashboard queries through the rollups on one seeded ledger, with the server's JIT "
                + "on and off, and says where the time goes (planning, execution, the rest).")
final class RollupReadsBenchmark implements Callable<Integer> {

    /**
     * Disk a ledger takes per million rows with its indexes and rollups, measured at 10M rows
     * (docs/benchmarks.md: 219 MiB of heap, 322 MiB of indexes, 157 MiB of rollups), rounded up.
     */
    static final long BYTES_PER_MILLION_ROWS = 700L << 20;

    /**
     * Disk a run needs whatever its size, beyond the tables: the WAL, which the server lets grow
     * to {@code max_wal_size} (4 GB) between checkpoints and somewhat past it under a bulk load,
     * and the sorts of the index and rollup builds that spill to temporary files.
     */
    static final long BYTES_BESIDES_THE_TABLES = 8L << 30;

    /** How often each statement is explained with ANALYZE; the median is reported. */
    private static final int EXPLAINS = 5;

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--rows",
            paramLabel = "SIZE",
            defaultValue = "1m",
            description = "Rows in the seeded year, such as 1m, 10m or 100m (default: ${DEFAULT-VALUE}).")
    private LedgerSize size;

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
            defaultValue = "100",
            description = "Timed runs per query, range and JIT setting (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "20",
            description = "Warm-up runs before them, fewer once warm-up has taken 3 s (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(
            names = "--end-hour",
            paramLabel = "HOUR",
            description = "The UTC hour of day, 0 to 23, at which the seeded year and every range end: the latest "
                    + "such hour before the run (default: the last full hour). A range starting inside a UTC day reads "
                    + "the day's other hours from the ledger where a rollup keeps no hours (the user breakdown's), so "
                    + "figures depend on it.")
    private Integer endHour;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description =
                    "Markdown file to put the report into, between <!-- rollups:start --> and <!-- rollups:end -->.")
    private Path output;

    private final PrintStream progress;
    private String report;

    RollupReadsBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** The report, or {@code null} if the command did not run to the end. */
    String report() {
        return report;
    }

    /**
     * One cell: a query over a range, through the rollups.
     *
     * @param query  the query
     * @param range  how far back it read
     * @param jitOn  timed with the server's {@code jit = on}, its default
     * @param jitOff timed with {@code jit = off} in the session
     * @param server where the server's time went in one call
     */
    record Cell(DashboardQuery query, QueryRange range, Timing jitOn, Timing jitOff, ServerTime server) {}

    /**
     * The server's share of one call.
     *
     * @param statements  how many statements the call sends
     * @param planning    median planning time of those statements, summed, in milliseconds
     * @param execution   median execution time of those statements, summed, in milliseconds
     * @param jitCompiled how many of those statements PostgreSQL compiled with JIT
     */
    record ServerTime(int statements, double planning, double execution, int jitCompiled) {}

    @Override
    public Integer call() throws Exception {
        if (runs < 20) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 20, but was " + runs);
        }
        if (warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative, but was " + warmup);
        }
        if (endHour != null && (endHour < 0 || endHour > 23)) {
            throw new ParameterException(spec.commandLine(), "--end-hour must be 0 to 23, but was " + endHour);
        }
        long start = System.nanoTime();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant end = end(started.truncatedTo(ChronoUnit.HOURS), endHour);
        try (TestDatabase database = TestDatabase.migrated(BenchLedger.INDEXED)) {
            Machine machine;
            try (Connection connection = database.dataSource().getConnection()) {
                machine = Machine.describe(connection);
                requireDisk(connection);
            }
            BenchLedger ledger = new BenchLedger(database.dataSource(), end, Layout.PARTITIONED);
            log("seeding " + size + " rows");
            SeedResult seed = ledger.seed(size, BenchLedger.tenths(size, this::log));
            log("building the rollups");
            RollupMaintenance rollups = new RollupMaintenance(ledger.dataSource(), end);
            RefreshResult build = rollups.build();
            log("VACUUM ANALYZE until all-visible");
            ledger.settle(BenchLedger.INDEXED);
            LedgerStorage storage = ledger.storage(BenchLedger.INDEXED);
            List<Cell> cells = new ArrayList<>();
            try (Connection jitOn = ledger.connect();
                    Connection jitOff = ledger.connect()) {
                Sql.update(jitOff, "SET jit = off");
                AnalyticsQueries on = queries(jitOn);
                AnalyticsQueries off = queries(jitOff);
                // The client's code (rendering, binding, reading rows) is mostly the same for every
                // cell. Warmed per cell alone, the first cells timed ran it interpreted while the
                // JVM compiled it on the server's cores: grossMargin over a day, timed first, took
                // twice as long with JIT on as right after with it off.
                log("warming up every query over every range");
                for (DashboardQuery query : DashboardQuery.values()) {
                    for (QueryRange range : ranges) {
                        LedgerFilter filter = ledger.last(range);
                        Timing.warmUp(() -> query.run(on, filter), warmup);
                        Timing.warmUp(() -> query.run(off, filter), warmup);
                    }
                }
                for (DashboardQuery query : DashboardQuery.values()) {
                    for (QueryRange range : ranges) {
                        log(query.method() + " over " + range);
                        LedgerFilter filter = ledger.last(range);
                        Timing timedOn = Timing.measure(() -> query.run(on, filter), warmup, runs);
                        Timing timedOff = Timing.measure(() -> query.run(off, filter), warmup, runs);
                        cells.add(new Cell(query, range, timedOn, timedOff, serverTime(jitOn, query, filter)));
                    }
                }
            }
            String command = QueryBenchmark.JAR_COMMAND + " "
                    + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            report = RollupReadsReport.render(
                    command,
                    started,
                    machine,
                    size,
                    end,
                    runs,
                    warmup,
                    seed,
                    storage,
                    build,
                    rollups.sizes(),
                    cells,
                    Duration.ofNanos(System.nanoTime() - start));
        }
        if (output != null) {
            ReportFile.ROLLUPS.write(output, report);
            progress.println("Report written to " + output);
        }
        return 0;
    }

    /** The latest instant at {@code hour} o'clock UTC no later than {@code lastFullHour}; it when no hour is given. */
    static Instant end(Instant lastFullHour, Integer hour) {
        if (hour == null) {
            return lastFullHour;
        }
        Instant atHour = lastFullHour.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(hour));
        return atHour.isAfter(lastFullHour) ? atHour.minus(Duration.ofDays(1)) : atHour;
    }

    private static AnalyticsQueries queries(Connection connection) {
        return AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                .withSchema(BenchLedger.INDEXED);
    }

    /**
     * The statements one call sends, each explained with ANALYZE {@value #EXPLAINS} times in a
     * REPEATABLE READ transaction: their count, the medians of planning and execution, summed, and
     * how many were compiled by JIT.
     */
    private static ServerTime serverTime(Connection connection, DashboardQuery query, LedgerFilter filter)
            throws SQLException {
        List<String> statements = BenchLedger.statements(connection, BenchLedger.INDEXED, false, query, filter);
        double planning = 0;
        double execution = 0;
        int jitCompiled = 0;
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            for (String statement : statements) {
                double[] plans = new double[EXPLAINS];
                double[] executions = new double[EXPLAINS];
                for (int i = 0; i < EXPLAINS; i++) {
                    PlanSummary.Summary summary = PlanSummary.summary(
                            connection,
                            Sql.strings(connection, "EXPLAIN (ANALYZE, SUMMARY, TIMING OFF, FORMAT JSON) " + statement)
                                    .get(0));
                    if (i == 0 && summary.jit()) {
                        jitCompiled++;
                    }
                    plans[i] = summary.planning();
                    executions[i] = summary.execution();
                }
                planning += median(plans);
                execution += median(executions);
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        return new ServerTime(statements.size(), planning, execution, jitCompiled);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    /**
     * Refuses to start a run that would fill the disk: the embedded server keeps its data under the
     * JVM's temporary directory, and a ledger of 100M rows with its indexes and rollups takes tens
     * of gigabytes.
     */
    private void requireDisk(Connection connection) throws Exception {
        String directory = Sql.strings(connection, "SHOW data_directory").get(0);
        long usable = Files.getFileStore(Path.of(directory)).getUsableSpace();
        long needed = size.rows() / 1_000_000 * BYTES_PER_MILLION_ROWS + BYTES_BESIDES_THE_TABLES;
        if (usable < needed) {
            throw new ParameterException(
                    spec.commandLine(),
                    String.format(
                            Locale.ROOT,
                            "--rows %s needs about %,d MiB of free disk (%,d MiB per million rows for the ledger, its "
                                    + "indexes and the rollups, and %,d MiB for the WAL and the builds' sorts), "
                                    + "but %s has %,d MiB",
                            size,
                            needed >> 20,
                            BYTES_PER_MILLION_ROWS >> 20,
                            BYTES_BESIDES_THE_TABLES >> 20,
                            directory,
                            usable >> 20));
        }
    }

    private void log(String step) {
        progress.printf(Locale.ROOT, "[%tT] %s rows through the rollups: %s%n", System.currentTimeMillis(), size, step);
    }
}
