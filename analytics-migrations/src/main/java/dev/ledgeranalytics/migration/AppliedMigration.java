package dev.ledgeranalytics.migration;

import java.util.Objects;

/**
 * One migration applied by {@link AnalyticsMigrations#migrate()}.
 *
 * @param version         the migration's version, such as {@code "1"}
 * @param description     its description, such as {@code "ledger tables"}
 * @param executionMillis how long it took to apply, in milliseconds
 */
public record AppliedMigration(String version, String description, long executionMillis) {

    /** Rejects missing fields. */
    public AppliedMigration {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
    }
}
