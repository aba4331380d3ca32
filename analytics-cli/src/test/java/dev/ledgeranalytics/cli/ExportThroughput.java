package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures CSV export of the ledger: seeds N rows (first argument, default 1,000,000) and streams
 * all of them to a file through {@link CsvExporter}, three times, printing each run's throughput.
 * The command is in docs/benchmarks.md.
 */
public final class ExportThroughput {

    private ExportThroughput() {}

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        Instant from = to.minus(Duration.ofDays(90));
        try (TestDatabase database = TestDatabase.migrated()) {
            LedgerSeeder.into(database.dataSource())
                    .rows(rows)
                    .between(from, to)
                    .users(20_000)
                    .rebuildIndexes(true)
                    .load();
            Path file = Files.createTempFile("ledger-export", ".csv");
            try {
                for (int run = 1; run <= 3; run++) {
                    long start = System.nanoTime();
                    long written;
                    try (OutputStream out = Files.newOutputStream(file)) {
                        written = CsvExporter.create(database.dataSource())
                                .exportLedger(LedgerFilter.between(from, to).anyStatus(), out);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(
                            Locale.ROOT,
                            "run %d: %d rows, %d MB, %.2f s, %.0f rows/s%n",
                            run,
                            written,
                            Files.size(file) >> 20,
                            seconds,
                            written / seconds);
                }
            } finally {
                Files.delete(file);
            }
        }
        Runtime runtime = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "max heap=%d MB%n", runtime.maxMemory() >> 20);
    }
}
