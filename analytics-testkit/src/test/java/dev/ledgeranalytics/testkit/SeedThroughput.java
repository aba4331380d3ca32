package dev.ledgeranalytics.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures {@link LedgerSeeder}: loads N rows (first argument, default 1,000,000) into a fresh
 * migrated database, with the secondary indexes kept and then rebuilt around the load, and prints
 * throughput and the JVM's peak heap. Run it with a small heap to check constant memory; the
 * command is in docs/benchmarks.md.
 */
public final class SeedThroughput {

    private SeedThroughput() {
    }

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        for (boolean rebuild : new boolean[] {false, true}) {
            try (TestDatabase database = TestDatabase.migrated()) {
                SeedResult result = LedgerSeeder.into(database.dataSource())
                        .rows(rows).between(to.minus(Duration.ofDays(90)), to).users(20_000).seed(7)
                        .rebuildIndexes(rebuild)
                        .load();
                System.out.printf(Locale.ROOT, "rows=%d rebuildIndexes=%s elapsed=%.1fs throughput=%.0f rows/s%n",
                        result.rows(), rebuild, result.elapsed().toMillis() / 1000.0, result.rowsPerSecond());
            }
        }
        Runtime runtime = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "max heap=%d MB, heap in use at end=%d MB%n",
                runtime.maxMemory() >> 20, (runtime.totalMemory() - runtime.freeMemory()) >> 20);
    }
}
