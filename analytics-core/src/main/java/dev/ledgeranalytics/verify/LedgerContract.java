package dev.ledgeranalytics.verify;

import java.util.List;

/**
 * What this version of the library needs of the ledger schema: the one statement the verifier
 * checks a live database against. It mirrors the migrations (docs/schema.md); types are written
 * the way PostgreSQL's {@code format_type()} prints them, predicates the way
 * {@code pg_get_expr()} does with the ledger's schema on the search path.
 */
final class LedgerContract {

    static final String TABLE = "token_usage_ledger";
    static final String PROVIDERS_TABLE = "providers";
    static final String STATUS_TYPE = "request_status";
    static final List<String> STATUS_VALUES = List.of("success", "failed", "cancelled");

    /** The index every dashboard aggregate is meant to read. */
    static final String DASHBOARD_INDEX = "idx_token_usage_analytics";

    record Column(String name, String type, boolean nullable) {}

    /**
     * An index and what its absence, invalidity or redefinition costs ({@code severity}): without a
     * key index the ledger can bill a request twice or lose its identity (BROKEN); without an
     * analytics index it only gets slower (DEGRADED).
     */
    record Index(
            String name, Status severity, boolean unique, List<String> keys, List<String> include, String predicate) {

        String definition() {
            return (unique ? "UNIQUE " : "") + "(" + String.join(", ", keys) + ")"
                    + (include.isEmpty() ? "" : " INCLUDE (" + String.join(", ", include) + ")")
                    + (predicate == null ? "" : " WHERE " + predicate);
        }
    }

    static final List<Column> COLUMNS = List.of(
            new Column("id", "uuid", false),
            new Column("request_id", "uuid", false),
            new Column("user_id", "uuid", false),
            new Column("model_id", "character varying(255)", false),
            new Column("provider_id", "uuid", false),
            new Column("vendor_cost", "numeric(10,8)", false),
            new Column("credits_deducted", "integer", false),
            new Column("margin_multiplier", "numeric(4,2)", false),
            new Column("gross_margin_usd", "numeric(10,8)", false),
            new Column("status", STATUS_TYPE, false),
            new Column("created_at", "timestamp with time zone", false),
            new Column("input_tokens", "integer", false),
            new Column("output_tokens", "integer", false),
            new Column("user_tier", "character varying(32)", false),
            new Column("api_key_id", "uuid", true),
            new Column("request_type", "character varying(32)", false),
            new Column("cached_input_tokens", "integer", false),
            new Column("reasoning_tokens", "integer", false),
            new Column("latency_ms", "integer", true),
            new Column("time_to_first_token_ms", "integer", true),
            new Column("error_code", "character varying(64)", true),
            new Column("is_streaming", "boolean", false),
            new Column("upstream_request_id", "character varying(255)", true),
            new Column("session_id", "uuid", true),
            new Column("metadata", "jsonb", false),
            new Column("updated_at", "timestamp with time zone", false));

    static final List<Index> INDEXES = List.of(
            new Index("token_usage_ledger_pkey", Status.BROKEN, true, List.of("id"), List.of(), null),
            new Index("token_usage_ledger_request_id_key", Status.BROKEN, true, List.of("request_id"), List.of(), null),
            new Index(
                    DASHBOARD_INDEX,
                    Status.DEGRADED,
                    false,
                    List.of("created_at DESC", "status", "provider_id", "user_id"),
                    List.of(
                            "gross_margin_usd",
                            "vendor_cost",
                            "credits_deducted",
                            "input_tokens",
                            "output_tokens",
                            "cached_input_tokens",
                            "reasoning_tokens"),
                    null),
            new Index(
                    "idx_token_usage_success",
                    Status.DEGRADED,
                    false,
                    List.of("created_at DESC"),
                    List.of(),
                    "status = 'success'::request_status"),
            new Index(
                    "token_usage_ledger_user_id_created_at_idx",
                    Status.DEGRADED,
                    false,
                    List.of("user_id", "created_at"),
                    List.of(),
                    null),
            new Index(
                    "token_usage_ledger_provider_id_created_at_idx",
                    Status.DEGRADED,
                    false,
                    List.of("provider_id", "created_at"),
                    List.of(),
                    null),
            new Index(
                    "token_usage_ledger_model_id_created_at_idx",
                    Status.DEGRADED,
                    false,
                    List.of("model_id", "created_at"),
                    List.of(),
                    null),
            new Index("token_usage_ledger_status_idx", Status.DEGRADED, false, List.of("status"), List.of(), null));

    private LedgerContract() {}
}
