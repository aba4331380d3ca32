package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.RollupStatus;
import dev.ledgeranalytics.rollup.Rollups;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "rollups",
        mixinStandardHelpOptions = true,
        description = {
            "Build, refresh or inspect the rollups the queries read over long ranges (docs/rollups.md).",
            "Schedule 'rollups refresh' (e.g. every minute from cron); the first refresh builds them."
        })
final class RollupsCommand implements Callable<Integer> {

    /** What to do with the rollups. */
    enum Action {
        REFRESH,
        REBUILD,
        STATUS,
        DISABLE
    }

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Parameters(
            index = "0",
            paramLabel = "ACTION",
            description = "refresh (apply recorded writes; build on first use), rebuild (from the whole ledger), "
                    + "status, or disable (stop maintaining them; queries read the ledger alone).")
    private Action action;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "Also set how writes reach the rollups: refresh (recorded for the next refresh) or trigger "
                    + "(inserts applied in the writer's transaction).")
    private RollupMode mode;

    @Override
    public Integer call() {
        Rollups rollups = Rollups.create(database.longRunningDataSource()).withSchema(database.schema);
        PrintWriter out = spec.commandLine().getOut();
        if (mode != null) {
            rollups.mode(mode);
        }
        switch (action) {
            case REFRESH, REBUILD -> {
                RefreshResult result = action == Action.REFRESH ? rollups.refresh() : rollups.rebuild();
                out.printf(
                        Locale.ROOT,
                        "%s %,d quarter hours in %.1f s%n",
                        result.rebuilt() ? "built from the whole ledger:" : "refreshed",
                        result.quarterHours(),
                        result.took().toMillis() / 1000.0);
            }
            case DISABLE -> {
                rollups.disable();
                out.println("disabled: the rollup tables are empty and the queries read the ledger alone");
            }
            case STATUS -> {
                // printed below, as after every action
            }
        }
        RollupStatus status = rollups.status();
        out.printf(
                Locale.ROOT,
                "rollups in schema \"%s\": %s, mode %s, %,d quarter hours pending%n",
                database.schema,
                status.built() ? "built " + status.builtAt() + ", refreshed " + status.refreshedAt() : "not built",
                status.mode().name().toLowerCase(Locale.ROOT),
                status.pendingQuarterHours());
        if (status.retainedFrom() != null) {
            out.println("raw rows kept from " + status.retainedFrom()
                    + " on (retention); the rollups alone answer for earlier months");
        }
        return 0;
    }
}
