package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.schema.Catalog.Column;
import dev.ledgeranalytics.schema.Catalog.Index;
import java.util.List;
import java.util.Map;

/**
 * The schema the seed's verification report verified, extended by the columns documented in
 * docs/schema.md, written out by hand so that the catalog is checked against an independent
 * statement of what it must hold.
 */
final class SeedSchema {

    static final List<Column> LEDGER_COLUMNS = List.of(
            new Column("id", "uuid", false),
            new Column("request_id", "uuid", false),
            new Column("user_id", "uuid", false),
            new Column("model_id", "character varying(255)", false),
            new Column("provider_id", "uuid", false),
            new Column("vendor_cost", "numeric(10,8)", false),
            new Column("credits_deducted", "integer", false),
            new Column("margin_multiplier", "numeric(4,2)", false),
            new Column("gross_margin_usd", "numeric(10,8)", false),
            new Column("status", "request_status", false),
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

    static final List<Column> PROVIDER_COLUMNS = List.of(
            new Column("id", "uuid", false),
            new Column("slug", "character varying(64)", false),
            new Column("display_name", "character varying(255)", false),
            new Column("created_at", "timestamp with time zone", false));

    static final List<Index> LEDGER_INDEXES = List.of(
            new Index("idx_token_usage_analytics",
                    List.of("created_at DESC", "status", "provider_id", "user_id"),
                    List.of("gross_margin_usd", "vendor_cost", "credits_deducted", "input_tokens", "output_tokens"),
                    null, false, false, true),
            new Index("idx_token_usage_success", List.of("created_at DESC"), List.of(),
                    "status = 'success'::request_status", false, false, true),
            new Index("token_usage_ledger_model_id_created_at_idx", List.of("model_id", "created_at"), List.of(),
                    null, false, false, true),
            new Index("token_usage_ledger_pkey", List.of("id"), List.of(), null, true, true, true),
            new Index("token_usage_ledger_provider_id_created_at_idx", List.of("provider_id", "created_at"), List.of(),
                    null, false, false, true),
            new Index("token_usage_ledger_request_id_key", List.of("request_id"), List.of(), null, true, false, true),
            new Index("token_usage_ledger_status_idx", List.of("status"), List.of(), null, false, false, true),
            new Index("token_usage_ledger_user_id_created_at_idx", List.of("user_id", "created_at"), List.of(),
                    null, false, false, true));

    private SeedSchema() {
    }

    /** Asserts everything the seed's verification report checked, and the extensions on top. */
    static void assertCatalogMatches(Catalog catalog) {
        assertThat(catalog.tables()).containsExactly("analytics_schema_history", "providers", "token_usage_ledger");
        assertThat(catalog.columns("token_usage_ledger")).hasSize(26).containsExactlyElementsOf(LEDGER_COLUMNS);
        assertThat(catalog.columns("providers")).containsExactlyElementsOf(PROVIDER_COLUMNS);
        assertThat(catalog.enumValues("request_status")).containsExactly("success", "failed", "cancelled");

        Map<String, Index> indexes = catalog.indexes("token_usage_ledger");
        assertThat(indexes.values()).containsExactlyInAnyOrderElementsOf(LEDGER_INDEXES);

        assertThat(catalog.foreignKeys("token_usage_ledger")).containsExactly("provider_id -> providers(id)");
        assertThat(catalog.checkConstraints("token_usage_ledger")).contains(
                "token_usage_ledger_vendor_cost_check",
                "token_usage_ledger_credits_deducted_check",
                "token_usage_ledger_margin_multiplier_check",
                "token_usage_ledger_input_tokens_check",
                "token_usage_ledger_output_tokens_check");
    }
}
