-- Rollups: the ledger's sums over fixed UTC time buckets, so that the dashboard queries read a
-- few thousand rollup rows instead of millions of ledger rows. docs/rollups.md explains the
-- design; in short:
--
-- * Grains: 1 = quarter hour, 2 = hour, 3 = day, 4 = ISO week (from Monday), 5 = month, all cut
--   in UTC. Every IANA zone in
--   use today is offset from UTC by a multiple of 15 minutes (+05:30, +05:45, +12:45 included),
--   so every local hour, day, week and month starts on a quarter-hour boundary, and a range is
--   covered exactly by whole buckets plus, at most, sub-quarter-hour edges read from the ledger.
-- * Each table keeps the grains its queries need; the coarser grains are sums of the finer ones.
-- * Consistency: a statement-level trigger records the quarter hours every write touches in
--   rollup_changes, in the writer's transaction. A query reads those quarter hours from the
--   ledger instead of the rollups, in the same snapshot, so it never sees a stale bucket; a
--   refresh recomputes them and deletes their entries in one transaction.
-- * The triggers are created disabled and the rollups empty: until the library builds them
--   (Rollups.rebuild or the first Rollups.refresh), queries read the ledger as before.

CREATE TABLE rollup_state (
    id           boolean     PRIMARY KEY DEFAULT true CHECK (id),
    -- NULL until the first build: queries then read only the ledger.
    built_at     timestamptz,
    refreshed_at timestamptz,
    -- 'refresh': writes only record their quarter hours, Rollups.refresh applies them.
    -- 'trigger': inserts also add themselves to the rollups at once (see rollup_after_insert).
    mode         text        NOT NULL DEFAULT 'refresh' CHECK (mode IN ('refresh', 'trigger'))
);
INSERT INTO rollup_state DEFAULT VALUES;

-- Quarter hours whose rollups are out of date. Append-only for writers, so that concurrent
-- writers never conflict here; a refresh deletes exactly the entries its snapshot saw.
CREATE TABLE rollup_changes (
    quarter_hour timestamptz NOT NULL
);
CREATE INDEX rollup_changes_quarter_hour_idx ON rollup_changes (quarter_hour);

-- The fine cost buckets of the cost histogram rollup: bucket n holds the costs from its lower
-- bound up to the next bucket's. Below 50e-8 USD every representable cost (a multiple of 1e-8)
-- has its own bucket; above, each bound is at most 2 % above the previous one, so the geometric
-- middle of a bucket is within 1 % of every cost in it. The 1-2-5 bounds of the dashboard's
-- histogram are among the bounds, so its bars are exact sums of fine buckets.
-- Costs are placed with width_bucket over float8: a binary search, where over numeric[] it walks
-- the array for every row. A numeric(10, 8) has at most ten significant digits, so its nearest
-- double is distinct for distinct values and the conversion keeps their order: the bucket is the
-- same as in exact arithmetic.
CREATE TABLE rollup_cost_buckets (
    bucket      integer        PRIMARY KEY,
    lower_bound numeric(10, 8) NOT NULL UNIQUE
);
INSERT INTO rollup_cost_buckets (bucket, lower_bound)
SELECT row_number() OVER (ORDER BY units), units * 0.00000001
FROM (
    WITH RECURSIVE geometric(units) AS (
        SELECT 1::bigint
        UNION ALL
        SELECT greatest(units + 1, floor(units * 1.02)::bigint) FROM geometric WHERE units < 10000000000
    )
    SELECT units FROM geometric WHERE units < 10000000000
    UNION
    SELECT 0
    UNION
    SELECT (mantissa * 10::numeric ^ exponent)::bigint
    FROM unnest(ARRAY[1, 2, 5]) AS mantissa, generate_series(0, 9) AS exponent
    WHERE mantissa * 10::numeric ^ exponent < 10000000000
) AS bounds;

-- Totals by status: the unfiltered dashboard (KPIs, trends in any zone).
CREATE TABLE rollup_status (
    grain         smallint       NOT NULL CHECK (grain IN (1, 2, 3)),
    bucket_start  timestamptz    NOT NULL,
    status        request_status NOT NULL,
    requests      bigint         NOT NULL,
    input_tokens  bigint         NOT NULL,
    output_tokens bigint         NOT NULL,
    vendor_cost   numeric        NOT NULL,
    gross_margin  numeric        NOT NULL,
    credits       bigint         NOT NULL,
    PRIMARY KEY (grain, bucket_start, status)
);

-- Totals by status and provider: the cost per provider, and provider-filtered KPIs and trends.
CREATE TABLE rollup_provider (
    grain         smallint       NOT NULL CHECK (grain IN (2, 3)),
    bucket_start  timestamptz    NOT NULL,
    status        request_status NOT NULL,
    provider_id   uuid           NOT NULL,
    requests      bigint         NOT NULL,
    input_tokens  bigint         NOT NULL,
    output_tokens bigint         NOT NULL,
    vendor_cost   numeric        NOT NULL,
    gross_margin  numeric        NOT NULL,
    credits       bigint         NOT NULL,
    PRIMARY KEY (grain, bucket_start, status, provider_id)
);

-- Totals by every filter dimension but the user: any filter on model, tier or request type.
CREATE TABLE rollup_dims (
    grain         smallint       NOT NULL CHECK (grain IN (2, 3)),
    bucket_start  timestamptz    NOT NULL,
    status        request_status NOT NULL,
    provider_id   uuid           NOT NULL,
    model_id      varchar(255)   NOT NULL,
    user_tier     varchar(32)    NOT NULL,
    request_type  varchar(32)    NOT NULL,
    requests      bigint         NOT NULL,
    input_tokens  bigint         NOT NULL,
    output_tokens bigint         NOT NULL,
    vendor_cost   numeric        NOT NULL,
    gross_margin  numeric        NOT NULL,
    credits       bigint         NOT NULL,
    PRIMARY KEY (grain, bucket_start, status, provider_id, model_id, user_tier, request_type)
);

-- The cost histogram by status, on the fine buckets above.
CREATE TABLE rollup_costs (
    grain        smallint       NOT NULL CHECK (grain IN (3, 4, 5)),
    bucket_start timestamptz    NOT NULL,
    status       request_status NOT NULL,
    cost_bucket  integer        NOT NULL,
    requests     bigint         NOT NULL,
    vendor_cost  numeric        NOT NULL,
    min_cost     numeric(10, 8) NOT NULL,
    max_cost     numeric(10, 8) NOT NULL,
    PRIMARY KEY (grain, bucket_start, status, cost_bucket)
);

-- Totals by status and user: the per-user breakdown.
CREATE TABLE rollup_users (
    grain         smallint       NOT NULL CHECK (grain IN (3, 4, 5)),
    bucket_start  timestamptz    NOT NULL,
    status        request_status NOT NULL,
    user_id       uuid           NOT NULL,
    requests      bigint         NOT NULL,
    input_tokens  bigint         NOT NULL,
    output_tokens bigint         NOT NULL,
    vendor_cost   numeric        NOT NULL,
    gross_margin  numeric        NOT NULL,
    credits       bigint         NOT NULL,
    first_at      timestamptz    NOT NULL,
    last_at       timestamptz    NOT NULL,
    PRIMARY KEY (grain, bucket_start, status, user_id)
);

-- The start of the UTC bucket of a grain holding t.
CREATE FUNCTION rollup_bucket(grain smallint, t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE grain
        WHEN 1 THEN date_bin('15 minutes', t, timestamptz '2000-01-01 00:00:00+00')
        WHEN 2 THEN date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00')
        WHEN 3 THEN date_bin('1 day', t, timestamptz '2000-01-01 00:00:00+00')
        WHEN 4 THEN date_bin('7 days', t, timestamptz '2000-01-03 00:00:00+00')
        ELSE (date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
    END;

-- The end of the UTC bucket of a grain starting at bucket_start.
CREATE FUNCTION rollup_bucket_end(grain smallint, bucket_start timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE grain
        WHEN 1 THEN bucket_start + interval '15 minutes'
        WHEN 2 THEN bucket_start + interval '1 hour'
        WHEN 3 THEN bucket_start + interval '24 hours'
        WHEN 4 THEN bucket_start + interval '168 hours'
        ELSE ((bucket_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
    END;

-- Recomputes every rollup bucket holding one of the given instants: the finest grain of each
-- table from the ledger, the coarser grains from the finer rollup rows just written. The caller
-- (Rollups.refresh) runs it in one REPEATABLE READ transaction with the deletion of the
-- rollup_changes entries it applies, and serialised with other refreshes. Each bucket is read by
-- a range scan of its own (LATERAL, fenced by OFFSET 0), whatever the ledger's statistics say.
CREATE FUNCTION rollup_recompute(changed timestamptz[]) RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    quarters timestamptz[] := ARRAY(SELECT DISTINCT rollup_bucket(1::smallint, t) FROM unnest(changed) AS t);
    hours    timestamptz[] := ARRAY(SELECT DISTINCT rollup_bucket(2::smallint, t) FROM unnest(changed) AS t);
    days     timestamptz[] := ARRAY(SELECT DISTINCT rollup_bucket(3::smallint, t) FROM unnest(changed) AS t);
    weeks    timestamptz[] := ARRAY(SELECT DISTINCT rollup_bucket(4::smallint, t) FROM unnest(changed) AS t);
    months   timestamptz[] := ARRAY(SELECT DISTINCT rollup_bucket(5::smallint, t) FROM unnest(changed) AS t);
    bounds   float8[]      := ARRAY(SELECT lower_bound::float8 FROM rollup_cost_buckets ORDER BY bucket);
BEGIN
    DELETE FROM rollup_dims WHERE grain = 2 AND bucket_start = ANY (hours);
    INSERT INTO rollup_dims
    SELECT 2, h.start, l.status, l.provider_id, l.model_id, l.user_tier, l.request_type, count(*),
           sum(l.input_tokens), sum(l.output_tokens), sum(l.vendor_cost), sum(l.gross_margin_usd), sum(l.credits_deducted)
    FROM unnest(hours) AS h(start),
         LATERAL (SELECT * FROM token_usage_ledger
                  WHERE created_at >= h.start AND created_at < rollup_bucket_end(2::smallint, h.start) OFFSET 0) AS l
    GROUP BY 2, 3, 4, 5, 6, 7;

    DELETE FROM rollup_dims WHERE grain = 3 AND bucket_start = ANY (days);
    INSERT INTO rollup_dims
    SELECT 3, d.start, r.status, r.provider_id, r.model_id, r.user_tier, r.request_type, sum(r.requests),
           sum(r.input_tokens), sum(r.output_tokens), sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits)
    FROM unnest(days) AS d(start)
    JOIN rollup_dims r ON r.grain = 2 AND r.bucket_start >= d.start AND r.bucket_start < rollup_bucket_end(3::smallint, d.start)
    GROUP BY 2, 3, 4, 5, 6, 7;

    DELETE FROM rollup_provider WHERE (grain = 2 AND bucket_start = ANY (hours)) OR (grain = 3 AND bucket_start = ANY (days));
    INSERT INTO rollup_provider
    SELECT r.grain, r.bucket_start, r.status, r.provider_id, sum(r.requests),
           sum(r.input_tokens), sum(r.output_tokens), sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits)
    FROM rollup_dims r
    WHERE (r.grain = 2 AND r.bucket_start = ANY (hours)) OR (r.grain = 3 AND r.bucket_start = ANY (days))
    GROUP BY 1, 2, 3, 4;

    DELETE FROM rollup_status WHERE grain = 1 AND bucket_start = ANY (quarters);
    INSERT INTO rollup_status
    SELECT 1, q.start, l.status, count(*),
           sum(l.input_tokens), sum(l.output_tokens), sum(l.vendor_cost), sum(l.gross_margin_usd), sum(l.credits_deducted)
    FROM unnest(quarters) AS q(start),
         LATERAL (SELECT * FROM token_usage_ledger
                  WHERE created_at >= q.start AND created_at < rollup_bucket_end(1::smallint, q.start) OFFSET 0) AS l
    GROUP BY 2, 3;

    DELETE FROM rollup_status WHERE (grain = 2 AND bucket_start = ANY (hours)) OR (grain = 3 AND bucket_start = ANY (days));
    INSERT INTO rollup_status
    SELECT r.grain, r.bucket_start, r.status, sum(r.requests),
           sum(r.input_tokens), sum(r.output_tokens), sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits)
    FROM rollup_provider r
    WHERE (r.grain = 2 AND r.bucket_start = ANY (hours)) OR (r.grain = 3 AND r.bucket_start = ANY (days))
    GROUP BY 1, 2, 3;

    DELETE FROM rollup_costs WHERE grain = 3 AND bucket_start = ANY (days);
    INSERT INTO rollup_costs
    SELECT 3, d.start, l.status, width_bucket(l.vendor_cost::float8, bounds), count(*), sum(l.vendor_cost), min(l.vendor_cost), max(l.vendor_cost)
    FROM unnest(days) AS d(start),
         LATERAL (SELECT * FROM token_usage_ledger
                  WHERE created_at >= d.start AND created_at < rollup_bucket_end(3::smallint, d.start) OFFSET 0) AS l
    GROUP BY 2, 3, 4;

    DELETE FROM rollup_costs WHERE grain = 4 AND bucket_start = ANY (weeks);
    INSERT INTO rollup_costs
    SELECT 4, w.start, r.status, r.cost_bucket, sum(r.requests), sum(r.vendor_cost), min(r.min_cost), max(r.max_cost)
    FROM unnest(weeks) AS w(start)
    JOIN rollup_costs r ON r.grain = 3 AND r.bucket_start >= w.start AND r.bucket_start < rollup_bucket_end(4::smallint, w.start)
    GROUP BY 2, 3, 4;

    DELETE FROM rollup_costs WHERE grain = 5 AND bucket_start = ANY (months);
    INSERT INTO rollup_costs
    SELECT 5, m.start, r.status, r.cost_bucket, sum(r.requests), sum(r.vendor_cost), min(r.min_cost), max(r.max_cost)
    FROM unnest(months) AS m(start)
    JOIN rollup_costs r ON r.grain = 3 AND r.bucket_start >= m.start AND r.bucket_start < rollup_bucket_end(5::smallint, m.start)
    GROUP BY 2, 3, 4;

    DELETE FROM rollup_users WHERE grain = 3 AND bucket_start = ANY (days);
    INSERT INTO rollup_users
    SELECT 3, d.start, l.status, l.user_id, count(*), sum(l.input_tokens), sum(l.output_tokens),
           sum(l.vendor_cost), sum(l.gross_margin_usd), sum(l.credits_deducted), min(l.created_at), max(l.created_at)
    FROM unnest(days) AS d(start),
         LATERAL (SELECT * FROM token_usage_ledger
                  WHERE created_at >= d.start AND created_at < rollup_bucket_end(3::smallint, d.start) OFFSET 0) AS l
    GROUP BY 2, 3, 4;

    DELETE FROM rollup_users WHERE grain = 4 AND bucket_start = ANY (weeks);
    INSERT INTO rollup_users
    SELECT 4, w.start, r.status, r.user_id, sum(r.requests), sum(r.input_tokens), sum(r.output_tokens),
           sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits), min(r.first_at), max(r.last_at)
    FROM unnest(weeks) AS w(start)
    JOIN rollup_users r ON r.grain = 3 AND r.bucket_start >= w.start AND r.bucket_start < rollup_bucket_end(4::smallint, w.start)
    GROUP BY 2, 3, 4;

    DELETE FROM rollup_users WHERE grain = 5 AND bucket_start = ANY (months);
    INSERT INTO rollup_users
    SELECT 5, m.start, r.status, r.user_id, sum(r.requests), sum(r.input_tokens), sum(r.output_tokens),
           sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits), min(r.first_at), max(r.last_at)
    FROM unnest(months) AS m(start)
    JOIN rollup_users r ON r.grain = 3 AND r.bucket_start >= m.start AND r.bucket_start < rollup_bucket_end(5::smallint, m.start)
    GROUP BY 2, 3, 4;
END
$$;

-- Builds every rollup from the whole ledger: one pass over the ledger per table for its finest
-- grain, the coarser grains from those rows. Returns the number of quarter hours with requests.
-- Rollups.rebuild runs it in one REPEATABLE READ transaction, serialised with refreshes.
CREATE FUNCTION rollup_build() RETURNS bigint
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    bounds float8[] := ARRAY(SELECT lower_bound::float8 FROM rollup_cost_buckets ORDER BY bucket);
BEGIN
    DELETE FROM rollup_status;
    DELETE FROM rollup_provider;
    DELETE FROM rollup_dims;
    DELETE FROM rollup_costs;
    DELETE FROM rollup_users;

    INSERT INTO rollup_dims
    SELECT 2, rollup_bucket(2::smallint, created_at), status, provider_id, model_id, user_tier, request_type, count(*),
           sum(input_tokens), sum(output_tokens), sum(vendor_cost), sum(gross_margin_usd), sum(credits_deducted)
    FROM token_usage_ledger
    GROUP BY 2, 3, 4, 5, 6, 7;
    INSERT INTO rollup_dims
    SELECT 3, rollup_bucket(3::smallint, bucket_start), status, provider_id, model_id, user_tier, request_type, sum(requests),
           sum(input_tokens), sum(output_tokens), sum(vendor_cost), sum(gross_margin), sum(credits)
    FROM rollup_dims WHERE grain = 2
    GROUP BY 2, 3, 4, 5, 6, 7;

    INSERT INTO rollup_provider
    SELECT grain, bucket_start, status, provider_id, sum(requests),
           sum(input_tokens), sum(output_tokens), sum(vendor_cost), sum(gross_margin), sum(credits)
    FROM rollup_dims
    GROUP BY 1, 2, 3, 4;

    INSERT INTO rollup_status
    SELECT 1, rollup_bucket(1::smallint, created_at), status, count(*),
           sum(input_tokens), sum(output_tokens), sum(vendor_cost), sum(gross_margin_usd), sum(credits_deducted)
    FROM token_usage_ledger
    GROUP BY 2, 3;
    INSERT INTO rollup_status
    SELECT grain, bucket_start, status, sum(requests),
           sum(input_tokens), sum(output_tokens), sum(vendor_cost), sum(gross_margin), sum(credits)
    FROM rollup_provider
    GROUP BY 1, 2, 3;

    INSERT INTO rollup_costs
    SELECT 3, rollup_bucket(3::smallint, created_at), status, width_bucket(vendor_cost::float8, bounds),
           count(*), sum(vendor_cost), min(vendor_cost), max(vendor_cost)
    FROM token_usage_ledger
    GROUP BY 2, 3, 4;
    INSERT INTO rollup_costs
    SELECT g.grain, rollup_bucket(g.grain, r.bucket_start), r.status, r.cost_bucket,
           sum(r.requests), sum(r.vendor_cost), min(r.min_cost), max(r.max_cost)
    FROM rollup_costs r CROSS JOIN (VALUES (4::smallint), (5::smallint)) AS g(grain)
    WHERE r.grain = 3
    GROUP BY 1, 2, 3, 4;

    INSERT INTO rollup_users
    SELECT 3, rollup_bucket(3::smallint, created_at), status, user_id, count(*), sum(input_tokens), sum(output_tokens),
           sum(vendor_cost), sum(gross_margin_usd), sum(credits_deducted), min(created_at), max(created_at)
    FROM token_usage_ledger
    GROUP BY 2, 3, 4;
    INSERT INTO rollup_users
    SELECT g.grain, rollup_bucket(g.grain, r.bucket_start), r.status, r.user_id, sum(r.requests), sum(r.input_tokens),
           sum(r.output_tokens), sum(r.vendor_cost), sum(r.gross_margin), sum(r.credits), min(r.first_at), max(r.last_at)
    FROM rollup_users r CROSS JOIN (VALUES (4::smallint), (5::smallint)) AS g(grain)
    WHERE r.grain = 3
    GROUP BY 1, 2, 3, 4;

    RETURN (SELECT count(DISTINCT bucket_start) FROM rollup_status WHERE grain = 1);
END
$$;

-- Every write records the quarter hours it touched. In trigger mode, inserts by READ COMMITTED
-- writers add themselves to the rollups instead. Such a writer first takes the schema's rollup
-- lock (a transaction-level advisory lock, the one Rollups.refresh and rebuild hold) and keeps it
-- to the end of its transaction: the upserts of two writers' transactions, or of a writer and a
-- refresh, would otherwise lock the same hot rollup rows (the hour's total) in different orders
-- and deadlock. Trigger-mode writers therefore commit one at a time; refresh mode has no such
-- cost. (Under REPEATABLE READ an upsert of a row another writer changed would fail the writer's
-- transaction, so such writers only record, as in refresh mode.)
CREATE FUNCTION rollup_after_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF (SELECT mode FROM rollup_state) <> 'trigger' OR current_setting('transaction_isolation') <> 'read committed' THEN
        INSERT INTO rollup_changes (quarter_hour)
        SELECT DISTINCT rollup_bucket(1::smallint, created_at) FROM new_rows;
        RETURN NULL;
    END IF;

    -- The schema's rollup lock, which refreshes and builds hold too, until this transaction ends.
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger-analytics rollups ' || current_schema(), 0));
    INSERT INTO rollup_dims AS r
    SELECT g.grain, rollup_bucket(g.grain, n.created_at), n.status, n.provider_id, n.model_id, n.user_tier, n.request_type,
           count(*), sum(n.input_tokens), sum(n.output_tokens), sum(n.vendor_cost), sum(n.gross_margin_usd), sum(n.credits_deducted)
    FROM new_rows n CROSS JOIN (VALUES (2::smallint), (3::smallint)) AS g(grain)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (grain, bucket_start, status, provider_id, model_id, user_tier, request_type) DO UPDATE SET
        requests = r.requests + excluded.requests, input_tokens = r.input_tokens + excluded.input_tokens,
        output_tokens = r.output_tokens + excluded.output_tokens, vendor_cost = r.vendor_cost + excluded.vendor_cost,
        gross_margin = r.gross_margin + excluded.gross_margin, credits = r.credits + excluded.credits;

    INSERT INTO rollup_provider AS r
    SELECT g.grain, rollup_bucket(g.grain, n.created_at), n.status, n.provider_id,
           count(*), sum(n.input_tokens), sum(n.output_tokens), sum(n.vendor_cost), sum(n.gross_margin_usd), sum(n.credits_deducted)
    FROM new_rows n CROSS JOIN (VALUES (2::smallint), (3::smallint)) AS g(grain)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (grain, bucket_start, status, provider_id) DO UPDATE SET
        requests = r.requests + excluded.requests, input_tokens = r.input_tokens + excluded.input_tokens,
        output_tokens = r.output_tokens + excluded.output_tokens, vendor_cost = r.vendor_cost + excluded.vendor_cost,
        gross_margin = r.gross_margin + excluded.gross_margin, credits = r.credits + excluded.credits;

    INSERT INTO rollup_status AS r
    SELECT g.grain, rollup_bucket(g.grain, n.created_at), n.status,
           count(*), sum(n.input_tokens), sum(n.output_tokens), sum(n.vendor_cost), sum(n.gross_margin_usd), sum(n.credits_deducted)
    FROM new_rows n CROSS JOIN (VALUES (1::smallint), (2::smallint), (3::smallint)) AS g(grain)
    GROUP BY 1, 2, 3
    ON CONFLICT (grain, bucket_start, status) DO UPDATE SET
        requests = r.requests + excluded.requests, input_tokens = r.input_tokens + excluded.input_tokens,
        output_tokens = r.output_tokens + excluded.output_tokens, vendor_cost = r.vendor_cost + excluded.vendor_cost,
        gross_margin = r.gross_margin + excluded.gross_margin, credits = r.credits + excluded.credits;

    INSERT INTO rollup_costs AS r
    SELECT g.grain, rollup_bucket(g.grain, n.created_at), n.status,
           width_bucket(n.vendor_cost::float8, ARRAY(SELECT lower_bound::float8 FROM rollup_cost_buckets ORDER BY bucket)),
           count(*), sum(n.vendor_cost), min(n.vendor_cost), max(n.vendor_cost)
    FROM new_rows n CROSS JOIN (VALUES (3::smallint), (4::smallint), (5::smallint)) AS g(grain)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (grain, bucket_start, status, cost_bucket) DO UPDATE SET
        requests = r.requests + excluded.requests, vendor_cost = r.vendor_cost + excluded.vendor_cost,
        min_cost = least(r.min_cost, excluded.min_cost), max_cost = greatest(r.max_cost, excluded.max_cost);

    INSERT INTO rollup_users AS r
    SELECT g.grain, rollup_bucket(g.grain, n.created_at), n.status, n.user_id,
           count(*), sum(n.input_tokens), sum(n.output_tokens), sum(n.vendor_cost), sum(n.gross_margin_usd), sum(n.credits_deducted),
           min(n.created_at), max(n.created_at)
    FROM new_rows n CROSS JOIN (VALUES (3::smallint), (4::smallint), (5::smallint)) AS g(grain)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (grain, bucket_start, status, user_id) DO UPDATE SET
        requests = r.requests + excluded.requests, input_tokens = r.input_tokens + excluded.input_tokens,
        output_tokens = r.output_tokens + excluded.output_tokens, vendor_cost = r.vendor_cost + excluded.vendor_cost,
        gross_margin = r.gross_margin + excluded.gross_margin, credits = r.credits + excluded.credits,
        first_at = least(r.first_at, excluded.first_at), last_at = greatest(r.last_at, excluded.last_at);
    RETURN NULL;
END
$$;

-- Updates and deletes can take a bucket's smallest or largest cost, or a user's first or last
-- request, away; only a recomputation restores those, so both modes record them for a refresh.
CREATE FUNCTION rollup_after_update() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO rollup_changes (quarter_hour)
    SELECT rollup_bucket(1::smallint, created_at) FROM old_rows
    UNION
    SELECT rollup_bucket(1::smallint, created_at) FROM new_rows;
    RETURN NULL;
END
$$;

CREATE FUNCTION rollup_after_delete() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO rollup_changes (quarter_hour)
    SELECT DISTINCT rollup_bucket(1::smallint, created_at) FROM old_rows;
    RETURN NULL;
END
$$;

-- An emptied ledger has empty rollups: exact, and nothing left to refresh.
CREATE FUNCTION rollup_after_truncate() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM rollup_status;
    DELETE FROM rollup_provider;
    DELETE FROM rollup_dims;
    DELETE FROM rollup_costs;
    DELETE FROM rollup_users;
    DELETE FROM rollup_changes;
    RETURN NULL;
END
$$;

CREATE TRIGGER rollup_after_insert AFTER INSERT ON token_usage_ledger
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_after_insert();
CREATE TRIGGER rollup_after_update AFTER UPDATE ON token_usage_ledger
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_after_update();
CREATE TRIGGER rollup_after_delete AFTER DELETE ON token_usage_ledger
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_after_delete();
CREATE TRIGGER rollup_after_truncate AFTER TRUNCATE ON token_usage_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_after_truncate();

-- Off until the rollups are first built (Rollups.rebuild enables them, waiting for the writers
-- of the moment to finish, so that no write escapes both the build and the change log).
ALTER TABLE token_usage_ledger DISABLE TRIGGER rollup_after_insert;
ALTER TABLE token_usage_ledger DISABLE TRIGGER rollup_after_update;
ALTER TABLE token_usage_ledger DISABLE TRIGGER rollup_after_delete;
ALTER TABLE token_usage_ledger DISABLE TRIGGER rollup_after_truncate;
