package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start an embedded PostgreSQL, migrate, seed a realistic ledger, build its rollups and show the "
                + "dashboard of the last 30 days, timed through the rollups and from the ledger alone.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Option(
            names = "--rows",
            defaultValue = "1000000",
            description = "Rows to seed over 90 days (default: ${DEFAULT-VALUE})")
    private long rows;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the data (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(
            names = "--zone",
            defaultValue = "UTC",
            description = "IANA time zone of the trend (default: ${DEFAULT-VALUE})")
    private String zone;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description = "Also write the dashboard as a self-contained HTML file")
    private Path html;

    @Override
    public Integer call() throws Exception {
        long demoStarted = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ZoneId zoneId = FilterOptions.zone(zone);
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be at least 1, but was " + rows);
        }
        out.println("Starting an embedded PostgreSQL and migrating the ledger schema...");
        out.flush();
        try (TestDatabase database = TestDatabase.migrated()) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
            ProgressBar progress = new ProgressBar(err, rows, rows >= 100_000);
            SeedResult seeded = LedgerSeeder.into(database.dataSource())
                    .rows(rows)
                    .seed(seed)
                    .between(now.minus(Duration.ofDays(90)), now)
                    .users((int) Math.min(1_000_000, Math.max(100, rows / 50)))
                    .rebuildIndexes(rows >= 100_000)
                    .progress(progress::update)
                    .load();
            progress.done();
            out.printf(
                    Locale.ROOT,
                    "Seeded %s rows over 90 days in %.1f s (%s rows/s, indexes included).%n",
                    Format.count(seeded.rows()),
                    seeded.elapsed().toMillis() / 1000.0,
                    Format.count((long) seeded.rowsPerSecond()));
            RefreshResult build = Rollups.create(database.dataSource()).refresh();
            out.printf(
                    Locale.ROOT,
                    "Built the rollups (Rollups.refresh()) in %.1f s: %s quarter hours.%n",
                    build.took().toMillis() / 1000.0,
                    Format.count(build.quarterHours()));
            DemoRun run = loadDashboard(
                    database.dataSource(), LedgerFilter.between(now.minus(Duration.ofDays(30)), now), zoneId);
            TerminalDashboard.print(run.dashboard(), out);
            if (html != null) {
                OutputFile.write(html, file -> file.write(HtmlReport.render(run.dashboard())));
                out.println();
                out.println("Wrote the HTML report to " + html.toAbsolutePath());
            }
            out.printf(
                    Locale.ROOT,
                    "%nThe five dashboard queries took %s ms through the rollups and %s ms from the ledger alone "
                            + "(withRawReads()); the whole demo %.1f s.%n",
                    Format.count(run.rollupMillis()),
                    Format.count(run.rawMillis()),
                    (System.nanoTime() - demoStarted) / 1e9);
        }
        return 0;
    }

    /** The dashboard through the rollups, and how long its five queries took that way and from the ledger alone. */
    private record DemoRun(Dashboard dashboard, long rollupMillis, long rawMillis) {}

    private static DemoRun loadDashboard(DataSource dataSource, LedgerFilter filter, ZoneId zone) throws SQLException {
        // One connection for both, as a host's pool holds one: opening a connection per query costs
        // more than a query through the rollups.
        try (Connection connection = dataSource.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                // Fresh statistics and a complete visibility map, as a ledger and its rollups have them in production.
                statement.execute("VACUUM ANALYZE");
            }
            AnalyticsQueries queries = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES));
            long started = System.nanoTime();
            Dashboard dashboard = Dashboard.load(queries, filter, Granularity.DAY, zone);
            long rollupMillis = (System.nanoTime() - started) / 1_000_000;
            started = System.nanoTime();
            Dashboard.load(queries.withRawReads(), filter, Granularity.DAY, zone);
            return new DemoRun(dashboard, rollupMillis, (System.nanoTime() - started) / 1_000_000);
        }
    }
}
