package dev.ledgeranalytics.jooq;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.schema.enums.RequestStatus;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class LedgerDslTest {

    @Test
    void rendersTheGeneratedModelAgainstTheSchemaTheHostInstalledInto() {
        try (TestDatabase database = TestDatabase.migrated("billing")) {
            DSLContext ledger = LedgerDsl.using(database.dataSource(), "billing");
            UUID provider = ledger.insertInto(PROVIDERS, PROVIDERS.SLUG, PROVIDERS.DISPLAY_NAME)
                    .values("anthropic", "Anthropic")
                    .returning(PROVIDERS.ID)
                    .fetchOne(PROVIDERS.ID);
            Instant createdAt = Instant.parse("2026-11-01T12:00:00Z");

            ledger.insertInto(TOKEN_USAGE_LEDGER)
                    .set(TOKEN_USAGE_LEDGER.REQUEST_ID, UUID.randomUUID())
                    .set(TOKEN_USAGE_LEDGER.USER_ID, UUID.randomUUID())
                    .set(TOKEN_USAGE_LEDGER.MODEL_ID, "claude-sonnet-4")
                    .set(TOKEN_USAGE_LEDGER.PROVIDER_ID, provider)
                    .set(TOKEN_USAGE_LEDGER.VENDOR_COST, new BigDecimal("0.00300000"))
                    .set(TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED, 5)
                    .set(TOKEN_USAGE_LEDGER.MARGIN_MULTIPLIER, new BigDecimal("1.25"))
                    .set(TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD, new BigDecimal("0.00075000"))
                    .set(TOKEN_USAGE_LEDGER.STATUS, RequestStatus.success)
                    .set(TOKEN_USAGE_LEDGER.CREATED_AT, createdAt)
                    .set(TOKEN_USAGE_LEDGER.INPUT_TOKENS, 1000)
                    .set(TOKEN_USAGE_LEDGER.OUTPUT_TOKENS, 200)
                    .set(TOKEN_USAGE_LEDGER.USER_TIER, "pro")
                    .set(TOKEN_USAGE_LEDGER.REQUEST_TYPE, "chat")
                    .set(TOKEN_USAGE_LEDGER.METADATA, JSONB.valueOf("{\"region\": \"eu\"}"))
                    .execute();

            var row = ledger.selectFrom(TOKEN_USAGE_LEDGER).fetchSingle();
            assertThat(row.getCreatedAt()).isEqualTo(createdAt);
            assertThat(row.getVendorCost()).isEqualByComparingTo("0.003");
            assertThat(row.getStatus()).isEqualTo(RequestStatus.success);
            assertThat(ledger.render(ledger.selectFrom(TOKEN_USAGE_LEDGER)))
                    .contains("\"billing\".\"token_usage_ledger\"");
        }
    }

    @Test
    void keepsTheHostsOwnSettingsWhenDerivingFromItsConfiguration() {
        DSLContext host = DSL.using(SQLDialect.POSTGRES, new org.jooq.conf.Settings().withRenderFormatted(true));

        DSLContext ledger = LedgerDsl.using(host.configuration(), "ledger_eu");

        assertThat(ledger.settings().isRenderFormatted()).isTrue();
        assertThat(ledger.render(DSL.selectFrom(TOKEN_USAGE_LEDGER))).contains("\"ledger_eu\".\"token_usage_ledger\"");
        assertThat(host.render(DSL.selectFrom(TOKEN_USAGE_LEDGER))).contains("\"analytics\".\"token_usage_ledger\"");
    }

    @Test
    void bindsInstantsAsTypedTimestampsThatPostgresCanFoldIntoConstants() {
        DSLContext host = DSL.using(SQLDialect.POSTGRES);

        assertThat(LedgerDsl.settings("analytics").isBindOffsetDateTimeType()).isTrue();
        assertThat(LedgerDsl.using(host.configuration(), "analytics").settings().isBindOffsetDateTimeType())
                .isTrue();
        assertThat(host.settings().isBindOffsetDateTimeType()).isFalse();
    }

    @Test
    void rejectsInvalidSchemaNamesAndMissingArguments() {
        assertThatThrownBy(() -> LedgerDsl.settings("Billing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Billing\"");
        assertThatThrownBy(() -> LedgerDsl.using((javax.sql.DataSource) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSource");
        assertThatThrownBy(() -> LedgerDsl.using((org.jooq.Configuration) null, "analytics"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration");
    }
}
