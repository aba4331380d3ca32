package dev.ledgeranalytics.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Renders a {@code partitioning} run as a Markdown section: the conversions under load, dropping
 * months against deleting them, and sizes and VACUUM per partition against the whole table. A
 * figure measured more than once is given as the lowest and the highest ({@code 12–15}), as the
 * load run's report gives it.
 */
final class PartitioningReport {

    private static final double MIB = 1024.0 * 1024.0;

    private PartitioningReport() {}

    /**
     * @param command the exact command line
     * @param plan    the load during each conversion
     * @param runs    months removed, and VACUUM runs per table
     * @param result  what the run measured
     */
    static String render(String command, LoadPlan plan, int runs, PartitioningResult result) {
        StringBuilder md = new StringBuilder();
        md.append(MarkdownReport.header(
                "Partitioning, measured (`analytics-bench partitioning`)",
                result.started(),
                result.wallTime(),
                command,
                result.machine()));
        md.append(String.format(
                Locale.ROOT,
                "- Each ledger: %s rows seeded over the year before the run (%,d users, seed %d), unpartitioned, "
                        + "rollups built in refresh mode, every page all-visible. %d conversion%s, each of its own "
                        + "ledger: %d writer%s inserting %,d rows/s in all (single-row INSERTs, each in its own "
                        + "transaction) and %d reader%s loading the dashboard over the last %s, for %s before the "
                        + "conversion and %s after it. %d months deleted and dropped; %d VACUUM runs per table.\n",
                result.size(),
                result.size().users(),
                BenchLedger.SEED,
                result.conversions().size(),
                result.conversions().size() == 1 ? "" : "s",
                plan.writers(),
                plan.writers() == 1 ? "" : "s",
                plan.insertRate(),
                plan.readers(),
                plan.readers() == 1 ? "" : "s",
                plan.ranges().get(0),
                LoadPlan.shown(plan.duration()),
                LoadPlan.shown(plan.duration()),
                runs,
                runs));
        md.append("- Load average (1 / 5 / 15 min): ")
                .append(result.loads().entrySet().stream()
                        .map(step -> step.getKey() + " " + step.getValue())
                        .collect(Collectors.joining("; ")))
                .append(".\n");
        conversions(md, result.conversions());
        removals(md, result);
        sizes(md, result);
        return md.toString();
    }

    private static void conversions(StringBuilder md, List<ConversionUnderLoad.Figures> runs) {
        md.append("\n### Online conversion under load (`Partitions.convert()`)\n\n");
        md.append("| Figure | ")
                .append(runs.size() == 1 ? "Measured" : "Lowest–highest of " + runs.size() + " conversions")
                .append(" |\n|---|---|\n");
        row(
                md,
                "Conversion, start to end (s)",
                spread(runs, f -> f.result().elapsed().toMillis() / 1000.0, "%,.1f"));
        row(md, "Rows copied", spread(runs, f -> f.result().rowsCopied(), "%,.0f"));
        row(
                md,
                "Longest write pause, as the conversion measured it: the longer of its two locks (ms)",
                spread(runs, f -> f.result().longestWritePause().toNanos() / 1e6, "%,.1f"));
        row(
                md,
                "Slowest INSERT while it ran (ms)",
                spread(runs, f -> max(f.writes().get(Phase.CONVERSION)), "%,.1f"));
        for (Phase phase : ConversionUnderLoad.PHASES) {
            row(
                    md,
                    "INSERT p50 / p95 / max, " + when(phase) + " (ms)",
                    LoadReport.timings(runs, f -> f.writes().get(phase)));
        }
        row(
                md,
                "Rows inserted: " + phaseNames(),
                ConversionUnderLoad.PHASES.stream()
                        .map(phase -> spread(runs, f -> f.inserted().getOrDefault(phase, 0L), "%,.0f"))
                        .collect(Collectors.joining(" · ")));
        row(
                md,
                "WAL written while it ran, the writers' included (MiB)",
                spread(runs, f -> f.walBytes() / MIB, "%,.0f"));
        row(
                md,
                "Ledger before → after: table + indexes (MiB)",
                spread(runs, f -> total(f.storageBefore()), "%,.0f") + " → "
                        + spread(runs, f -> total(f.storageAfter()), "%,.0f") + " in "
                        + spread(runs, f -> f.storageAfter().partitions(), "%.0f") + " partitions");
        row(
                md,
                "Rows lost or doubled (the ledger's rows against the seeded ones and every row the writers saw "
                        + "committed, each writer's by its `api_key_id`, and ids held twice)",
                runs.stream()
                        .map(f -> String.format(
                                Locale.ROOT,
                                "%,d rows of %,d expected, %d writers miscounted, %d ids doubled",
                                f.rows().inLedger(),
                                f.rows().expected(),
                                f.rows().writersMiscounted(),
                                f.doubledIds()))
                        .collect(Collectors.joining(" · ")));
        row(
                md,
                "Answers over the seeded year from the ledger alone, before the load and after",
                answers(runs, f -> f.unchanged()));
        row(
                md,
                "Answers through the rollups against the ledger alone, after a refresh",
                answers(runs, f -> f.rollups()));
        row(
                md,
                "Rollup buckets whose request counts differ from the ledger's",
                runs.stream()
                        .map(f -> f.counts().differing().isEmpty()
                                ? String.format(
                                        Locale.ROOT, "none of %,d", f.counts().buckets())
                                : f.counts().differing().toString())
                        .collect(Collectors.joining(" · ")));
        row(
                md,
                "Failures",
                runs.stream()
                        .map(f -> f.failures().isEmpty()
                                ? "none"
                                : f.failures().stream()
                                        .map(LoadResult.Failure::toString)
                                        .collect(Collectors.joining("; ")))
                        .collect(Collectors.joining(" · ")));
        md.append("\nReader latency, p50 / p95 / max (ms):\n\n| Query | ")
                .append(phaseNames().replace(" · ", " | "))
                .append(" |\n|---|---|---|---|\n");
        for (DashboardQuery query : DashboardQuery.values()) {
            md.append("| ").append(query.method());
            for (Phase phase : ConversionUnderLoad.PHASES) {
                md.append(" | ")
                        .append(LoadReport.timings(
                                runs, f -> f.reads().get(query).get(phase)));
            }
            md.append(" |\n");
        }
    }

    private static void removals(StringBuilder md, PartitioningResult result) {
        md.append("\n### Dropping a month against deleting its rows\n\n");
        md.append("Each month's rows removed from a ledger of the year: by `Retention.keepMonths` from the "
                + "converted ledger (its partition detached and dropped), and by one `DELETE` of the same rows "
                + "from the unpartitioned one; each followed by a VACUUM of the ledger. WAL counts every session's, "
                + "the rollups' upkeep included, as this server writes it: where `full_page_writes` is on (the "
                + "machine's settings above say whether it is), a `DELETE` also writes a page image for each page "
                + "it first changes after a checkpoint, and a drop does not.\n\n");
        md.append("| Month | Rows | How | Took (s) | WAL (MiB) | VACUUM after (s) | VACUUM WAL (MiB) "
                + "| Ledger after (MiB) |\n|---|---|---|---|---|---|---|---|\n");
        List<MonthRemoval> deletes = result.unpartitioned().deletes();
        List<MonthRemoval> drops = result.partitioned().drops();
        for (int i = 0; i < deletes.size(); i++) {
            removal(md, "`DELETE`", deletes.get(i));
            removal(md, "retention", drops.get(i));
        }
        md.append("\nSpread over the ")
                .append(deletes.size())
                .append(" months: `DELETE` ")
                .append(spread(deletes, r -> r.seconds(), "%,.2f"))
                .append(" s and ")
                .append(spread(deletes, r -> r.walBytes() / MIB, "%,.0f"))
                .append(" MiB of WAL, then VACUUM ")
                .append(spread(deletes, r -> r.vacuum().seconds(), "%,.2f"))
                .append(" s; retention ")
                .append(spread(drops, r -> r.seconds(), "%,.2f"))
                .append(" s and ")
                .append(spread(drops, r -> r.walBytes() / MIB, "%,.1f"))
                .append(" MiB of WAL, then VACUUM ")
                .append(spread(drops, r -> r.vacuum().seconds(), "%,.2f"))
                .append(" s. Retention first dropped the seeded year's partial first month (")
                .append(String.format(
                        Locale.ROOT,
                        "%,d rows, %.2f s",
                        result.partitioned().partialDrop().rows(),
                        result.partitioned().partialDrop().seconds()))
                .append("), as it drops every month before the one kept.\n");
    }

    private static void removal(StringBuilder md, String how, MonthRemoval removal) {
        md.append(String.format(
                Locale.ROOT,
                "| %s | %,d | %s | %.2f | %,.1f | %.2f | %,.1f | %,.0f → %,.0f |\n",
                removal.month(),
                removal.rows(),
                how,
                removal.seconds(),
                removal.walBytes() / MIB,
                removal.vacuum().seconds(),
                removal.vacuum().walBytes() / MIB,
                total(removal.before()),
                total(removal.afterward())));
    }

    private static void sizes(StringBuilder md, PartitioningResult result) {
        PartitioningResult.Partitioned partitioned = result.partitioned();
        LedgerStorage whole = result.unpartitioned().storage();
        md.append("\n### Sizes and VACUUM per partition\n\n");
        md.append(String.format(
                Locale.ROOT,
                "The unpartitioned ledger: table %,.1f MiB, indexes %,.1f MiB (%s). The converted ledger, after its "
                        + "first VACUUM until all-visible (%.1f s), partition by partition:\n\n",
                whole.table() / MIB,
                whole.indexes() / MIB,
                mebibytes(whole.each()),
                partitioned.settle()));
        md.append("| Partition | Rows | Table (MiB) | Indexes (MiB) |\n|---|---|---|---|\n");
        for (PartitionSizes partition : partitioned.partitions()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,.1f | %,.1f |\n",
                    partition.name(),
                    partition.rows(),
                    partition.table() / MIB,
                    partition.allIndexes() / MIB));
        }
        partitioned.partitions().stream()
                .max((a, b) -> Long.compare(a.rows(), b.rows()))
                .ifPresent(largest -> md.append("\nIndexes of the largest partition, ")
                        .append(largest.name())
                        .append(": ")
                        .append(mebibytes(largest.indexes()))
                        .append(".\n"));
        md.append("\nVACUUM, ")
                .append(runs(partitioned.vacuum()))
                .append(" run")
                .append(runs(partitioned.vacuum()) == 1 ? "" : "s")
                .append(" per table: every page read (`DISABLE_PAGE_SKIPPING`, as an aggressive VACUUM reads them), "
                        + "then after an UPDATE of the last day's rows with index cleanup forced, so that every index "
                        + "is read through.\n\n");
        md.append("| Table | Rows | Every page: s · pages | Rows updated | After the update: s · index passes "
                + "· dead rows removed · WAL (MiB) |\n|---|---|---|---|---|\n");
        vacuum(md, result.unpartitioned().vacuum());
        vacuum(md, partitioned.vacuum());
    }

    private static void vacuum(StringBuilder md, VacuumCosts costs) {
        md.append(String.format(Locale.ROOT, "| %s | %,d | ", costs.table(), costs.rows()))
                .append(spread(costs.fullPass(), VacuumRun::seconds, "%,.2f"))
                .append(" · ")
                .append(spread(costs.fullPass(), VacuumRun::pages, "%,.0f"))
                .append(String.format(Locale.ROOT, " | %,d | ", costs.updatedRows()))
                .append(spread(costs.afterUpdate(), VacuumRun::seconds, "%,.2f"))
                .append(" · ")
                .append(spread(costs.afterUpdate(), VacuumRun::indexScans, "%.0f"))
                .append(" · ")
                .append(spread(costs.afterUpdate(), VacuumRun::tuplesRemoved, "%,.0f"))
                .append(" · ")
                .append(spread(costs.afterUpdate(), r -> r.walBytes() / MIB, "%,.1f"))
                .append(" |\n");
    }

    private static int runs(VacuumCosts costs) {
        return costs.fullPass().size();
    }

    private static void row(StringBuilder md, String figure, String measured) {
        md.append("| ").append(figure).append(" | ").append(measured).append(" |\n");
    }

    private static <T> String spread(List<T> runs, ToDoubleFunction<T> figure, String format) {
        return LoadReport.spread(runs, figure, format);
    }

    private static String answers(
            List<ConversionUnderLoad.Figures> runs, Function<ConversionUnderLoad.Figures, LoadChecks.Answers> answers) {
        return runs.stream().map(answers).map(LoadChecks.Answers::toString).collect(Collectors.joining(" · "));
    }

    private static String phaseNames() {
        return ConversionUnderLoad.PHASES.stream().map(PartitioningReport::when).collect(Collectors.joining(" · "));
    }

    /** A conversion's phase, as its columns and rows name it. */
    private static String when(Phase phase) {
        return switch (phase) {
            case CONVERSION -> "during the conversion";
            case CONVERTED -> "after it";
            default -> "before it";
        };
    }

    private static double max(Timing timing) {
        return timing == null ? Double.NaN : timing.max();
    }

    private static double total(LedgerStorage storage) {
        return (storage.table() + storage.indexes()) / MIB;
    }

    /** Each index's size, as {@code name 12.3 MiB}, largest first. */
    private static String mebibytes(Map<String, Long> indexes) {
        return indexes.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(index -> String.format(Locale.ROOT, "%s %,.1f MiB", index.getKey(), index.getValue() / MIB))
                .collect(Collectors.joining(", "));
    }
}
