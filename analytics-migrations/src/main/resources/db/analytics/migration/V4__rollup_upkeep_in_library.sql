-- The rollups' upkeep moves into the library. Every statement that builds or refreshes the
-- rollups, and the ledger's triggers that record writes, are now derived in Java from one list of
-- the rollup tables and the metrics they sum (see docs/architecture.md), so that they can never
-- drift from the queries that read them. The library installs the triggers when it builds the
-- rollups (Rollups.refresh or rebuild), owned by the role that builds them.

-- How far the rollups lag: when each unapplied write was recorded (its transaction's start).
ALTER TABLE rollup_changes ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();

DROP TRIGGER IF EXISTS rollup_after_insert ON token_usage_ledger;
DROP TRIGGER IF EXISTS rollup_after_update ON token_usage_ledger;
DROP TRIGGER IF EXISTS rollup_after_delete ON token_usage_ledger;
DROP TRIGGER IF EXISTS rollup_after_truncate ON token_usage_ledger;
DROP FUNCTION rollup_after_insert();
DROP FUNCTION rollup_after_update();
DROP FUNCTION rollup_after_delete();
DROP FUNCTION rollup_after_truncate();
DROP FUNCTION rollup_recompute(timestamptz[]);
DROP FUNCTION rollup_build();
DROP FUNCTION rollup_bucket_end(smallint, timestamptz);
DROP FUNCTION rollup_bucket(smallint, timestamptz);

-- The grains' codes live in the library alone.
ALTER TABLE rollup_status DROP CONSTRAINT rollup_status_grain_check;
ALTER TABLE rollup_provider DROP CONSTRAINT rollup_provider_grain_check;
ALTER TABLE rollup_dims DROP CONSTRAINT rollup_dims_grain_check;
ALTER TABLE rollup_costs DROP CONSTRAINT rollup_costs_grain_check;
ALTER TABLE rollup_users DROP CONSTRAINT rollup_users_grain_check;

-- Without their triggers the rollups would go stale: they are emptied, queries read the ledger
-- alone, and the next Rollups.refresh builds them again.
DELETE FROM rollup_status;
DELETE FROM rollup_provider;
DELETE FROM rollup_dims;
DELETE FROM rollup_costs;
DELETE FROM rollup_users;
DELETE FROM rollup_changes;
UPDATE rollup_state SET built_at = NULL, refreshed_at = NULL;

-- Two more metrics, kept wherever the other token totals are: prompt-cache reads and hidden
-- reasoning. The rollups are rebuilt (above) with them filled.
ALTER TABLE rollup_status ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0,
                          ADD COLUMN reasoning_tokens    bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_provider ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0,
                            ADD COLUMN reasoning_tokens    bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_dims ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0,
                        ADD COLUMN reasoning_tokens    bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_users ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0,
                         ADD COLUMN reasoning_tokens    bigint NOT NULL DEFAULT 0;
