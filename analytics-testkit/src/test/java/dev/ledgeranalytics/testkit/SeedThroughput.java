package dev.ledgeranalytics.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures {@link LedgerSeeder}: loads N rows (first argument, default 1,000,000) into a fresh
 * migrated database, once with the indexes maintained and once rebuilt around the load (only the
 * latter when the second argument is {@code rebuild-only}), and prints throughput and heap use. Run it with a small heap to check constant memory; the
 * command is in docs/benchmarks.md.
 */
public final class SeedThroughput {

    private SeedThroughput() {}

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        boolean[] modes =
                args.length > 1 && args[1].equals("rebuild-only") ? new boolean[] {true} : new boolean[] {false, true};
        for (boolean rebuild : modes) {
            try (TestDatabase database = TestDatabase.migrated()) {
                SeedResult result = LedgerSeeder.into(database.dataSource())
                        .rows(rows)
                        .between(to.minus(Duration.ofDays(90)), to)
                        .users(20_000)
                        .seed(7)
                        .rebuildIndexes(rebuild)
                        .load();
                double loadSeconds =
                        (result.elapsed().toMillis() - result.indexRebuild().toMillis()) / 1000.0;
                System.out.printf(
                        Locale.ROOT,
                        "rows=%d rebuildIndexes=%s elapsed=%.1fs (copy %.1fs, index rebuild %.1fs) "
                                + "throughput=%.0f rows/s end to end, %.0f rows/s while copying%n",
                        result.rows(),
                        rebuild,
                        result.elapsed().toMillis() / 1000.0,
                        loadSeconds,
                        result.indexRebuild().toMillis() / 1000.0,
                        result.rowsPerSecond(),
                        result.rows() / loadSeconds);
            }
        }
        Runtime runtime = Runtime.getRuntime();
        System.out.printf(
                Locale.ROOT,
                "max heap=%d MB, heap in use at end=%d MB%n",
                runtime.maxMemory() >> 20,
                (runtime.totalMemory() - runtime.freeMemory()) >> 20);
    }
}
