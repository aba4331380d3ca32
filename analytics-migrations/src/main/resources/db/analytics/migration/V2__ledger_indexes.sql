-- The dashboard's indexes, built without blocking writes so that installing or upgrading on a
-- ledger that already holds millions of rows never stalls the host's traffic.
--
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction (see V2__ledger_indexes.sql.conf),
-- and a failed concurrent build leaves an INVALID index behind. Dropping it first makes a
-- retry after such a failure rebuild the index instead of silently keeping the broken one.

DROP INDEX CONCURRENTLY IF EXISTS idx_token_usage_analytics;
CREATE INDEX CONCURRENTLY idx_token_usage_analytics
    ON token_usage_ledger (created_at DESC, status, provider_id, user_id)
    INCLUDE (gross_margin_usd, vendor_cost, credits_deducted, input_tokens, output_tokens);

DROP INDEX CONCURRENTLY IF EXISTS idx_token_usage_success;
CREATE INDEX CONCURRENTLY idx_token_usage_success
    ON token_usage_ledger (created_at DESC)
    WHERE status = 'success';

DROP INDEX CONCURRENTLY IF EXISTS token_usage_ledger_user_id_created_at_idx;
CREATE INDEX CONCURRENTLY token_usage_ledger_user_id_created_at_idx
    ON token_usage_ledger (user_id, created_at);

DROP INDEX CONCURRENTLY IF EXISTS token_usage_ledger_provider_id_created_at_idx;
CREATE INDEX CONCURRENTLY token_usage_ledger_provider_id_created_at_idx
    ON token_usage_ledger (provider_id, created_at);

DROP INDEX CONCURRENTLY IF EXISTS token_usage_ledger_model_id_created_at_idx;
CREATE INDEX CONCURRENTLY token_usage_ledger_model_id_created_at_idx
    ON token_usage_ledger (model_id, created_at);

DROP INDEX CONCURRENTLY IF EXISTS token_usage_ledger_status_idx;
CREATE INDEX CONCURRENTLY token_usage_ledger_status_idx
    ON token_usage_ledger (status);
