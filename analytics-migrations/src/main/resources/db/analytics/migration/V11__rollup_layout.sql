-- Which layout of the rollup tables a build filled: the grains, dimensions and metrics each table
-- keeps, as the library describes them (RollupTable), by a digest of that description. A library
-- that describes them otherwise (this version adds an hourly grain to rollup_costs) treats rollups
-- of another layout as not built: its queries read the ledger until the next Rollups.refresh
-- builds them again, instead of reading buckets that were never filled. Rollups built before this
-- version have none, so the first refresh after the upgrade builds them again.
ALTER TABLE rollup_state ADD COLUMN layout text;
