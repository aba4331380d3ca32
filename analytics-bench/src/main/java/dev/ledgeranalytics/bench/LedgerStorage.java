package dev.ledgeranalytics.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ledger's footprint, a partitioned ledger's partitions added up.
 *
 * @param table      bytes of heap, TOAST, free space and visibility maps, without indexes
 * @param indexes    bytes of all its indexes
 * @param each       bytes of each index, by the ledger's index name (a partitioned index: its
 *                   partitions' added up), largest first
 * @param partitions how many partitions hold its rows; 0 for an unpartitioned ledger
 */
record LedgerStorage(long table, long indexes, Map<String, Long> each, int partitions) {

    LedgerStorage {
        each = Collections.unmodifiableMap(new LinkedHashMap<>(each));
    }
}
