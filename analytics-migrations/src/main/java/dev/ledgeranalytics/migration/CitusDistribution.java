package dev.ledgeranalytics.migration;

import java.util.List;

/**
 * Where {@link AnalyticsMigrations#distributeOverCitus()} put a schema's tables on a Citus cluster.
 *
 * @param schema             the schema
 * @param distributionColumn the column the distributed tables are sharded by: {@code user_id}
 * @param distributed        the tables sharded by that column, co-located with each other: the
 *                           ledger (with its partitions) and the per-user rollup
 * @param reference          the tables copied to every node
 * @param changed            whether this call distributed them; {@code false} when the schema was
 *                           distributed already and nothing was done
 */
public record CitusDistribution(
        String schema, String distributionColumn, List<String> distributed, List<String> reference, boolean changed) {

    /**
     * Copies the lists, so the result stays immutable.
     *
     * @throws IllegalArgumentException if an argument is {@code null}
     */
    public CitusDistribution {
        if (schema == null || distributionColumn == null || distributed == null || reference == null) {
            throw new IllegalArgumentException(
                    "schema, distributionColumn, distributed and reference must not be null");
        }
        distributed = List.copyOf(distributed);
        reference = List.copyOf(reference);
    }
}
