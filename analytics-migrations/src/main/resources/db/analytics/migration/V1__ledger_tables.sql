-- The ledger of metered LLM API requests and the providers that served them.
-- Names are unqualified on purpose: Flyway runs this with search_path set to the
-- schema the host chose for us (default "analytics"), so the same script serves every host.

CREATE TYPE request_status AS ENUM ('success', 'failed', 'cancelled');

CREATE TABLE providers (
    id           uuid         NOT NULL DEFAULT gen_random_uuid(),
    slug         varchar(64)  NOT NULL,
    display_name varchar(255) NOT NULL,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT providers_pkey PRIMARY KEY (id),
    CONSTRAINT providers_slug_key UNIQUE (slug),
    CONSTRAINT providers_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9_-]*$')
);

CREATE TABLE token_usage_ledger (
    -- The seed's thirteen fields, with the seed's types and precision.
    id                     uuid           NOT NULL DEFAULT gen_random_uuid(),
    request_id             uuid           NOT NULL,
    user_id                uuid           NOT NULL,
    model_id               varchar(255)   NOT NULL,
    provider_id            uuid           NOT NULL,
    vendor_cost            numeric(10, 8) NOT NULL,
    credits_deducted       integer        NOT NULL,
    margin_multiplier      numeric(4, 2)  NOT NULL,
    gross_margin_usd       numeric(10, 8) NOT NULL,
    status                 request_status NOT NULL,
    created_at             timestamptz    NOT NULL DEFAULT now(),
    input_tokens           integer        NOT NULL,
    output_tokens          integer        NOT NULL,

    -- What a production gateway ledger also carries.
    user_tier              varchar(32)    NOT NULL,
    api_key_id             uuid,
    request_type           varchar(32)    NOT NULL,
    cached_input_tokens    integer        NOT NULL DEFAULT 0,
    reasoning_tokens       integer        NOT NULL DEFAULT 0,
    latency_ms             integer,
    time_to_first_token_ms integer,
    error_code             varchar(64),
    is_streaming           boolean        NOT NULL DEFAULT false,
    upstream_request_id    varchar(255),
    session_id             uuid,
    metadata               jsonb          NOT NULL DEFAULT '{}'::jsonb,
    updated_at             timestamptz    NOT NULL DEFAULT now(),

    CONSTRAINT token_usage_ledger_pkey PRIMARY KEY (id),
    CONSTRAINT token_usage_ledger_request_id_key UNIQUE (request_id),
    CONSTRAINT token_usage_ledger_provider_id_fkey
        FOREIGN KEY (provider_id) REFERENCES providers (id),

    CONSTRAINT token_usage_ledger_vendor_cost_check CHECK (vendor_cost >= 0),
    CONSTRAINT token_usage_ledger_credits_deducted_check CHECK (credits_deducted >= 0),
    CONSTRAINT token_usage_ledger_margin_multiplier_check CHECK (margin_multiplier > 0),
    CONSTRAINT token_usage_ledger_input_tokens_check CHECK (input_tokens >= 0),
    CONSTRAINT token_usage_ledger_output_tokens_check CHECK (output_tokens >= 0),
    CONSTRAINT token_usage_ledger_cached_input_tokens_check
        CHECK (cached_input_tokens >= 0 AND cached_input_tokens <= input_tokens),
    CONSTRAINT token_usage_ledger_reasoning_tokens_check
        CHECK (reasoning_tokens >= 0 AND reasoning_tokens <= output_tokens),
    CONSTRAINT token_usage_ledger_latency_ms_check CHECK (latency_ms >= 0),
    CONSTRAINT token_usage_ledger_time_to_first_token_ms_check
        CHECK (time_to_first_token_ms >= 0 AND time_to_first_token_ms <= latency_ms),
    CONSTRAINT token_usage_ledger_user_tier_format CHECK (user_tier ~ '^[a-z0-9][a-z0-9_-]*$'),
    CONSTRAINT token_usage_ledger_request_type_format CHECK (request_type ~ '^[a-z0-9][a-z0-9_-]*$'),
    -- An error code explains a failure; a successful request carries none.
    CONSTRAINT token_usage_ledger_error_code_check CHECK (status <> 'success' OR error_code IS NULL),
    CONSTRAINT token_usage_ledger_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

COMMENT ON TABLE token_usage_ledger IS
    'One row per metered LLM API request: tokens, vendor cost, credits charged and the margin earned.';
COMMENT ON COLUMN token_usage_ledger.gross_margin_usd IS
    'Revenue minus vendor cost in USD; revenue of a row is gross_margin_usd + vendor_cost.';
COMMENT ON COLUMN token_usage_ledger.created_at IS
    'The instant the request was metered; buckets are computed in the caller''s time zone.';
