package dev.ledgeranalytics.rollup;

import java.time.Duration;

/**
 * What a refresh or build did.
 *
 * @param rebuilt      whether the rollups were built from the whole ledger
 * @param quarterHours how many quarter hours it brought up to date: rows added, or summed again from the ledger
 * @param took         how long it took, waiting for a concurrent refresh included
 */
public record RefreshResult(boolean rebuilt, long quarterHours, Duration took) {}
