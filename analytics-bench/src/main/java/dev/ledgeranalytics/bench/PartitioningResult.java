package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code partitioning} run measured.
 *
 * @param size          rows seeded into each ledger
 * @param started       when it started
 * @param machine       what it ran on
 * @param loads         the system's load averages (1 / 5 / 15 min) after each step, in order
 * @param unpartitioned the unpartitioned ledger: its footprint, VACUUM and DELETEs
 * @param conversions   one per conversion, each of a freshly seeded ledger
 * @param partitioned   the ledger the last conversion made: its partitions, VACUUM and drops
 * @param wallTime      the whole run
 */
record PartitioningResult(
        LedgerSize size,
        Instant started,
        Machine machine,
        Map<String, String> loads,
        Unpartitioned unpartitioned,
        List<ConversionUnderLoad.Figures> conversions,
        Partitioned partitioned,
        Duration wallTime) {

    PartitioningResult {
        loads = Collections.unmodifiableMap(new LinkedHashMap<>(loads));
        conversions = List.copyOf(conversions);
    }

    /**
     * @param storage its footprint
     * @param vacuum  VACUUM of the whole table
     * @param deletes DELETE of one month's rows each, in order, each followed by VACUUM
     */
    record Unpartitioned(LedgerStorage storage, VacuumCosts vacuum, List<MonthRemoval> deletes) {

        Unpartitioned {
            deletes = List.copyOf(deletes);
        }
    }

    /**
     * @param settle      seconds of its first VACUUM until every page is all-visible
     * @param partitions  each partition's footprint, after that VACUUM
     * @param vacuum      VACUUM of the partition of the seeded year's last month
     * @param partialDrop retention dropping the seeded year's partial first month
     * @param drops       retention dropping the months the DELETEs removed, in order
     */
    record Partitioned(
            double settle,
            List<PartitionSizes> partitions,
            VacuumCosts vacuum,
            MonthRemoval partialDrop,
            List<MonthRemoval> drops) {

        Partitioned {
            partitions = List.copyOf(partitions);
            drops = List.copyOf(drops);
        }
    }

    /** Whether every conversion kept every row once and every answer, and nothing failed. */
    boolean correct() {
        return conversions.stream().allMatch(ConversionUnderLoad.Figures::correct);
    }
}
