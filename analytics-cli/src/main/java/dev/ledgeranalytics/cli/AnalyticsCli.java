package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;

/**
 * The {@code analytics} command line: {@code demo}, {@code report}, {@code export},
 * {@code migrate} and {@code verify}. Failures print one line on stderr and exit with a code per kind of failure
 * (see {@code --help}); {@code --verbose} adds the stack trace.
 */
@Command(
        name = "analytics",
        mixinStandardHelpOptions = true,
        version = "Ledger Analytics 0.1.0-SNAPSHOT",
        description = "Finance analytics over a PostgreSQL ledger of metered LLM API requests.",
        subcommands = {
            DemoCommand.class,
            ReportCommand.class,
            ExportCommand.class,
            MigrateCommand.class,
            RollupsCommand.class,
            VerifyCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (`verify`: READY)",
            "1:`verify`: DEGRADED",
            "2:`verify`: BROKEN",
            "3:database unreachable",
            "4:authentication failed",
            "5:ledger schema not migrated (run `migrate` first)",
            "6:invalid value (date, zone, option)",
            "64:invalid command line",
            "70:unexpected failure"
        })
public final class AnalyticsCli implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    private AnalyticsCli() {}

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments, such as {@code demo --rows 100000}
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine commandLine = new CommandLine(new AnalyticsCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        IParameterExceptionHandler parseFailure = commandLine.getParameterExceptionHandler();
        commandLine.setParameterExceptionHandler((error, arguments) -> {
            parseFailure.handleParseException(error, arguments);
            return ExitCode.USAGE.code;
        });
        commandLine.setExecutionExceptionHandler((error, failed, parseResult) -> {
            ExitCode.Failure failure = ExitCode.of(error, schema(failed));
            err.println("error: " + failure.message());
            if (verbose) {
                error.printStackTrace(err);
            } else {
                err.println("(run with --verbose for details)");
            }
            err.flush();
            return failure.exit().code;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The schema the failed command was pointed at, from its {@link DatabaseOptions} if it has them. */
    private static String schema(CommandLine failed) {
        return failed.getCommandSpec().mixins().values().stream()
                .map(CommandLine.Model.CommandSpec::userObject)
                .filter(DatabaseOptions.class::isInstance)
                .map(options -> ((DatabaseOptions) options).schema)
                .findFirst()
                .orElse(AnalyticsMigrations.DEFAULT_SCHEMA);
    }
}
