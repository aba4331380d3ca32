package dev.ledgeranalytics.rollup;

import java.time.Instant;

/**
 * The state of the rollups.
 *
 * @param builtAt             when they were last built from the whole ledger, or {@code null} if
 *                            never (queries then read only the ledger)
 * @param refreshedAt         when the last refresh or build committed, or {@code null}
 * @param mode                how writes reach them
 * @param pendingQuarterHours quarter hours with writes no refresh has applied yet; queries read
 *                            these from the ledger
 * @param oldestPendingChangeAt when the oldest of those writes was recorded (the start of its
 *                            transaction), or {@code null} when nothing is pending: how far the
 *                            rollups lag behind the ledger
 */
public record RollupStatus(
        Instant builtAt,
        Instant refreshedAt,
        RollupMode mode,
        long pendingQuarterHours,
        Instant oldestPendingChangeAt) {

    /** Whether the rollups have been built, so that queries read them. */
    public boolean built() {
        return builtAt != null;
    }
}
