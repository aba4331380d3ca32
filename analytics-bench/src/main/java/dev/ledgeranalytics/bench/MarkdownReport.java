package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.bench.SizeResult.Latency;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a benchmark run as a Markdown section: one latency table per size, with the seed's
 * targets, the baseline and an empty rollup column, followed by storage, plans, seeding and
 * export figures.
 */
final class MarkdownReport {

    private static final double MIB = 1024.0 * 1024.0;

    private MarkdownReport() {}

    /**
     * The report.
     *
     * @param command  the exact command line that produced it
     * @param started  when the run started
     * @param machine  what it ran on
     * @param layout   the ledgers' layout
     * @param options  warm-up, runs and data as a sentence
     * @param results  one per size
     * @param wallTime the whole run
     */
    static String render(
            String command,
            Instant started,
            Machine machine,
            Layout layout,
            String options,
            List<SizeResult> results,
            Duration wallTime) {
        StringBuilder md = new StringBuilder();
        md.append(header("Query latency (`analytics-bench`)", started, wallTime, command, machine));
        md.append("- ").append(options).append('\n');
        md.append("- Layout (`--layout ")
                .append(layout)
                .append("`): both ledgers ")
                .append(layout.description())
                .append(".\n");
        md.append(
                "- Indexed: the ledger with the indexes the migrations install, read alone (`withRawReads()`). Baseline: a copy of "
                        + "the same rows with only its primary key. Rollups: the indexed ledger through its rollups (docs/rollups.md), "
                        + "the default once they are built. Speed-up: baseline p50 / indexed p50. Rollup ×: indexed p50 / rollup p50.\n");
        md.append(
                "- Rollup target: over a year at 10M rows, p95 ≤ 50 ms (≤ 100 ms for the user breakdown's first page of 50); "
                        + "judged on every size's 365-day rows.\n");
        md.append("- Seed target / acceptable: the seed report's figures, stated for 100k rows; Pass compares the "
                + "indexed p95 with the acceptable limit at every size.\n");
        for (SizeResult result : results) {
            size(md, result);
        }
        return md.toString();
    }

    private static void size(StringBuilder md, SizeResult result) {
        md.append("\n### ").append(result.size()).append(" rows\n\n");
        md.append(
                "| Query | Range | Indexed p50 / p95 / max (ms) | Baseline p50 / p95 / max (ms) | Speed-up "
                        + "| Rollups p50 / p95 / max (ms) | Rollup × | Rollup target | Seed target / acceptable (ms) | Pass |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Latency latency : result.latencies()) {
            DashboardQuery query = latency.query();
            Boolean pass = latency.withinSeedLimit();
            md.append("| ")
                    .append(query.method())
                    .append(" | ")
                    .append(latency.range())
                    .append(" | ")
                    .append(latency.indexed())
                    .append(" | ")
                    .append(latency.baseline())
                    .append(" | ")
                    .append(format("%.1f×", latency.speedUp()))
                    .append(" | ")
                    .append(latency.rollups())
                    .append(" | ")
                    .append(format("%,.0f×", latency.rollupSpeedUp()))
                    .append(" | ")
                    .append(
                            latency.withinRollupTarget() == null
                                    ? "—"
                                    : (latency.withinRollupTarget() ? "pass" : "**fail**") + " (≤ "
                                            + query.rollupTargetMs() + ")")
                    .append(" | ")
                    .append(
                            query.seedAcceptableMs() == null
                                    ? "—"
                                    : query.seedTarget() + " / < " + query.seedAcceptableMs())
                    .append(" | ")
                    .append(pass == null ? "—" : pass ? "pass" : "**fail**")
                    .append(" |\n");
        }
        Latency slowest = result.latencies().stream()
                .max(Comparator.comparingDouble(l -> l.indexed().p50()))
                .orElseThrow();
        md.append("\nSlowest indexed: ")
                .append(slowest.query().method())
                .append(" over ")
                .append(slowest.range())
                .append(", p50 ")
                .append(Timing.ms(slowest.indexed().p50()))
                .append(" ms.\n");

        md.append("\nLoad and export:\n\n");
        md.append("- Seeding (`LedgerSeeder`, `rebuildIndexes(true)`): ")
                .append(duration(result.seed().elapsed()))
                .append(format(", %,.0f rows/s end to end", result.seed().rowsPerSecond()))
                .append(" (of which index rebuild ")
                .append(duration(result.seed().indexRebuild()))
                .append(").\n");
        md.append("- Baseline copy (`INSERT … SELECT`, then its primary key): ")
                .append(duration(result.baselineCopy()))
                .append("; `VACUUM ANALYZE` of both until all-visible: ")
                .append(duration(result.settle()))
                .append(".\n");
        BenchLedger.Export export = result.export();
        md.append(format(
                "- CSV export of the whole ledger (`CsvExporter`, every status, into a stream that counts and "
                        + "discards the bytes): %,d rows, %,.1f MiB in %s, %,.0f rows/s.%n",
                export.rows(), export.bytes() / MIB, duration(export.elapsed()), export.rowsPerSecond()));
        md.append("- Wall time at this size: ")
                .append(duration(result.wallTime()))
                .append(".\n");

        storage(md, result);
        rollups(md, result);
        plans(md, result);
    }

    private static void rollups(StringBuilder md, SizeResult result) {
        RollupMaintenance.Costs costs = result.rollupCosts();
        md.append("\nRollups (docs/rollups.md):\n\n");
        md.append(format(
                "- Build from the whole ledger (`Rollups.rebuild()`): %s for %,d quarter hours.%n",
                duration(result.rollupBuild().took()), result.rollupBuild().quarterHours()));
        long total = result.rollupSizes().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        md.append(format(
                "- Size with indexes: %s MiB in all, %s MiB per 1M ledger rows (",
                mib(total), mib((long) (total / (result.size().rows() / 1e6)))));
        md.append(String.join(
                        ", ",
                        result.rollupSizes().entrySet().stream()
                                .map(table -> "`" + table.getKey() + "` " + mib(table.getValue()))
                                .toList()))
                .append(").\n");
        md.append(format(
                "- Refresh after a bulk load of %,d new rows over the last day: %s (%,d quarter hours applied).%n",
                RollupMaintenance.BULK_ROWS,
                duration(costs.refresh().took()),
                costs.refresh().quarterHours()));
        md.append(format(
                "- Insert overhead, single-row INSERTs each in its own transaction (%d series of %,d per mode, in "
                        + "turn; the median series): %.0f µs per insert without rollups, %.0f µs in refresh mode (%+.0f %%), "
                        + "%.0f µs in trigger mode (%+.0f %%).%n",
                RollupMaintenance.ROUNDS,
                RollupMaintenance.SINGLE_ROWS,
                costs.singleNone(),
                costs.singleRefresh(),
                percent(costs.singleRefresh(), costs.singleNone()),
                costs.singleTrigger(),
                percent(costs.singleTrigger(), costs.singleNone())));
        md.append(format(
                "- Insert overhead, bulk load of %,d rows (the seeder's COPY, indexes maintained): %s without rollups, "
                        + "%s in refresh mode (%+.0f %%), %s in trigger mode (%+.0f %%).%n",
                RollupMaintenance.BULK_ROWS,
                duration(costs.bulkNone()),
                duration(costs.bulkRefresh()),
                percent(costs.bulkRefresh().toNanos(), costs.bulkNone().toNanos()),
                duration(costs.bulkTrigger()),
                percent(costs.bulkTrigger().toNanos(), costs.bulkNone().toNanos())));
    }

    private static double percent(double value, double reference) {
        return (value / reference - 1) * 100;
    }

    private static void storage(StringBuilder md, SizeResult result) {
        LedgerStorage indexed = result.indexed();
        LedgerStorage baseline = result.baseline();
        double millions = result.size().rows() / 1e6;
        md.append("\nStorage (the seed estimated ~50–100 MB of index per 1M rows; measured: ")
                .append(format("%,.0f MiB per 1M rows", indexed.indexes() / MIB / millions))
                .append(
                        indexed.partitions() == 0
                                ? ""
                                : format(
                                        "; each ledger's %d partitions added up, an index's partitions under its name",
                                        indexed.partitions()))
                .append("):\n\n");
        md.append("| Relation | Indexed ledger (MiB) | Baseline ledger (MiB) |\n|---|---|---|\n");
        md.append("| table (heap, TOAST, maps) | ")
                .append(mib(indexed.table()))
                .append(" | ")
                .append(mib(baseline.table()))
                .append(" |\n");
        md.append("| all indexes | ")
                .append(mib(indexed.indexes()))
                .append(" | ")
                .append(mib(baseline.indexes()))
                .append(" |\n");
        for (Map.Entry<String, Long> index : indexed.each().entrySet()) {
            Long copy = baseline.each().get(index.getKey());
            md.append("| ")
                    .append(index.getKey())
                    .append(" | ")
                    .append(mib(index.getValue()))
                    .append(" | ")
                    .append(copy == null ? "—" : mib(copy))
                    .append(" |\n");
        }
    }

    private static void plans(StringBuilder md, SizeResult result) {
        md.append("\nPlans over the last ")
                .append(result.planRange())
                .append(" (top nodes · how the ledger is read; one line per statement that reads the ledger):\n\n");
        md.append("| Query | Indexed | Baseline |\n|---|---|---|\n");
        for (DashboardQuery query : DashboardQuery.values()) {
            md.append("| ")
                    .append(query.method())
                    .append(" | ")
                    .append(String.join("<br>", result.indexedPlans().get(query)))
                    .append(" | ")
                    .append(String.join("<br>", result.baselinePlans().get(query)))
                    .append(" |\n");
        }
    }

    private static String mib(long bytes) {
        return format("%,.1f", bytes / MIB);
    }

    /**
     * A report's title and the lines every report opens with: when it ran, for how long, the
     * command that made it and the machine.
     */
    static String header(String title, Instant started, Duration wallTime, String command, Machine machine) {
        return "## " + title + "\n\nRun on " + started + " in " + duration(wallTime) + ", by:\n\n```bash\n" + command
                + "\n```\n\n- Machine: " + machine + ".\n";
    }

    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 60
                ? format("%.1f s", duration.toMillis() / 1000.0)
                : format("%d min %02d s", seconds / 60, seconds % 60);
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
