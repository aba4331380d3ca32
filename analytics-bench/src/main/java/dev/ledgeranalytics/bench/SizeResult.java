package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.testkit.SeedResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything measured at one ledger size.
 *
 * @param size           rows seeded
 * @param seed           the seeder's load of the indexed ledger
 * @param baselineCopy   time to copy the rows into the baseline schema and build its primary key
 * @param settle         time to VACUUM ANALYZE both ledgers until every page is all-visible
 * @param indexed        the indexed ledger's footprint
 * @param baseline       the baseline ledger's footprint
 * @param export         the CSV export of the whole ledger
 * @param latencies      one per query and range, queries in declaration order
 * @param planRange      the range the plans were taken over
 * @param indexedPlans   per query, one summary per statement, on the indexed ledger
 * @param baselinePlans  the same on the baseline ledger
 * @param rollupBuild    building the rollups from the seeded ledger
 * @param rollupSizes    bytes of each rollup table with its indexes, after the build
 * @param rollupCosts    insert overhead of each mode and the cost of a refresh
 * @param wallTime       everything at this size, database creation to drop
 */
record SizeResult(
        LedgerSize size,
        SeedResult seed,
        Duration baselineCopy,
        Duration settle,
        LedgerStorage indexed,
        LedgerStorage baseline,
        BenchLedger.Export export,
        List<Latency> latencies,
        QueryRange planRange,
        Map<DashboardQuery, List<String>> indexedPlans,
        Map<DashboardQuery, List<String>> baselinePlans,
        RefreshResult rollupBuild,
        Map<String, Long> rollupSizes,
        RollupMaintenance.Costs rollupCosts,
        Duration wallTime) {

    /**
     * One cell of the latency table.
     *
     * @param query    the query
     * @param range    how far back it read
     * @param indexed  on the ledger with its analytics indexes
     * @param baseline on the copy with only the primary key
     * @param rollups  on the indexed ledger through its rollups
     */
    record Latency(DashboardQuery query, QueryRange range, Timing indexed, Timing baseline, Timing rollups) {

        /** How many times faster the indexes make the median run. */
        double speedUp() {
            return baseline.p50() / Math.max(1e-9, indexed.p50());
        }

        /** How many times faster the rollups make the median run than the indexed ledger alone. */
        double rollupSpeedUp() {
            return indexed.p50() / Math.max(1e-9, rollups.p50());
        }

        /**
         * Whether the rollups' 95th percentile is within the rollup target (over a year: 100 ms
         * for the user breakdown, 50 ms for the others); {@code null} for shorter ranges.
         */
        Boolean withinRollupTarget() {
            return range.days() < QueryRange.MAX_DAYS ? null : rollups.p95() <= query.rollupTargetMs();
        }

        /**
         * Whether the indexed ledger's 95th percentile is within the seed's "acceptable" limit;
         * {@code null} where the seed states none.
         */
        Boolean withinSeedLimit() {
            return query.seedAcceptableMs() == null ? null : indexed.p95() < query.seedAcceptableMs();
        }
    }
}
