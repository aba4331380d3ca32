package dev.ledgeranalytics.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latency of one query over one range: the median, the 95th percentile and the maximum of the
 * timed runs, in milliseconds.
 *
 * @param runs how many timed runs
 * @param p50  median, nearest-rank
 * @param p95  95th percentile, nearest-rank
 * @param max  slowest run
 */
record Timing(int runs, double p50, double p95, double max) {

    static final long WARMUP_BUDGET_NANOS = 3_000_000_000L;

    Timing {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, but was " + runs);
        }
    }

    /**
     * Summarizes wall times. Nearest-rank percentiles: every figure is a run that happened, not
     * an interpolation between two.
     */
    static Timing of(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Timing(
                sorted.length,
                millis(rank(sorted, 0.50)),
                millis(rank(sorted, 0.95)),
                millis(sorted[sorted.length - 1]));
    }

    /**
     * Times {@code call}: up to {@code warmup} untimed runs first (fewer when they already took
     * {@link #WARMUP_BUDGET_NANOS}: a query that runs for seconds is warm after one run, and the
     * budget shortens the 10M run), then {@code runs} timed ones.
     */
    static Timing measure(Runnable call, int warmup, int runs) {
        warmUp(call, warmup);
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - start;
        }
        return of(nanos);
    }

    /**
     * Runs {@code call} untimed up to {@code warmup} times, fewer once that has taken {@link
     * #WARMUP_BUDGET_NANOS}; at least once when {@code warmup} is positive.
     */
    static void warmUp(Runnable call, int warmup) {
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmup && (i == 0 || System.nanoTime() - warmupStart < WARMUP_BUDGET_NANOS); i++) {
            call.run();
        }
    }

    private static long rank(long[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** As the report's cells print it: {@code p50 / p95 / max}. */
    @Override
    public String toString() {
        return ms(p50) + " / " + ms(p95) + " / " + ms(max);
    }

    /** Milliseconds with the precision that means something at that magnitude. */
    static String ms(double millis) {
        return String.format(Locale.ROOT, millis < 10 ? "%.2f" : millis < 100 ? "%.1f" : "%,.0f", millis);
    }
}
