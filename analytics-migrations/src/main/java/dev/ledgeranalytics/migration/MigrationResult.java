package dev.ledgeranalytics.migration;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AnalyticsMigrations#migrate()} did.
 *
 * @param schema         the schema that was migrated
 * @param applied        the migrations applied by this call, in order; empty when the schema was
 *                       already up to date
 * @param currentVersion the schema's version after the call, such as {@code "2"}
 */
public record MigrationResult(String schema, List<AppliedMigration> applied, String currentVersion) {

    /** Copies {@code applied}, so the result stays immutable. */
    public MigrationResult {
        Objects.requireNonNull(schema, "schema");
        applied = List.copyOf(applied);
        Objects.requireNonNull(currentVersion, "currentVersion");
    }
}
