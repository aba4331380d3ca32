package dev.ledgeranalytics.migration;

import java.util.List;

/**
 * Where a schema stands against the migrations shipped in this library version, as
 * {@link AnalyticsMigrations#history()} reads it from the schema's history table.
 *
 * @param schema         the schema
 * @param currentVersion the version of the last migration applied successfully, or {@code null}
 *                       when none was (also when the schema or its history does not exist)
 * @param pending        this library's migrations not applied yet, in order
 * @param failed         migrations the history records as failed: a non-transactional migration
 *                       (V2 builds its indexes concurrently) that was interrupted half-way. Each
 *                       blocks every later migration until {@link AnalyticsMigrations#repair()}
 *                       removes its record
 */
public record MigrationHistory(
        String schema, String currentVersion, List<SchemaMigration> pending, List<SchemaMigration> failed) {

    /**
     * Copies the lists, so the history stays immutable.
     *
     * @throws IllegalArgumentException if {@code schema} or a list is {@code null}
     */
    public MigrationHistory {
        if (schema == null || pending == null || failed == null) {
            throw new IllegalArgumentException("schema, pending and failed must not be null, but were " + schema + ", "
                    + pending + " and " + failed);
        }
        pending = List.copyOf(pending);
        failed = List.copyOf(failed);
    }

    /**
     * Whether every migration of this library is applied and none failed.
     *
     * @return {@code true} when nothing is pending or failed
     */
    public boolean upToDate() {
        return pending.isEmpty() && failed.isEmpty();
    }
}
