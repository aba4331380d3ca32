package dev.ledgeranalytics.rollup.internal;

/**
 * Internal API. Whether the server one {@code AnalyticsQueries} reads runs Citus, as its calls
 * found out. A call through the rollups there must hold {@link RollupReadLock} from its first
 * statement on, before its read of the rollups' state could tell: so the first call that finds
 * Citus reads the ledger alone, and the later ones take the lock first. Shared by an {@code
 * AnalyticsQueries} and its copies; safe for concurrent calls.
 */
public final class ServerKind {

    private volatile boolean citus;

    /** A server not yet seen. */
    public ServerKind() {}

    boolean citus() {
        return citus;
    }

    void foundCitus() {
        citus = true;
    }
}
