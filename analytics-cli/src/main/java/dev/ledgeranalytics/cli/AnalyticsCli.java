package dev.ledgeranalytics.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
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
            "5:ledger schema not migrated (run `migrate` first), or a migration failed (run `migrate --repair`)",
            "6:invalid value (date, zone, option)",
            "7:the database did not answer in time (--connect-timeout, --login-timeout, --socket-timeout)",
            "64:invalid command line",
            "70:unexpected failure",
            "74:output could not be written (closed pipe, full disk, unwritable file)"
        })
public final class AnalyticsCli implements Runnable {

    private static final String VERBOSE = "--verbose";

    private static final String FLYWAY_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.flywaydb";

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
        quietLibraryLogging(Arrays.asList(args).contains(VERBOSE));
        PrintWriter out = StandardOutput.of(new FileOutputStream(FileDescriptor.out));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /**
     * Flyway logs a failed migration itself, as an ERROR line with a stack trace, before the CLI
     * prints its own one-line error; only {@code --verbose} shows it. Set before any logger exists,
     * which slf4j-simple configures once, when it is created.
     */
    private static void quietLibraryLogging(boolean verbose) {
        if (!verbose && System.getProperty(FLYWAY_LOG_LEVEL) == null) {
            System.setProperty(FLYWAY_LOG_LEVEL, "off");
        }
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        boolean verbose = Arrays.asList(args).contains(VERBOSE);
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
            DatabaseOptions database = databaseOptions(failed);
            String password = database == null ? null : database.password;
            ExitCode.Failure failure = ExitCode.of(error, database);
            err.println("error: " + Secrets.mask(failure.message(), password));
            if (verbose) {
                StringWriter trace = new StringWriter();
                error.printStackTrace(new PrintWriter(trace));
                err.print(Secrets.mask(trace.toString(), password));
            } else {
                err.println("(run with --verbose for details)");
            }
            err.flush();
            return failure.exit().code;
        });
        int code = commandLine.execute(args);
        Optional<String> outputFailure = StandardOutput.failureOf(out);
        if (outputFailure.isPresent() && code <= ExitCode.BROKEN.code) {
            // The command did its work, but what it printed did not arrive: a report cut off by a
            // closed pipe or a full disk must not exit 0.
            err.println("error: " + outputFailure.get());
            code = ExitCode.OUTPUT.code;
        }
        err.flush();
        return code;
    }

    /** The failed command's {@link DatabaseOptions}, if it has them. */
    private static DatabaseOptions databaseOptions(CommandLine failed) {
        return failed.getCommandSpec().mixins().values().stream()
                .map(CommandLine.Model.CommandSpec::userObject)
                .filter(DatabaseOptions.class::isInstance)
                .map(DatabaseOptions.class::cast)
                .findFirst()
                .orElse(null);
    }
}
