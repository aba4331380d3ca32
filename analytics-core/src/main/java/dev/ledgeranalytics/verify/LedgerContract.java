package dev.ledgeranalytics.verify;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.util.ArrayList;
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
    static final String DASHBOARD_INDEX = LedgerLayout.DASHBOARD_INDEX;

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

    /**
     * The ledger's indexes in the layout it has: the keys (whose absence is BROKEN) and the six
     * secondary indexes (DEGRADED), as {@link LedgerLayout} defines them.
     */
    static List<Index> indexes(boolean partitioned) {
        List<Index> indexes = new ArrayList<>();
        for (LedgerLayout.Index key : partitioned ? LedgerLayout.PARTITIONED_KEYS : LedgerLayout.UNPARTITIONED_KEYS) {
            indexes.add(of(key, Status.BROKEN));
        }
        for (LedgerLayout.Index index : LedgerLayout.SECONDARY_INDEXES) {
            indexes.add(of(index, Status.DEGRADED));
        }
        return List.copyOf(indexes);
    }

    private static Index of(LedgerLayout.Index index, Status severity) {
        return new Index(index.name(), severity, index.unique(), index.keys(), index.include(), index.predicate());
    }

    private LedgerContract() {}
}
