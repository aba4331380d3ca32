package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.AppliedMigration;
import dev.ledgeranalytics.migration.MigrationResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Apply the ledger schema's migrations to a database; safe to run again.")
final class MigrateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Override
    public Integer call() {
        MigrationResult result = AnalyticsMigrations.create(database.dataSource())
                .withSchema(database.schema)
                .migrate();
        PrintWriter out = spec.commandLine().getOut();
        for (AppliedMigration migration : result.applied()) {
            out.printf(
                    "applied V%s %s (%d ms)%n",
                    migration.version(), migration.description(), migration.executionMillis());
        }
        out.printf(
                "schema \"%s\" is at version %s%s%n",
                result.schema(), result.currentVersion(), result.applied().isEmpty() ? " (nothing to apply)" : "");
        return 0;
    }
}
