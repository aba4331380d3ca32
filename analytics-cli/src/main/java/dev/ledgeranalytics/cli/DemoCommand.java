package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.SeedResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Start an embedded PostgreSQL, migrate, seed a realistic ledger and show the dashboard of the last 30 days.")
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
        long started = System.nanoTime();
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
            try (Connection connection = database.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                // Fresh statistics and a complete visibility map, as a ledger in production has them.
                statement.execute("VACUUM ANALYZE analytics.token_usage_ledger");
            }
            long queriesStarted = System.nanoTime();
            Dashboard dashboard = Dashboard.load(
                    AnalyticsQueries.create(database.dataSource()),
                    LedgerFilter.between(now.minus(Duration.ofDays(30)), now),
                    Granularity.DAY,
                    zoneId);
            long queryMillis = (System.nanoTime() - queriesStarted) / 1_000_000;
            TerminalDashboard.print(dashboard, out);
            if (html != null) {
                OutputFile.write(html, file -> file.write(HtmlReport.render(dashboard)));
                out.println();
                out.println("Wrote the HTML report to " + html.toAbsolutePath());
            }
            out.printf(
                    Locale.ROOT,
                    "%nThe five dashboard queries took %d ms; the whole demo %.1f s.%n",
                    queryMillis,
                    (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }
}
