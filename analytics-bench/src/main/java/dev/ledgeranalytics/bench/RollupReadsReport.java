package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.testkit.SeedResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown report of {@link RollupReadsBenchmark}. */
final class RollupReadsReport {

    private RollupReadsReport() {}

    /**
     * The p95 targets in milliseconds of the dashboard through the rollups (docs/benchmarks.md):
     * at 10M rows (and, here, any size below 100M) and at 100M rows.
     */
    static int targetMs(DashboardQuery query, LedgerSize size) {
        boolean hundredMillion = size.rows() >= 100_000_000L;
        return switch (query) {
            case COST_DISTRIBUTION -> hundredMillion ? 30 : 20;
            case USER_BREAKDOWN -> hundredMillion ? 100 : 50;
            default -> hundredMillion ? 20 : 10;
        };
    }

    static String render(
            String command,
            Instant started,
            Machine machine,
            LedgerSize size,
            Instant end,
            int runs,
            int warmup,
            SeedResult seed,
            LedgerStorage ledger,
            RefreshResult build,
            Map<String, Long> rollupSizes,
            List<RollupReadsBenchmark.Cell> cells,
            Duration wallTime) {
        StringBuilder md = new StringBuilder();
        md.append(MarkdownReport.header(
                "Through the rollups (`analytics-bench rollups`)", started, wallTime, command, machine));
        md.append(format(
                "- Data: %s rows, one year of requests ending %s, %,d users, seed %d, partitioned by month; the rollups "
                        + "built and everything vacuumed until all-visible. First every query over every range warmed "
                        + "up, then each over the last %s: up to %d warm-up runs again (fewer once they took %d s), "
                        + "then %d timed calls through one open connection with the server's `jit = on`, then as many with `jit = off` in the session; nearest-rank percentiles.%n",
                size,
                end,
                size.users(),
                BenchLedger.SEED,
                String.join(
                        ", ",
                        cells.stream().map(c -> c.range().toString()).distinct().toList()),
                warmup,
                Timing.WARMUP_BUDGET_NANOS / 1_000_000_000L,
                runs));
        md.append("- Server: the statements one call sends (the rollups' state, then the query's own), each run by "
                + "`EXPLAIN (ANALYZE, SUMMARY, TIMING OFF)` five times with its values inlined in one REPEATABLE READ "
                + "transaction; the medians of planning and execution, summed over the statements. Rest: the p50 "
                + "with JIT on less both, i.e. the client (rendering, binding, reading and computing the answer) and "
                + "the round trips (the transaction's BEGIN, isolation and COMMIT among them).\n");
        md.append(format(
                "- Target: p95 with JIT on (the server's default), as stated for %s rows.%n%n",
                size.rows() >= 100_000_000L ? "100M" : "10M"));
        md.append("| Query | Range | JIT on p50 / p95 / max (ms) | JIT off p50 / p95 / max (ms) | Statements | "
                + "Planning (ms) | Execution (ms) | Rest (ms) | Target p95 (ms) | Pass |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (RollupReadsBenchmark.Cell cell : cells) {
            int target = targetMs(cell.query(), size);
            md.append(format(
                    "| %s | %s | %s | %s | %d | %s | %s | %s | ≤ %d | %s |%n",
                    cell.query().method(),
                    cell.range(),
                    cell.jitOn(),
                    cell.jitOff(),
                    cell.server().statements(),
                    Timing.ms(cell.server().planning()),
                    Timing.ms(cell.server().execution()),
                    Timing.ms(Math.max(
                            0,
                            cell.jitOn().p50()
                                    - cell.server().planning()
                                    - cell.server().execution())),
                    target,
                    cell.jitOn().p95() <= target ? "pass" : "**fail**"));
        }
        long total = rollupSizes.values().stream().mapToLong(Long::longValue).sum();
        md.append('\n');
        List<String> compiled = cells.stream()
                .filter(cell -> cell.server().jitCompiled() > 0)
                .map(cell -> format(
                        "%s over %s (%d of %d)",
                        cell.query().method(),
                        cell.range(),
                        cell.server().jitCompiled(),
                        cell.server().statements()))
                .toList();
        md.append("- Statements PostgreSQL compiled with JIT (a JIT section in their EXPLAIN with `jit = on`): ")
                .append(compiled.isEmpty() ? "none" : String.join(", ", compiled))
                .append(".\n");
        md.append(format(
                "- Seeding (`LedgerSeeder`, `rebuildIndexes(true)`): %s, %,.0f rows/s end to end (of which index "
                        + "rebuild %s).%n",
                MarkdownReport.duration(seed.elapsed()),
                seed.rowsPerSecond(),
                MarkdownReport.duration(seed.indexRebuild())));
        double millions = size.rows() / 1e6;
        md.append(format(
                "- Ledger (its %d partitions added up): %s MiB of table and %s MiB of indexes, %s and %s MiB per 1M "
                        + "rows.%n",
                ledger.partitions(),
                mib(ledger.table()),
                mib(ledger.indexes()),
                mib((long) (ledger.table() / millions)),
                mib((long) (ledger.indexes() / millions))));
        md.append(format(
                "- Rollups built from the whole ledger (`Rollups.rebuild()`): %s; %s MiB with indexes, %s MiB per 1M "
                        + "ledger rows (%s).%n",
                MarkdownReport.duration(build.took()),
                mib(total),
                mib((long) (total / millions)),
                String.join(
                        ", ",
                        rollupSizes.entrySet().stream()
                                .map(table -> "`" + table.getKey() + "` " + mib(table.getValue()))
                                .toList())));
        return md.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.1f", bytes / (1024.0 * 1024.0));
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
