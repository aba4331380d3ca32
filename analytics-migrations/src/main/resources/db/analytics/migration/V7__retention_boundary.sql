-- Retention drops whole months of raw rows once the rollups hold them (Retention.keep). The
-- first instant whose raw rows are kept is recorded here: queries answer earlier ranges from the
-- rollups alone and refuse what would need the dropped rows; NULL while nothing was dropped.
ALTER TABLE rollup_state ADD COLUMN retained_from timestamptz;
