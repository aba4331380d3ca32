package dev.ledgeranalytics.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.verify.Finding.Kind;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** One finding per test, each on its own freshly migrated database, damaged the way operators find it. */
class SchemaVerifierTest {

    private TestDatabase database;
    private Sql sql;

    @BeforeEach
    void migrate() {
        database = TestDatabase.migrated();
        sql = new Sql(database.dataSource());
    }

    @AfterEach
    void drop() {
        database.close();
    }

    private VerificationReport verify() {
        return SchemaVerifier.verify(database.dataSource(), "analytics");
    }

    /** Verifies, expecting exactly this finding and the status it implies. */
    private VerificationReport verifyFindsOnly(Finding expected) {
        VerificationReport report = verify();
        assertThat(report.findings()).containsExactly(expected);
        assertThat(report.status()).isEqualTo(expected.status());
        return report;
    }

    @Test
    void aFreshlyMigratedSchemaIsReadyWithEveryCheckPassed() {
        VerificationReport report = verify();

        assertThat(report.status()).isEqualTo(Status.READY);
        assertThat(report.findings()).isEmpty();
        assertThat(report.tablePresent()).isTrue();
        assertThat(report.columns())
                .hasSize(26)
                .allSatisfy(column -> assertThat(column.state()).isEqualTo(ColumnCheck.State.OK));
        assertThat(report.columns())
                .filteredOn(column -> column.name().equals("vendor_cost"))
                .singleElement()
                .satisfies(column -> assertThat(column.actualType()).isEqualTo("numeric(10,8)"));
        assertThat(report.statusValues()).containsExactly("success", "failed", "cancelled");
        assertThat(report.indexes())
                .hasSize(8)
                .allSatisfy(index -> assertThat(index.state()).isEqualTo(IndexCheck.State.OK));
        assertThat(report.indexes())
                .filteredOn(index -> index.name().equals("idx_token_usage_analytics"))
                .singleElement()
                .satisfies(index -> {
                    assertThat(index.keyColumns())
                            .containsExactly("created_at DESC", "status", "provider_id", "user_id");
                    assertThat(index.includeColumns())
                            .containsExactly(
                                    "gross_margin_usd",
                                    "vendor_cost",
                                    "credits_deducted",
                                    "input_tokens",
                                    "output_tokens",
                                    "cached_input_tokens",
                                    "reasoning_tokens");
                    assertThat(index.sizeBytes()).isPositive();
                });
        assertThat(report.indexes())
                .filteredOn(index -> index.name().equals("idx_token_usage_success"))
                .singleElement()
                .satisfies(index -> assertThat(index.predicate()).isEqualTo("status = 'success'::request_status"));
        assertThat(report.statistics().estimatedRows()).isZero();
        assertThat(report.statistics().stale()).isFalse();
    }

    @Test
    void anEmptyLedgersPlansAreReportedButNotJudged() {
        VerificationReport report = verify();

        assertThat(report.plans())
                .extracting(PlanCheck::statement)
                .containsExactly(
                        "grossMargin",
                        "providerCosts",
                        "marginTrend",
                        "costDistribution (histogram)",
                        "costDistribution (percentiles)",
                        "userBreakdown");
        assertThat(report.plans()).allSatisfy(plan -> {
            assertThat(plan.verdict()).isEqualTo(PlanCheck.Verdict.TOO_FEW_ROWS);
            assertThat(plan.nodes()).isNotEmpty();
        });
        assertThat(report.planTo()).isAfter(report.planFrom());
    }

    @Test
    void aDroppedAnalyticsIndexDegradesTheSchema() throws SQLException {
        sql.execute("DROP INDEX analytics.idx_token_usage_success");

        VerificationReport report = verifyFindsOnly(
                new Finding(
                        Status.DEGRADED,
                        Kind.INDEX_MISSING,
                        "idx_token_usage_success",
                        "index idx_token_usage_success (created_at DESC) WHERE status = 'success'::request_status does not exist"));
        assertThat(report.indexes())
                .filteredOn(index -> index.state() == IndexCheck.State.MISSING)
                .extracting(IndexCheck::name)
                .containsExactly("idx_token_usage_success");
    }

    @Test
    void anIndexLeftInvalidByAFailedConcurrentBuildDegradesTheSchema() throws SQLException {
        sql.execute(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'analytics.idx_token_usage_analytics'::regclass");

        VerificationReport report = verify();

        assertThat(report.status()).isEqualTo(Status.DEGRADED);
        assertThat(report.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.INDEX_INVALID);
            assertThat(finding.status()).isEqualTo(Status.DEGRADED);
            assertThat(finding.subject()).isEqualTo("idx_token_usage_analytics");
            assertThat(finding.message())
                    .contains("INVALID", "REINDEX INDEX CONCURRENTLY analytics.idx_token_usage_analytics");
        });

        sql.execute("REINDEX INDEX CONCURRENTLY analytics.idx_token_usage_analytics");

        assertThat(verify().findings()).extracting(Finding::kind).doesNotContain(Kind.INDEX_INVALID);
    }

    @Test
    void aMissingProvidersTableBreaksTheSchema() throws SQLException {
        sql.execute("DROP TABLE analytics.providers CASCADE");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN,
                Kind.TABLE_MISSING,
                "providers",
                "table analytics.providers, which names the ledger's providers, does not exist; run the migrations"));
        assertThat(report.plans()).isEmpty();
    }

    @Test
    void anIndexWithOtherColumnsDegradesTheSchema() throws SQLException {
        sql.execute(
                "DROP INDEX analytics.token_usage_ledger_model_id_created_at_idx",
                "CREATE INDEX token_usage_ledger_model_id_created_at_idx ON analytics.token_usage_ledger (model_id)");

        verifyFindsOnly(new Finding(
                Status.DEGRADED,
                Kind.INDEX_DIFFERENT,
                "token_usage_ledger_model_id_created_at_idx",
                "index token_usage_ledger_model_id_created_at_idx is (model_id), expected (model_id, created_at)"));
    }

    @Test
    void aMissingPrimaryKeyBreaksTheSchema() throws SQLException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger DROP CONSTRAINT token_usage_ledger_pkey");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN,
                Kind.INDEX_MISSING,
                "token_usage_ledger_pkey",
                "index token_usage_ledger_pkey UNIQUE (id) does not exist"));
        assertThat(report.plans()).isEmpty();
    }

    @Test
    void aColumnOfTheWrongTypeBreaksTheSchema() throws SQLException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger ALTER COLUMN vendor_cost TYPE numeric(12,4)");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN,
                Kind.COLUMN_WRONG,
                "vendor_cost",
                "column vendor_cost is numeric(12,4) NOT NULL, expected numeric(10,8) NOT NULL"));
        assertThat(report.columns())
                .filteredOn(column -> column.name().equals("vendor_cost"))
                .singleElement()
                .satisfies(column -> assertThat(column.state()).isEqualTo(ColumnCheck.State.WRONG));
    }

    @Test
    void aColumnThatAcceptsNullsBreaksTheSchema() throws SQLException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger ALTER COLUMN user_tier DROP NOT NULL");

        verifyFindsOnly(new Finding(
                Status.BROKEN,
                Kind.COLUMN_WRONG,
                "user_tier",
                "column user_tier is character varying(32) NULL, expected character varying(32) NOT NULL"));
    }

    @Test
    void aMissingColumnBreaksTheSchema() throws SQLException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger DROP COLUMN session_id");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN, Kind.COLUMN_MISSING, "session_id", "column session_id uuid NULL does not exist"));
        assertThat(report.columns())
                .filteredOn(column -> column.state() == ColumnCheck.State.MISSING)
                .extracting(ColumnCheck::name)
                .containsExactly("session_id");
    }

    @Test
    void aMissingStatusValueBreaksTheSchema() throws SQLException {
        sql.execute("ALTER TYPE analytics.request_status RENAME VALUE 'cancelled' TO 'canceled'");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN, Kind.STATUS_VALUE_MISSING, "request_status", "enum request_status lacks cancelled"));
        assertThat(report.statusValues()).containsExactly("success", "failed", "canceled");
    }

    @Test
    void aMissingTableBreaksTheSchemaWithThatOneFinding() throws SQLException {
        sql.execute("DROP TABLE analytics.token_usage_ledger");

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.BROKEN,
                Kind.TABLE_MISSING,
                "token_usage_ledger",
                "table analytics.token_usage_ledger does not exist; run the migrations"));
        assertThat(report.tablePresent()).isFalse();
        assertThat(report.columns()).isEmpty();
        assertThat(report.indexes()).isEmpty();
        assertThat(report.statistics()).isNull();
        assertThat(report.plans()).isEmpty();
    }

    @Test
    void aSchemaThatWasNeverMigratedIsBroken() {
        VerificationReport report = SchemaVerifier.verify(database.dataSource(), "billing");

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings()).extracting(Finding::kind).containsExactly(Kind.TABLE_MISSING);
    }

    @Test
    void rowsNeverAnalyzedMakeTheStatisticsStale() throws SQLException, InterruptedException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger SET (autovacuum_enabled = false)");
        LedgerSeeder.into(database.dataSource()).rows(200).seed(7).load();
        sql.awaitModifiedSinceAnalyze(200);

        VerificationReport report = verifyFindsOnly(new Finding(
                Status.DEGRADED,
                Kind.STATISTICS_STALE,
                "token_usage_ledger",
                "never analyzed, though it holds about 200 rows, more than 50; run ANALYZE or check autovacuum"));
        assertThat(report.statistics().lastAnalyzed()).isNull();
    }

    @Test
    void aFewRowsNeverAnalyzedAreNotStaleAsAutovacuumWouldNotAnalyzeThemEither()
            throws SQLException, InterruptedException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger SET (autovacuum_enabled = false)");
        LedgerSeeder.into(database.dataSource()).rows(50).seed(7).load();
        sql.awaitModifiedSinceAnalyze(50);

        VerificationReport report = verify();

        assertThat(report.status()).isEqualTo(Status.READY);
        assertThat(report.statistics().stale()).isFalse();
        assertThat(report.statistics().staleThreshold()).isEqualTo(50);
    }

    @Test
    void moreRowsModifiedSinceAnalyzeThanAutovacuumsThresholdMakeTheStatisticsStale()
            throws SQLException, InterruptedException {
        sql.execute("ALTER TABLE analytics.token_usage_ledger SET (autovacuum_enabled = false)");
        LedgerSeeder.into(database.dataSource()).rows(200).seed(7).load();
        Instant beforeAnalyze = Instant.now();
        sql.execute("ANALYZE analytics.token_usage_ledger");
        // 50 + 10 % of 200 rows = 70: 70 changed rows are still fresh, 71 are not.
        sql.execute("UPDATE analytics.token_usage_ledger SET updated_at = now() "
                + "WHERE id IN (SELECT id FROM analytics.token_usage_ledger ORDER BY id LIMIT 70)");
        sql.awaitModifiedSinceAnalyze(70);

        VerificationReport fresh = verify();
        sql.execute("UPDATE analytics.token_usage_ledger SET updated_at = now() "
                + "WHERE id = (SELECT id FROM analytics.token_usage_ledger ORDER BY id DESC LIMIT 1)");
        sql.awaitModifiedSinceAnalyze(71);
        VerificationReport stale = verify();

        assertThat(fresh.status()).isEqualTo(Status.READY);
        assertThat(fresh.statistics().lastAnalyzed()).isAfter(beforeAnalyze.minusSeconds(1));
        assertThat(fresh.statistics().staleThreshold()).isEqualTo(70);
        assertThat(stale.status()).isEqualTo(Status.DEGRADED);
        assertThat(stale.findings())
                .containsExactly(new Finding(
                        Status.DEGRADED,
                        Kind.STATISTICS_STALE,
                        "token_usage_ledger",
                        "71 rows modified since the last analyze, more than 70; run ANALYZE or check autovacuum"));
    }

    @Test
    void everyFindingOfADamagedSchemaIsReportedWorstFirst() throws SQLException {
        sql.execute(
                "DROP INDEX analytics.token_usage_ledger_status_idx",
                "ALTER TABLE analytics.token_usage_ledger DROP COLUMN upstream_request_id");

        VerificationReport report = verify();

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings())
                .extracting(Finding::kind)
                .containsExactly(Kind.COLUMN_MISSING, Kind.INDEX_MISSING);
    }

    @Test
    void argumentsAreCheckedAndNamed() {
        assertThatThrownBy(() -> SchemaVerifier.verify(null, "analytics"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSource");
        assertThatThrownBy(() -> SchemaVerifier.verify(database.dataSource(), "Bad-Name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining("\"Bad-Name\"");
        assertThatThrownBy(() -> SchemaVerifier.verify(database.dataSource(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema");
    }

    @Test
    void aDatabaseFailureSurfacesWithItsSqlState() {
        PGSimpleDataSource missing = new PGSimpleDataSource();
        missing.setURL(database.jdbcUrl().replace("/" + database.name() + "?", "/no_such_database?"));

        assertThatThrownBy(() -> SchemaVerifier.verify(missing))
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("Reading the catalog of ledger schema \"analytics\" failed")
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("3D000"));
    }
}
