package dev.ledgeranalytics.migration;

/**
 * One of the ledger schema's migrations, as this library ships it or a schema's history records it.
 *
 * @param version     the migration's version, such as {@code "2"}
 * @param description its description, such as {@code "ledger indexes"}
 */
public record SchemaMigration(String version, String description) {

    /**
     * Rejects missing fields.
     *
     * @throws IllegalArgumentException if a field is {@code null}
     */
    public SchemaMigration {
        if (version == null || description == null) {
            throw new IllegalArgumentException(
                    "version and description must not be null, but were " + version + " and " + description);
        }
    }

    /**
     * The migration as operators read it, such as {@code V2 (ledger indexes)}.
     *
     * @return the version and description
     */
    @Override
    public String toString() {
        return "V" + version + " (" + description + ")";
    }
}
