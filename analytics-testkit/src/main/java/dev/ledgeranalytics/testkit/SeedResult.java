package dev.ledgeranalytics.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link LedgerSeeder#load()} did.
 *
 * @param rows    rows written
 * @param elapsed wall time, index rebuilding included
 */
public record SeedResult(long rows, Duration elapsed) {

    /** Rejects impossible values. */
    public SeedResult {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative, but was " + rows);
        }
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * The load's throughput.
     *
     * @return rows per second of wall time
     */
    public double rowsPerSecond() {
        return rows / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
}
