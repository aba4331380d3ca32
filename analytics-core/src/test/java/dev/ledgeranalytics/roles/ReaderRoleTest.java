package dev.ledgeranalytics.roles;

import static dev.ledgeranalytics.roles.RoleDatabase.assertLacksPrivilege;
import static dev.ledgeranalytics.roles.RoleDatabase.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.QueryListener;
import dev.ledgeranalytics.query.QueryPlan;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.roles.RoleDatabase.RollupState;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.VerificationReport;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reader (the dashboard) does all its work with the grants {@code AnalyticsGrants} gives it,
 * rollups built or not, and gets exactly the owner's answers; it can change nothing.
 */
class ReaderRoleTest {

    private static final LedgerFilter EVERYTHING = LedgerFilter.between(
                    Instant.parse("2026-08-25T00:00:00Z"), Instant.parse("2026-11-20T00:00:00Z"))
            .anyStatus();
    /** Filters that no rollup table keeps, and one that {@code rollup_dims} does. */
    private static final List<LedgerFilter> FILTERS = List.of(
            EVERYTHING,
            LedgerFilter.between(Instant.parse("2026-09-03T10:07:00Z"), Instant.parse("2026-10-28T17:00:00Z")),
            EVERYTHING.providers("openai", "anthropic").tiers("pro"),
            EVERYTHING.users(Row.ALICE, Row.BOB));

    private static RoleDatabase roles;

    @BeforeAll
    static void ledger() {
        roles = RoleDatabase.create();
        Ledger ledger = new Ledger(roles.owner());
        ledger.insert(RandomLedger.rows(5L, 800, 15));
        ledger.insert(Row.at("2026-09-10T10:02:00Z", "0.00420000", "0.00210000").user(Row.BOB));
    }

    @AfterAll
    static void dropRoles() {
        roles.close();
    }

    /**
     * The rollups in {@code state}, with a late row the writer added since they were built, and
     * fresh planner statistics for every table of the schema, which autovacuum then leaves alone:
     * the reader's and the owner's verifications see the same plans and findings. With the ledger's
     * statistics alone, an autovacuum ANALYZE of the freshly built rollups could land between the
     * two verifications and change the cost histogram's join.
     */
    private static void establish(RollupState state) {
        state.establish(roles.owner());
        new Ledger(roles.writer()).insert(Row.at("2026-09-10T10:31:00Z", "0.00120000", "0.00060000"));
        RoleDatabase.execute(roles.owner(), """
                DO $$
                DECLARE
                    t regclass;
                BEGIN
                    FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = 'analytics' AND c.relkind IN ('r', 'p') LOOP
                        EXECUTE format('ANALYZE %s', t);
                    END LOOP;
                END $$""");
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void everyQueryAnswersTheReaderAsItAnswersTheOwner(RollupState state) {
        establish(state);
        List<QueryListener.Source> sources = new ArrayList<>();
        AnalyticsQueries reader =
                AnalyticsQueries.create(roles.reader()).withListener(query -> (source, failure) -> sources.add(source));
        AnalyticsQueries owner = AnalyticsQueries.create(roles.owner());
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");

        for (LedgerFilter filter : FILTERS) {
            assertThat(reader.grossMargin(filter)).as("%s", filter).isEqualTo(owner.grossMargin(filter));
            assertThat(reader.providerCosts(filter)).as("%s", filter).isEqualTo(owner.providerCosts(filter));
            assertThat(reader.marginTrend(filter, Granularity.DAY, kolkata))
                    .as("%s", filter)
                    .isEqualTo(owner.marginTrend(filter, Granularity.DAY, kolkata));
            assertThat(reader.costDistribution(filter)).as("%s", filter).isEqualTo(owner.costDistribution(filter));
            assertThat(reader.costDistributionByModel(filter))
                    .as("%s", filter)
                    .isEqualTo(owner.costDistributionByModel(filter));
            UserPage first = reader.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, null);
            assertThat(first)
                    .as("%s", filter)
                    .isEqualTo(owner.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, null));
            assertThat(reader.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, first.next()))
                    .as("%s", filter)
                    .isEqualTo(owner.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, first.next()));
            assertThat(reader.explain(filter))
                    .extracting(QueryPlan::statement)
                    .isEqualTo(owner.explain(filter).stream()
                            .map(QueryPlan::statement)
                            .toList());
        }

        assertThat(sources).hasSize(7 * FILTERS.size());
        // The reader reads the rollups themselves once they are built, not merely the ledger.
        assertThat(sources)
                .contains(state == RollupState.NOT_BUILT ? QueryListener.Source.LEDGER : QueryListener.Source.ROLLUPS)
                .doesNotContainNull();
        if (state == RollupState.NOT_BUILT) {
            assertThat(sources).containsOnly(QueryListener.Source.LEDGER);
        }
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void theReaderExportsTheLedgerAndEveryResultAsTheOwnerDoes(RollupState state) {
        establish(state);
        AnalyticsQueries queries = AnalyticsQueries.create(roles.reader());
        CostDistribution costs = queries.costDistribution(EVERYTHING);

        assertSameCsv((exporter, out) -> exporter.exportLedger(EVERYTHING, out));
        assertSameCsv((exporter, out) -> exporter.exportUsers(EVERYTHING, UserSort.REQUESTS_DESC, out));
        assertSameCsv((exporter, out) -> exporter.write(queries.grossMargin(EVERYTHING), out));
        assertSameCsv((exporter, out) -> exporter.writeProviderCosts(queries.providerCosts(EVERYTHING), out));
        assertSameCsv((exporter, out) ->
                exporter.write(queries.marginTrend(EVERYTHING, Granularity.WEEK, ZoneId.of("Europe/Berlin")), out));
        assertSameCsv((exporter, out) -> exporter.writeCostSummary(costs, out));
        assertSameCsv((exporter, out) -> exporter.writeCostHistogram(costs, out));
        assertSameCsv((exporter, out) -> exporter.writeUsers(
                queries.userBreakdown(EVERYTHING, UserSort.GROSS_MARGIN_DESC, 10, null)
                        .users(),
                out));
    }

    private static void assertSameCsv(BiConsumer<CsvExporter, StringWriter> export) {
        StringWriter asReader = new StringWriter();
        export.accept(CsvExporter.create(roles.reader()), asReader);
        StringWriter asOwner = new StringWriter();
        export.accept(CsvExporter.create(roles.owner()), asOwner);
        assertThat(asReader.toString()).contains("\n").isEqualTo(asOwner.toString());
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void theReaderVerifiesTheSchemaAndReadsTheRollupStatusAsTheOwnerDoes(RollupState state) {
        establish(state);

        VerificationReport asReader = SchemaVerifier.verify(roles.reader());
        VerificationReport asOwner = SchemaVerifier.verify(roles.owner());

        assertThat(asReader.status()).isEqualTo(asOwner.status());
        assertThat(asReader.findings()).isEqualTo(asOwner.findings());
        assertThat(asReader.plans()).isEqualTo(asOwner.plans()).isNotEmpty();
        assertThat(Rollups.create(roles.reader()).status())
                .isEqualTo(Rollups.create(roles.owner()).status());
    }

    @ParameterizedTest
    @EnumSource(RollupState.class)
    void theReaderCanChangeNothing(RollupState state) {
        establish(state);
        DataSource reader = roles.reader();
        long rows = RoleDatabase.scalar(roles.owner(), "SELECT count(*) FROM analytics.token_usage_ledger");

        assertRefused(reader, "INSERT INTO analytics.token_usage_ledger SELECT * FROM analytics.token_usage_ledger");
        assertRefused(reader, "UPDATE analytics.token_usage_ledger SET credits_deducted = 0");
        assertRefused(reader, "DELETE FROM analytics.token_usage_ledger");
        assertRefused(reader, "TRUNCATE analytics.token_usage_ledger");
        assertRefused(reader, "INSERT INTO analytics.providers (slug, display_name) VALUES ('x', 'X')");
        assertRefused(reader, "INSERT INTO analytics.rollup_changes (quarter_hour) VALUES (now())");
        assertRefused(reader, "DELETE FROM analytics.rollup_status");
        assertRefused(reader, "UPDATE analytics.rollup_state SET built_at = NULL");
        assertRefused(reader, "DELETE FROM analytics.analytics_schema_history");
        assertRefused(reader, "CREATE TABLE analytics.scratch (n int)");
        Rollups rollups = Rollups.create(reader);
        assertLacksPrivilege(rollups::refresh);
        assertLacksPrivilege(rollups::rebuild);
        assertLacksPrivilege(() -> rollups.mode(RollupMode.TRIGGER));
        assertLacksPrivilege(rollups::disable);

        assertThat(RoleDatabase.scalar(roles.owner(), "SELECT count(*) FROM analytics.token_usage_ledger"))
                .isEqualTo(rows);
        assertThat(Rollups.create(roles.owner()).status().built()).isEqualTo(state != RollupState.NOT_BUILT);
    }
}
