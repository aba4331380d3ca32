package dev.ledgeranalytics.migration;

import java.util.List;

/**
 * What {@link AnalyticsMigrations#repair()} changed in a schema's history.
 *
 * @param schema         the schema whose history was repaired
 * @param removedFailed  the failed migrations whose records were removed; the next
 *                       {@link AnalyticsMigrations#migrate()} applies them again
 * @param realigned      applied migrations whose recorded checksum, description or type was set to
 *                       this library's, which happens only when a migration file changed after it
 *                       was applied; empty normally
 */
public record HistoryRepair(String schema, List<SchemaMigration> removedFailed, List<SchemaMigration> realigned) {

    /**
     * Copies the lists, so the result stays immutable.
     *
     * @throws IllegalArgumentException if {@code schema} or a list is {@code null}
     */
    public HistoryRepair {
        if (schema == null || removedFailed == null || realigned == null) {
            throw new IllegalArgumentException("schema, removedFailed and realigned must not be null, but were "
                    + schema + ", " + removedFailed + " and " + realigned);
        }
        removedFailed = List.copyOf(removedFailed);
        realigned = List.copyOf(realigned);
    }
}
