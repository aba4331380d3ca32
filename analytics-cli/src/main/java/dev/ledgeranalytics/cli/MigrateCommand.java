package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.AppliedMigration;
import dev.ledgeranalytics.migration.CitusDistribution;
import dev.ledgeranalytics.migration.HistoryRepair;
import dev.ledgeranalytics.migration.MigrationResult;
import dev.ledgeranalytics.migration.SchemaMigration;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Apply the ledger schema's migrations to a database; safe to run again.",
            "A migration interrupted half-way (V2's index builds, cancelled or cut off) is recorded as failed and "
                    + "blocks the next migrate: fix the cause, then run 'migrate --repair'."
        })
final class MigrateCommand implements Callable<Integer> {

    private static final String REPAIR_ADVICE = "; the history records it as failed, which blocks every later "
            + "migration: once the cause is fixed, run `analytics migrate --repair`";

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Option(
            names = "--repair",
            description = "First remove the records of failed migrations from the history, so that they run again")
    private boolean repair;

    @Option(
            names = "--citus",
            description = "Then distribute the schema over the Citus cluster whose coordinator the URL names: the "
                    + "ledger sharded by user_id, the small tables copied to every node (docs/scale-out.md); "
                    + "safe to run again")
    private boolean citus;

    @Override
    public Integer call() {
        AnalyticsMigrations migrations =
                AnalyticsMigrations.create(database.longRunningDataSource()).withSchema(database.schema);
        PrintWriter out = spec.commandLine().getOut();
        if (repair) {
            HistoryRepair repaired = migrations.repair();
            for (SchemaMigration removed : repaired.removedFailed()) {
                out.printf("removed the failed %s from the history; it runs again now%n", removed);
            }
            for (SchemaMigration realigned : repaired.realigned()) {
                out.printf("realigned the recorded checksum and description of %s%n", realigned);
            }
        } else {
            List<SchemaMigration> failed = migrations.history().failed();
            if (!failed.isEmpty()) {
                throw new CommandFailure(
                        ExitCode.NOT_MIGRATED, describe(failed) + " failed in an earlier run" + REPAIR_ADVICE, null);
            }
        }
        MigrationResult result;
        try {
            result = migrations.migrate();
        } catch (AnalyticsException e) {
            throw failedMigration(migrations, e);
        }
        for (AppliedMigration migration : result.applied()) {
            out.printf(
                    "applied V%s %s (%d ms)%n",
                    migration.version(), migration.description(), migration.executionMillis());
        }
        out.printf(
                "schema \"%s\" is at version %s%s%n",
                result.schema(), result.currentVersion(), result.applied().isEmpty() ? " (nothing to apply)" : "");
        if (citus) {
            CitusDistribution distribution = migrations.distributeOverCitus();
            out.printf(
                    "%s over Citus: %s sharded by %s, %s copied to every node%n",
                    distribution.changed() ? "distributed" : "already distributed",
                    String.join(", ", distribution.distributed()),
                    distribution.distributionColumn(),
                    String.join(", ", distribution.reference()));
        }
        return 0;
    }

    /**
     * A migrate that left a failed record in the history names it, and what to run: nothing else
     * works until it is repaired. Any other failure is reported as it is.
     */
    private static RuntimeException failedMigration(AnalyticsMigrations migrations, AnalyticsException failure) {
        if (failure.sqlState().filter(state -> state.startsWith("08")).isPresent()) {
            return failure;
        }
        List<SchemaMigration> failed;
        try {
            failed = migrations.history().failed();
        } catch (AnalyticsException historyUnreadable) {
            failure.addSuppressed(historyUnreadable);
            return failure;
        }
        if (failed.isEmpty()) {
            return failure;
        }
        return new CommandFailure(
                ExitCode.NOT_MIGRATED,
                describe(failed) + " failed: " + ExitCode.rootMessage(failure) + REPAIR_ADVICE,
                failure);
    }

    private static String describe(List<SchemaMigration> failed) {
        return "migration " + failed.stream().map(SchemaMigration::toString).collect(Collectors.joining(", "));
    }
}
