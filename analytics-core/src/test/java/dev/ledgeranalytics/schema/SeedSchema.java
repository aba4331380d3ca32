package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.schema.Catalog.Column;
import dev.ledgeranalytics.schema.Catalog.Index;
import dev.ledgeranalytics.verify.ColumnCheck;
import dev.ledgeranalytics.verify.IndexCheck;
import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.Status;
import dev.ledgeranalytics.verify.VerificationReport;
import java.util.List;
import java.util.Map;

/**
 * The schema the seed's verification report verified, extended by the columns documented in
 * docs/schema.md. The ledger's columns, enum and indexes are checked by {@link SchemaVerifier}
 * against the library's one statement of them, and nothing beyond it may exist; the providers
 * table, keys and checks are written out here by hand.
 */
final class SeedSchema {

    static final List<Column> PROVIDER_COLUMNS = List.of(
            new Column("id", "uuid", false),
            new Column("slug", "character varying(64)", false),
            new Column("display_name", "character varying(255)", false),
            new Column("created_at", "timestamp with time zone", false));

    private SeedSchema() {}

    /** Asserts everything the seed's verification report checked, and the extensions on top. */
    static void assertCatalogMatches(Catalog catalog) {
        assertThat(catalog.tables())
                .containsExactly(
                        "analytics_schema_history",
                        "providers",
                        "rollup_changes",
                        "rollup_cost_buckets",
                        "rollup_costs",
                        "rollup_dims",
                        "rollup_new_rows",
                        "rollup_provider",
                        "rollup_state",
                        "rollup_status",
                        "rollup_users",
                        "token_usage_ledger");
        VerificationReport report = SchemaVerifier.verify(catalog.dataSource(), catalog.schema());
        assertThat(report.findings()).isEmpty();
        assertThat(report.status()).isEqualTo(Status.READY);
        assertThat(catalog.columns("token_usage_ledger"))
                .extracting(Column::name)
                .hasSize(26)
                .containsExactlyElementsOf(
                        report.columns().stream().map(ColumnCheck::name).toList());
        assertThat(catalog.columns("providers")).containsExactlyElementsOf(PROVIDER_COLUMNS);
        assertThat(catalog.enumValues("request_status")).containsExactly("success", "failed", "cancelled");

        Map<String, Index> indexes = catalog.indexes("token_usage_ledger");
        assertThat(indexes.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        report.indexes().stream().map(IndexCheck::name).toList());
        assertThat(indexes.get("token_usage_ledger_pkey").primary()).isTrue();

        assertThat(catalog.foreignKeys("token_usage_ledger")).containsExactly("provider_id -> providers(id)");
        assertThat(catalog.checkConstraints("token_usage_ledger"))
                .contains(
                        "token_usage_ledger_vendor_cost_check",
                        "token_usage_ledger_credits_deducted_check",
                        "token_usage_ledger_margin_multiplier_check",
                        "token_usage_ledger_input_tokens_check",
                        "token_usage_ledger_output_tokens_check");
    }
}
