package dev.ledgeranalytics.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link LedgerSeeder#load()} did.
 *
 * @param rows           rows written
 * @param elapsed        wall time, index rebuilding included
 * @param indexRebuild   the part of it spent rebuilding indexes and keys; zero unless
 *                       {@link LedgerSeeder#rebuildIndexes(boolean)} was set
 */
public record SeedResult(long rows, Duration elapsed, Duration indexRebuild) {

    /** Rejects impossible values. */
    public SeedResult {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative, but was " + rows);
        }
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(indexRebuild, "indexRebuild");
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
