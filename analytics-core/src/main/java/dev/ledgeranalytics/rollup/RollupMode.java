package dev.ledgeranalytics.rollup;

/** How writes to the ledger reach the rollups. */
public enum RollupMode {

    /**
     * Every write records the quarter hours it touched, at the cost of one small insert per
     * statement; {@link Rollups#refresh()} brings those quarter hours up to date. Until then,
     * queries read them from the ledger, so answers are always exact.
     */
    REFRESH,

    /**
     * Inserts by READ COMMITTED transactions also add themselves to the rollups in the writer's
     * transaction, so that no refresh is needed for them. Such a transaction holds the schema's
     * rollup lock from its first insert to its end, so trigger-mode writers commit one at a time
     * (and wait for a running refresh); keep their transactions short. Updates, deletes and
     * inserts under REPEATABLE READ or SERIALIZABLE are recorded as in {@link #REFRESH}.
     */
    TRIGGER
}
