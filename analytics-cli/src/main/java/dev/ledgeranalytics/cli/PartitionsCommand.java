package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.partition.ConversionResult;
import dev.ledgeranalytics.partition.LedgerPartition;
import dev.ledgeranalytics.partition.Partitions;
import java.io.PrintWriter;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "partitions",
        mixinStandardHelpOptions = true,
        description = {
            "List the ledger's monthly partitions, or create the months ahead (docs/partitioning.md).",
            "Schedule 'partitions ensure' (e.g. daily); it is idempotent and safe from many instances at once."
        })
final class PartitionsCommand implements Callable<Integer> {

    /** What to do with the partitions. */
    enum Action {
        LIST,
        ENSURE,
        CONVERT
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
            description = "list; ensure (create the current month and the months ahead, and move rows of months "
                    + "without a partition out of the default partition); or convert (turn an unpartitioned ledger "
                    + "into a partitioned one while writers keep writing).")
    private Action action;

    @Option(
            names = "--ahead",
            paramLabel = "MONTHS",
            defaultValue = "3",
            description = "Months after the current one that 'ensure' creates, 0 to " + Partitions.MAX_MONTHS_AHEAD
                    + " (default: ${DEFAULT-VALUE}).")
    private int ahead;

    @Option(
            names = "--from",
            paramLabel = "YYYY-MM",
            description = "With 'ensure': also create the months from this one to the current one, before "
                    + "loading history.")
    private YearMonth from;

    @Override
    public Integer call() {
        Partitions partitions =
                Partitions.create(database.longRunningDataSource()).withSchema(database.schema);
        PrintWriter out = spec.commandLine().getOut();
        if (action == Action.CONVERT) {
            ConversionResult converted = partitions.convert();
            out.printf(
                    Locale.ROOT,
                    "converted: %,d rows copied into %d partitions in %.1f s; writers waited at most %d ms%n",
                    converted.rowsCopied(),
                    converted.partitions().size(),
                    converted.elapsed().toMillis() / 1000.0,
                    converted.longestWritePause().toMillis());
        }
        if (action == Action.ENSURE) {
            List<LedgerPartition> created = from == null ? partitions.ensure(ahead) : partitions.ensure(from, ahead);
            out.printf(Locale.ROOT, "created %d partition%s%n", created.size(), created.size() == 1 ? "" : "s");
            created.forEach(partition -> out.println("  " + partition.name()));
        }
        out.printf(Locale.ROOT, "%-32s %-7s %14s %12s%n", "partition", "month", "rows (est.)", "size");
        for (LedgerPartition partition : partitions.list()) {
            out.printf(
                    Locale.ROOT,
                    "%-32s %-7s %,14d %12s%n",
                    partition.name(),
                    partition.isDefault() ? "other" : partition.month(),
                    partition.estimatedRows(),
                    Format.bytes(partition.bytes()));
        }
        return 0;
    }
}
