package dev.ledgeranalytics.testkit;

import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the database fixture: how long the first test database takes (server start, template
 * migration, copy) and how long each further one takes (a copy of the template). The command is
 * in docs/benchmarks.md.
 */
public final class FixtureTiming {

    private FixtureTiming() {}

    public static void main(String[] args) {
        long start = System.nanoTime();
        try (TestDatabase first = TestDatabase.migrated()) {
            System.out.printf(
                    Locale.ROOT,
                    "first migrated database %s (server start, template, copy): %d ms%n",
                    first.name(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        long[] millis = new long[20];
        for (int i = 0; i < millis.length; i++) {
            long t = System.nanoTime();
            TestDatabase database = TestDatabase.migrated();
            millis[i] = (System.nanoTime() - t) / 1_000_000;
            database.close();
        }
        Arrays.sort(millis);
        System.out.printf(
                Locale.ROOT,
                "each further migrated database over %d: median %d ms, max %d ms%n",
                millis.length,
                millis[millis.length / 2],
                millis[millis.length - 1]);
    }
}
