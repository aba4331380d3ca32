package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.partition.Partitions;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.CitusCluster;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.SeedResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The five queries on a ledger distributed over Citus beside the same rows on one node: two
 * schemas on the coordinator, one of plain tables (the single node), one distributed by
 * {@code AnalyticsMigrations.distributeOverCitus()}, holding the same rows. Each is timed reading
 * the ledger alone and through its rollups. A distributed answer that differs from the single
 * node's read the same way fails the run.
 *
 * <pre>{@code
 * java -jar analytics-bench/target/analytics-bench.jar citus --rows 1m --output docs/benchmarks.md
 * }</pre>
 */
@Command(
        name = "citus",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Times the five queries on a ledger distributed over Citus beside the same rows in plain "
                + "tables on the coordinator, each read from the ledger and through the rollups, after checking that "
                + "the answers agree.")
final class CitusBenchmark implements Callable<Integer> {

    static final String SINGLE = "bench_single";
    static final String DISTRIBUTED = "bench_citus";

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
            defaultValue = "1d,30d,365d",
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
            names = "--citus-url",
            paramLabel = "URL",
            description = "JDBC URL of a Citus coordinator to run on, with user and password; its database gets the "
                    + "schemas " + SINGLE + " and " + DISTRIBUTED + ", dropped first if they exist and kept "
                    + "afterwards. Default: a local cluster of a coordinator and two workers, started for the run.")
    private String citusUrl;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Markdown file to put the report into, between <!-- citus:start --> and <!-- citus:end -->.")
    private Path output;

    private final PrintStream progress;
    private String report;
    private int mismatches;

    CitusBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** The report, or {@code null} if the command did not run to the end. */
    String report() {
        return report;
    }

    /**
     * One query over one range, four ways.
     *
     * @param query         the query
     * @param range         how far back it read
     * @param singleLedger  the single node, reading the ledger alone
     * @param singleRollups the single node, through its rollups
     * @param citus         the distributed ledger, read alone
     * @param citusRollups  the distributed ledger, through its rollups
     * @param sameAnswer    whether the distributed answers equal the single node's, each read the same way
     */
    record Cell(
            DashboardQuery query,
            QueryRange range,
            Timing singleLedger,
            Timing singleRollups,
            Timing citus,
            Timing citusRollups,
            boolean sameAnswer) {}

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
        Instant from = end.minus(Duration.ofDays(QueryRange.MAX_DAYS));
        DataSource coordinator = coordinator();
        Machine machine;
        String workers;
        try (Connection connection = coordinator.getConnection()) {
            machine = Machine.describe(connection);
            workers = Sql.strings(
                            connection,
                            "SELECT count(*) || ' workers, ' || current_setting('citus.shard_count') || ' shards per "
                                    + "distributed table, Citus ' || (SELECT extversion FROM pg_extension WHERE extname = "
                                    + "'citus') FROM citus_get_active_worker_nodes()")
                    .get(0);
            for (String schema : List.of(SINGLE, DISTRIBUTED)) {
                Sql.update(connection, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        for (String schema : List.of(SINGLE, DISTRIBUTED)) {
            AnalyticsMigrations.create(coordinator).withSchema(schema).migrate();
        }
        AnalyticsMigrations.create(coordinator).withSchema(DISTRIBUTED).distributeOverCitus();
        for (String schema : List.of(SINGLE, DISTRIBUTED)) {
            Partitions.create(coordinator).withSchema(schema).ensure(YearMonth.from(from.atOffset(ZoneOffset.UTC)), 0);
        }
        progress.println("seeding " + size + " rows");
        SeedResult seed = LedgerSeeder.into(coordinator)
                .schema(SINGLE)
                .rows(size.rows())
                .between(from, end)
                .users(size.users())
                .seed(BenchLedger.SEED)
                .rebuildIndexes(true)
                .progress(BenchLedger.tenths(size, progress::println))
                .load();
        progress.println("copying them into the distributed ledger");
        long copyStart = System.nanoTime();
        copyRows(coordinator);
        Duration copy = Duration.ofNanos(System.nanoTime() - copyStart);
        progress.println("building the rollups of both");
        Duration singleBuild =
                timed(() -> Rollups.create(coordinator).withSchema(SINGLE).refresh());
        Duration citusBuild =
                timed(() -> Rollups.create(coordinator).withSchema(DISTRIBUTED).refresh());
        try (Connection connection = coordinator.getConnection()) {
            for (String schema : List.of(SINGLE, DISTRIBUTED)) {
                Sql.update(connection, "VACUUM ANALYZE " + schema + ".providers");
                Sql.update(connection, "VACUUM ANALYZE " + schema + ".token_usage_ledger");
                // Without statistics, the planner reads the fresh rollups by nested loops: seconds for a user page.
                for (String rollup : RollupMaintenance.TABLES) {
                    Sql.update(connection, "VACUUM ANALYZE " + schema + "." + rollup);
                }
            }
        }
        List<Cell> cells = new ArrayList<>();
        try (Connection single = coordinator.getConnection();
                Connection distributed = coordinator.getConnection()) {
            AnalyticsQueries viaRollups = AnalyticsQueries.create(DSL.using(single, SQLDialect.POSTGRES))
                    .withSchema(SINGLE);
            AnalyticsQueries ledgerAlone = viaRollups.withRawReads();
            AnalyticsQueries citusRollups = AnalyticsQueries.create(DSL.using(distributed, SQLDialect.POSTGRES))
                    .withSchema(DISTRIBUTED);
            AnalyticsQueries citus = citusRollups.withRawReads();
            for (DashboardQuery query : DashboardQuery.values()) {
                for (QueryRange range : ranges) {
                    progress.println(query.method() + " over " + range);
                    LedgerFilter filter = LedgerFilter.between(end.minus(range.duration()), end);
                    // The first call through the distributed rollups finds Citus and reads the ledger alone.
                    query.run(citusRollups, filter);
                    boolean same = query.run(citus, filter).equals(query.run(ledgerAlone, filter))
                            && query.run(citusRollups, filter).equals(query.run(viaRollups, filter));
                    Timing ledger = Timing.measure(() -> query.run(ledgerAlone, filter), warmup, runs);
                    Timing rollups = Timing.measure(() -> query.run(viaRollups, filter), warmup, runs);
                    Timing distributedTiming = Timing.measure(() -> query.run(citus, filter), warmup, runs);
                    Timing distributedRollups = Timing.measure(() -> query.run(citusRollups, filter), warmup, runs);
                    cells.add(new Cell(query, range, ledger, rollups, distributedTiming, distributedRollups, same));
                    if (!same) {
                        mismatches++;
                    }
                }
            }
        }
        String command = QueryBenchmark.JAR_COMMAND + " "
                + String.join(
                        " ", withoutUrl(spec.commandLine().getParseResult().originalArgs()));
        report = render(
                command,
                started,
                machine,
                workers,
                end,
                seed,
                copy,
                singleBuild,
                citusBuild,
                cells,
                Duration.ofNanos(System.nanoTime() - start));
        if (output != null) {
            ReportFile.CITUS.write(output, report);
            progress.println("Report written to " + output);
        }
        if (mismatches > 0) {
            progress.println(mismatches + " cells answered differently on Citus; see the report");
            return 1;
        }
        return 0;
    }

    private static Duration timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The arguments as given, but for the coordinator's URL, which may hold a password. */
    static List<String> withoutUrl(List<String> args) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--citus-url=")) {
                shown.add("--citus-url=URL");
            } else {
                shown.add(arg);
                if (arg.equals("--citus-url") && i + 1 < args.size()) {
                    shown.add("URL");
                    i++;
                }
            }
        }
        return shown;
    }

    private DataSource coordinator() {
        if (citusUrl == null) {
            return CitusCluster.shared().coordinator();
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(citusUrl);
        return dataSource;
    }

    /** The same rows, ids and all: the distributed ledger's enum is its own schema's type. */
    private static void copyRows(DataSource coordinator) throws SQLException {
        String columns = "id, request_id, user_id, model_id, provider_id, vendor_cost, credits_deducted,"
                + " margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens, user_tier,"
                + " api_key_id, request_type, cached_input_tokens, reasoning_tokens, latency_ms,"
                + " time_to_first_token_ms, error_code, is_streaming, upstream_request_id, session_id, metadata,"
                + " updated_at";
        try (Connection connection = coordinator.getConnection()) {
            Sql.update(connection, "INSERT INTO " + DISTRIBUTED + ".providers SELECT * FROM " + SINGLE + ".providers");
            Sql.update(
                    connection,
                    "INSERT INTO " + DISTRIBUTED + ".token_usage_ledger (" + columns + ") SELECT "
                            + columns.replace("status", "status::text::" + DISTRIBUTED + ".request_status")
                            + " FROM " + SINGLE + ".token_usage_ledger");
        }
    }

    private String render(
            String command,
            Instant started,
            Machine machine,
            String workers,
            Instant end,
            SeedResult seed,
            Duration copy,
            Duration singleBuild,
            Duration citusBuild,
            List<Cell> cells,
            Duration wallTime) {
        StringBuilder md = new StringBuilder();
        md.append(MarkdownReport.header(
                "A distributed ledger beside a single node (`analytics-bench citus`)",
                started,
                wallTime,
                command,
                machine));
        md.append(String.format(
                Locale.ROOT,
                "- Cluster: %s; every node on this machine. Single node: plain tables in schema `%s` on the "
                        + "coordinator; distributed: schema `%s`, distributed by `distributeOverCitus()`.%n"
                        + "- Data: %s rows, one year of requests ending %s, %,d users, seed %d, partitioned by month; "
                        + "seeded into the single node in %s, copied into the distributed ledger by "
                        + "`INSERT ... SELECT` in %s; the rollups built from them in %s (single node) and %s "
                        + "(Citus); both ledgers and their rollups vacuumed and analyzed. "
                        + "Each query over the last %s: up to %d warm-up runs (fewer once they took %d s), then %d "
                        + "timed runs, each side through one open connection; nearest-rank percentiles.%n"
                        + "- Same answer: the distributed answers equal the single node's, each read the same way "
                        + "(from the ledger, through the rollups), `equals` on the result records.%n%n",
                workers,
                SINGLE,
                DISTRIBUTED,
                size,
                end,
                size.users(),
                BenchLedger.SEED,
                MarkdownReport.duration(seed.elapsed()),
                MarkdownReport.duration(copy),
                MarkdownReport.duration(singleBuild),
                MarkdownReport.duration(citusBuild),
                String.join(", ", ranges.stream().map(QueryRange::toString).toList()),
                warmup,
                Timing.WARMUP_BUDGET_NANOS / 1_000_000_000L,
                runs));
        md.append(
                "| Query | Range | Single node, ledger p50 / p95 / max (ms) | Single node, rollups p50 / p95 / max (ms)"
                        + " | Citus, ledger p50 / p95 / max (ms) | Citus, rollups p50 / p95 / max (ms)"
                        + " | Citus ÷ single node, ledger (p50) | Citus ÷ single node, rollups (p50) | Same answer |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Cell cell : cells) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %.2f× | %.2f× | %s |%n",
                    cell.query().method(),
                    cell.range(),
                    cell.singleLedger(),
                    cell.singleRollups(),
                    cell.citus(),
                    cell.citusRollups(),
                    cell.citus().p50() / cell.singleLedger().p50(),
                    cell.citusRollups().p50() / cell.singleRollups().p50(),
                    cell.sameAnswer() ? "yes" : "**no**"));
        }
        return md.toString().stripTrailing() + "\n";
    }
}
