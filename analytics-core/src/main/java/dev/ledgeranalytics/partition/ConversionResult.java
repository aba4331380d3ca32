package dev.ledgeranalytics.partition;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Partitions#convert()} did.
 *
 * @param rowsCopied         how many rows the copy read from the unpartitioned ledger (rows
 *                           written meanwhile reached the partitioned one as they were written)
 * @param partitions         the partitions of the partitioned ledger it made, by name
 * @param elapsed            how long the whole conversion took
 * @param longestWritePause  the longest time writers had to wait for it: the longer of the two
 *                           moments it held the ledger locked (adding the copying trigger, and
 *                           swapping the tables)
 */
public record ConversionResult(long rowsCopied, List<String> partitions, Duration elapsed, Duration longestWritePause) {

    /** Copies the list. */
    public ConversionResult {
        partitions = List.copyOf(partitions);
    }
}
