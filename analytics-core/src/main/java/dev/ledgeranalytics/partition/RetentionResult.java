package dev.ledgeranalytics.partition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link Retention#keepMonths} run did.
 *
 * @param retainedFrom the retention boundary now recorded: the first instant whose raw rows are
 *                     kept; {@code null} if there was nothing to drop and no boundary before
 * @param dropped      the partitions detached and dropped, oldest first (the rows of the default
 *                     partition from before the boundary count as one, named after it)
 * @param rowsDropped  how many ledger rows they held
 * @param archives     the CSV files written, one per dropped partition; empty without an archive
 *                     directory
 */
public record RetentionResult(Instant retainedFrom, List<String> dropped, long rowsDropped, List<Path> archives) {

    /** Copies the lists. */
    public RetentionResult {
        dropped = List.copyOf(dropped);
        archives = List.copyOf(archives);
    }
}
