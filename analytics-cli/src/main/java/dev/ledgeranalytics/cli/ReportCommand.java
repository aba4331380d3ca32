package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.AnalyticsQueries;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Show the dashboard for a real database (by default the last 30 days, successful requests).")
final class ReportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Mixin
    private FilterOptions filter;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description = "Also write the dashboard as a self-contained HTML file")
    private Path html;

    @Override
    public Integer call() throws Exception {
        AnalyticsQueries queries =
                AnalyticsQueries.create(database.dataSource()).withSchema(database.schema);
        Dashboard dashboard = Dashboard.load(queries, filter.filter(Instant.now()), filter.granularity, filter.zone());
        TerminalDashboard.print(dashboard, spec.commandLine().getOut());
        if (html != null) {
            OutputFile.write(html, file -> file.write(HtmlReport.render(dashboard)));
            spec.commandLine().getOut().println("Wrote the HTML report to " + html.toAbsolutePath());
        }
        return 0;
    }
}
