package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.VerificationReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Check a database's ledger schema against what this version needs: migrations applied, table, columns, "
                    + "status values, indexes (present, valid, used), planner statistics and the dashboard queries' plans.",
            "Nothing is changed; the queries are only EXPLAINed."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:READY: everything is there and healthy",
            "1:DEGRADED: figures are right but may be slow (an analytics index missing or invalid, stale statistics, "
                    + "a plan off its index)",
            "2:BROKEN: queries fail or may be wrong (table, column, status value or key missing or wrong; a migration "
                    + "of this version not applied, or recorded as failed)",
            "3:database unreachable",
            "4:authentication failed",
            "6:invalid value (--schema, a timeout)",
            "7:the database did not answer in time",
            "64:invalid command line",
            "70:unexpected failure",
            "74:the report could not be written"
        })
final class VerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Option(names = "--json", description = "Print the report as one JSON object, for machines")
    private boolean json;

    @Override
    public Integer call() {
        VerificationReport report = SchemaVerifier.verify(database.dataSource(), database.schema);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(VerificationJson.write(report));
        } else {
            VerificationText.print(report, out);
        }
        return ExitCode.of(report.status()).code;
    }
}
