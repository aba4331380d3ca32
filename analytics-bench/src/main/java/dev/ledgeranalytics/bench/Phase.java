package dev.ledgeranalytics.bench;

/**
 * The parts of a load run, or of a conversion under load ({@link ConversionUnderLoad}), in order;
 * every measurement belongs to the phase it started in.
 */
enum Phase {
    /** The readers alone, on the seeded ledger with its rollups freshly built. */
    IDLE("idle"),
    /** Readers, writers and the scheduled refresh together. */
    LOAD("under load"),
    /**
     * The same, while the run explains every query with ANALYZE: what is measured then is kept
     * apart, as the run itself adds a reader.
     */
    EXPLAIN("explaining"),
    /** Readers and writers with no refresh, until one refresh applies what they wrote. */
    BACKLOG("backlog"),
    /** Readers and writers while {@code Partitions.convert()} runs; before it, they are {@link #LOAD}. */
    CONVERSION("converting"),
    /** Readers and writers on the converted ledger. */
    CONVERTED("converted");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
