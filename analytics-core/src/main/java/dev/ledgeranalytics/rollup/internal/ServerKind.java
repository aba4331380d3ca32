package dev.ledgeranalytics.rollup.internal;

/**
 * Internal API. What the calls of one {@code AnalyticsQueries} found out about the server and the
 * schema it reads: whether the server has Citus, and whether the schema's ledger is distributed by
 * it. A call through the rollups over a distributed ledger must hold {@link RollupReadLock} from its
 * first statement on, before its read of the rollups' state could tell: so the first call that
 * finds the ledger distributed reads the ledger alone, and the later ones take the lock first. A
 * schema of plain tables on a Citus coordinator is read as on any single server. Shared by an
 * {@code AnalyticsQueries} and its copies of the same schema; safe for concurrent calls.
 */
public final class ServerKind {

    private volatile boolean citus;

    private volatile boolean distributed;

    /** A server and schema not yet seen. */
    public ServerKind() {}

    /** Whether a call found the {@code citus} extension, so that the state read may ask Citus' catalog. */
    boolean citus() {
        return citus;
    }

    /** Whether the last call that looked found the ledger distributed. */
    boolean distributed() {
        return distributed;
    }

    void foundCitus() {
        citus = true;
    }

    void foundLedger(boolean distributed) {
        this.distributed = distributed;
    }
}
