package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.migration.AnalyticsGrants;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "grants",
        mixinStandardHelpOptions = true,
        description = {
            "Grant the gateway's and the dashboard's database roles exactly what they need in the ledger schema "
                    + "(docs/roles.md): the writer inserts and updates ledger rows, the reader runs report, export "
                    + "and verify, rollups built or not.",
            "Prints the statements as one transaction, to review or to run with any SQL client; --apply runs them. "
                    + "Connect as the ledger's owner (the role that runs migrate) or a member of it; the roles must "
                    + "exist. Safe to run again; do so after each upgrade."
        })
final class GrantsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Option(
            names = "--writer",
            required = true,
            paramLabel = "ROLE",
            description = "The gateway's role: INSERT and UPDATE on the ledger, and what those statements read")
    private String writer;

    @Option(
            names = "--reader",
            required = true,
            paramLabel = "ROLE",
            description = "The dashboard's role: SELECT on everything the queries, the export and verify read")
    private String reader;

    @Option(names = "--apply", description = "Grant the privileges now, in one transaction, instead of printing them")
    private boolean apply;

    @Override
    public Integer call() {
        AnalyticsGrants grants = AnalyticsGrants.create(database.dataSource())
                .withSchema(database.schema)
                .withWriter(writer)
                .withReader(reader);
        PrintWriter out = spec.commandLine().getOut();
        if (apply) {
            List<String> applied = grants.apply();
            applied.forEach(statement -> out.println(statement + ";"));
            out.printf(
                    "granted in schema \"%s\": writer %s, reader %s (%d statements, one transaction)%n",
                    database.schema, writer, reader, applied.size());
        } else {
            out.printf(
                    "-- Ledger Analytics roles in schema \"%s\": writer %s, reader %s (docs/roles.md)%n",
                    database.schema, writer, reader);
            out.println("BEGIN;");
            grants.statements().forEach(statement -> out.println(statement + ";"));
            out.println("COMMIT;");
        }
        return 0;
    }
}
