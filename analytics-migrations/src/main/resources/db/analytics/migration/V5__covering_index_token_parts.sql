-- The dashboard's covering index also carries the cached input and reasoning tokens, which every
-- KPI, provider and user total now reports (V4): without them in INCLUDE, those totals would read
-- the table for every row instead of the index alone.
--
-- Built without blocking writes, as V2 builds the others (see V5__covering_index_token_parts.sql.conf):
-- the new index is built under a temporary name, the old one dropped, the new one renamed. Every
-- step is safe to repeat, so a migration interrupted half-way is retried by running it again after
-- AnalyticsMigrations.repair().

DROP INDEX CONCURRENTLY IF EXISTS idx_token_usage_analytics_next;
CREATE INDEX CONCURRENTLY idx_token_usage_analytics_next
    ON token_usage_ledger (created_at DESC, status, provider_id, user_id)
    INCLUDE (gross_margin_usd, vendor_cost, credits_deducted, input_tokens, output_tokens,
             cached_input_tokens, reasoning_tokens);
DROP INDEX CONCURRENTLY IF EXISTS idx_token_usage_analytics;
ALTER INDEX idx_token_usage_analytics_next RENAME TO idx_token_usage_analytics;
