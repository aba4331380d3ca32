package dev.ledgeranalytics.bench;

import java.util.Arrays;

/** Wall times in nanoseconds, added from any thread; a few thousand a second at most. */
final class Samples {

    private long[] nanos = new long[1024];
    private int size;

    synchronized void add(long value) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = value;
    }

    synchronized int size() {
        return size;
    }

    /** Percentiles of what was added, or {@code null} if nothing was. */
    synchronized Timing timing() {
        return size == 0 ? null : Timing.of(Arrays.copyOf(nanos, size));
    }
}
