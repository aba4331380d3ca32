package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.partition.Retention;
import dev.ledgeranalytics.partition.RetentionResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "retention",
        mixinStandardHelpOptions = true,
        description = {
            "Drop the ledger's raw rows of months before the last --keep, once the rollups hold them (docs/partitioning.md).",
            "The dashboard over those months keeps answering from the rollups; what needs raw rows fails naming the boundary."
        })
final class RetentionCommand implements Callable<Integer> {

    private static final Pattern MONTHS = Pattern.compile("(\\d{1,4})\\s*months?");

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Option(
            names = "--keep",
            required = true,
            paramLabel = "MONTHS",
            description = "How many months of raw rows to keep, the current one included, such as 13months.")
    private String keep;

    @Option(
            names = "--archive",
            paramLabel = "DIR",
            description = "Write each dropped partition's rows to DIR/<partition>.csv first.")
    private Path archive;

    @Override
    public Integer call() {
        Matcher months = MONTHS.matcher(keep.strip());
        if (!months.matches() || Integer.parseInt(months.group(1)) < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--keep must be a number of months such as 13months, but was \"" + keep + "\"");
        }
        Retention retention = Retention.create(database.longRunningDataSource()).withSchema(database.schema);
        if (archive != null) {
            retention = retention.archiveTo(archive);
        }
        RetentionResult result = retention.keepMonths(Integer.parseInt(months.group(1)));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "dropped %d partition%s, %,d rows; raw rows kept from %s%n",
                result.dropped().size(),
                result.dropped().size() == 1 ? "" : "s",
                result.rowsDropped(),
                result.retainedFrom() == null ? "the beginning" : result.retainedFrom());
        result.dropped().forEach(name -> out.println("  " + name));
        result.archives().forEach(file -> out.println("  archived " + file));
        return 0;
    }
}
