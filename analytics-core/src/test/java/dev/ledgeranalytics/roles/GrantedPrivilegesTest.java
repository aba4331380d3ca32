package dev.ledgeranalytics.roles;

import static dev.ledgeranalytics.roles.RoleDatabase.assertLacksPrivilege;
import static dev.ledgeranalytics.roles.RoleDatabase.assertRefused;
import static dev.ledgeranalytics.roles.RoleDatabase.execute;
import static dev.ledgeranalytics.roles.RoleDatabase.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsGrants;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.verify.SchemaVerifier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@link AnalyticsGrants} grants, as PostgreSQL's catalog records it, and how it refuses to
 * grant what would give least privilege away; what a role missing a grant is told; and what
 * PostgreSQL asks of tables created later, partitions included.
 */
class GrantedPrivilegesTest {

    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    private static final List<String> TABLE_PRIVILEGES =
            List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER");

    private static RoleDatabase roles;

    @BeforeAll
    static void roles() {
        roles = RoleDatabase.create();
        Rollups.create(roles.owner()).refresh(); // the trigger functions exist
    }

    @AfterAll
    static void dropRoles() {
        roles.close();
    }

    @Test
    void theWriterHoldsInsertAndUpdateOnTheLedgerAndReadsOnlyIdsAndProviders() {
        Map<String, Set<String>> expected = new TreeMap<>();
        tables().forEach(table -> expected.put(table, Set.of()));
        expected.put("token_usage_ledger", Set.of("INSERT", "UPDATE"));
        expected.put("providers", Set.of("SELECT"));

        assertThat(privileges(roles.writer)).isEqualTo(expected);
        assertThat(readableLedgerColumns(roles.writer)).containsExactly("id", "request_id", "created_at");
        assertThat(schemaPrivileges(roles.writer)).containsExactly("USAGE");
        assertThat(executableFunctions(roles.owner))
                .as("the rollup trigger functions")
                .isEqualTo(4);
        assertThat(executableFunctions(roles.writer)).isZero();
    }

    @Test
    void theReaderSelectsEveryTableItsStatementsReadAndNothingElse() {
        Map<String, Set<String>> expected = new TreeMap<>();
        tables().forEach(table -> expected.put(table, Set.of("SELECT")));

        assertThat(expected)
                .containsKeys(
                        "token_usage_ledger",
                        "providers",
                        "rollup_state",
                        "rollup_changes",
                        "rollup_new_rows",
                        "rollup_cost_buckets",
                        "rollup_users",
                        AnalyticsMigrations.HISTORY_TABLE)
                .hasSize(12);
        assertThat(privileges(roles.reader)).isEqualTo(expected);
        assertThat(schemaPrivileges(roles.reader)).containsExactly("USAGE");
        assertThat(executableFunctions(roles.reader)).isZero();
    }

    @Test
    void statementsListWhatApplyRunsAsTheOwnerAndApplyingAgainChangesNothing() {
        AnalyticsGrants grants = AnalyticsGrants.create(roles.superuser())
                .withWriter(roles.writer)
                .withReader(roles.reader);
        Map<String, Set<String>> before = privileges(roles.reader);

        List<String> statements = grants.statements();

        assertThat(statements.get(0)).isEqualTo("SET LOCAL ROLE \"" + roles.owner + "\"");
        assertThat(statements).hasSize(8);
        assertThat(grants.apply()).isEqualTo(statements);
        assertThat(privileges(roles.reader)).isEqualTo(before);
        assertThat(privileges(roles.writer)).containsEntry("token_usage_ledger", Set.of("INSERT", "UPDATE"));
    }

    @Test
    void onlyTheOwnerOrAMemberOfItMayApplyTheGrants() {
        assertThatThrownBy(() -> AnalyticsGrants.create(roles.writer())
                        .withReader(roles.reader)
                        .apply())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("apply the grants as the ledger's owner")
                .hasMessageContaining("permission denied to set role \"" + roles.owner + "\"")
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("42501"));
    }

    @Test
    void rolesThatDoNotExistOrHaveTheOwnersPrivilegesAreRefusedBeforeAnythingIsGranted() {
        String superuser = currentUser(roles.superuser());
        String member = "member_" + roles.name();
        roles.asSuperuser("CREATE ROLE " + member + "; GRANT " + roles.owner + " TO " + member);
        try {
            AnalyticsGrants grants = AnalyticsGrants.create(roles.owner()).withReader(roles.reader);
            assertThatThrownBy(() -> grants.withWriter("gatewy").apply())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("writer must name an existing role, but there is no role \"gatewy\"; create it first,"
                            + " e.g. CREATE ROLE gatewy LOGIN");
            for (String privileged : List.of(roles.owner, superuser, member)) {
                assertThatThrownBy(() -> grants.withWriter(privileged).statements())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("writer must be a role of its own, but \"" + privileged
                                + "\" has every privilege of the ledger's owner \"" + roles.owner + "\"");
            }
        } finally {
            roles.asSuperuser("DROP ROLE " + member);
        }
    }

    @Test
    void aSchemaWithoutTheLedgerIsNamedInTheFailure() {
        assertThatThrownBy(() -> AnalyticsGrants.create(roles.owner())
                        .withSchema("nowhere")
                        .withReader(roles.reader)
                        .statements())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("schema \"nowhere\"")
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("3F000"));
    }

    @Test
    void aReaderGrantedOnlyTheLedgerAndProvidersIsToldWhichGrantIsMissing() {
        String partial = "partial_" + roles.name();
        roles.asSuperuser("CREATE ROLE " + partial + " LOGIN; GRANT USAGE ON SCHEMA analytics TO " + partial
                + "; GRANT SELECT ON analytics.token_usage_ledger, analytics.providers TO " + partial);
        try {
            DataSource reader = roles.as(partial);
            Rollups.create(roles.owner()).disable();
            assertLacksPrivilege(() -> AnalyticsQueries.create(reader).grossMargin(NOVEMBER))
                    .hasMessageStartingWith("Computing the gross margin failed")
                    .hasMessageContaining("permission denied for table rollup_state");
            // The retention boundary, in rollup_state, is the first thing verify reads that it may not.
            assertLacksPrivilege(() -> SchemaVerifier.verify(reader))
                    .hasMessageContaining("permission denied for table rollup_state");

            Rollups.create(roles.owner()).refresh();
            assertLacksPrivilege(() -> AnalyticsQueries.create(reader).providerCosts(NOVEMBER))
                    .hasMessageContaining("permission denied for table rollup_state");
            // Raw reads too read rollup_state: the retention boundary, before which no raw row is left.
            assertLacksPrivilege(
                            () -> AnalyticsQueries.create(reader).withRawReads().grossMargin(NOVEMBER))
                    .hasMessageContaining("permission denied for table rollup_state");
        } finally {
            roles.asSuperuser("DROP OWNED BY " + partial + "; DROP ROLE " + partial);
        }
    }

    @Test
    void aTableALaterMigrationCreatesIsReadableByTheReaderAtOnceAndByNoOneElse() {
        execute(
                roles.owner(),
                "CREATE TABLE analytics.rollup_later (n int); INSERT INTO analytics.rollup_later VALUES (1)");
        try {
            assertThat(scalar(roles.reader(), "SELECT count(*) FROM analytics.rollup_later"))
                    .isEqualTo(1);
            assertRefused(roles.writer(), "SELECT count(*) FROM analytics.rollup_later");
            assertRefused(roles.writer(), "INSERT INTO analytics.rollup_later VALUES (2)");
            assertRefused(roles.reader(), "INSERT INTO analytics.rollup_later VALUES (2)");
        } finally {
            execute(roles.owner(), "DROP TABLE analytics.rollup_later");
        }
    }

    /**
     * What docs/roles.md says of a partitioned ledger, checked on a partitioned table granted as the
     * ledger is: PostgreSQL checks privileges on the table a statement names, so the writer's and
     * the reader's grants on the parent cover partitions created after them, rows moved between
     * partitions by an update included; the partitions themselves stay closed to the writer.
     */
    @Test
    void partitionsCreatedAfterTheGrantsNeedNoGrantsOfTheirOwn() {
        execute(
                roles.owner(),
                "CREATE TABLE analytics.monthly (request_id uuid NOT NULL, created_at timestamptz NOT NULL)"
                        + " PARTITION BY RANGE (created_at);"
                        + " CREATE TABLE analytics.monthly_2026_10 PARTITION OF analytics.monthly"
                        + " FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');"
                        + " GRANT INSERT, UPDATE ON analytics.monthly TO " + roles.writer + ";"
                        + " GRANT SELECT (request_id) ON analytics.monthly TO " + roles.writer + ";"
                        + " CREATE TABLE analytics.monthly_2026_11 PARTITION OF analytics.monthly"
                        + " FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')");
        try {
            execute(
                    roles.writer(),
                    "INSERT INTO analytics.monthly VALUES ('00000000-0000-0000-0000-000000000001', '2026-11-05'),"
                            + " ('00000000-0000-0000-0000-000000000002', '2026-10-05');"
                            + " UPDATE analytics.monthly SET created_at = '2026-11-20'"
                            + " WHERE request_id = '00000000-0000-0000-0000-000000000002'");
            assertRefused(
                    roles.writer(),
                    "INSERT INTO analytics.monthly_2026_11"
                            + " VALUES ('00000000-0000-0000-0000-000000000003', '2026-11-05')");
            assertThat(scalar(
                            roles.reader(), "SELECT count(*) FROM analytics.monthly WHERE created_at >= '2026-11-01'"))
                    .isEqualTo(2);
        } finally {
            execute(roles.owner(), "DROP TABLE analytics.monthly");
        }
    }

    @Test
    void grantsOnAnotherSchemaNameItsObjects() {
        AnalyticsMigrations.create(roles.owner()).withSchema("billing").migrate();
        try {
            List<String> applied = AnalyticsGrants.create(roles.owner())
                    .withSchema("billing")
                    .withWriter(roles.writer)
                    .withReader(roles.reader)
                    .apply();

            assertThat(applied.subList(1, applied.size()))
                    .allSatisfy(statement ->
                            assertThat(statement).contains("\"billing\"").doesNotContain("analytics\""));
            execute(roles.owner(), "INSERT INTO billing.providers (slug, display_name) VALUES ('openai', 'OpenAI')");
            execute(
                    roles.writer(),
                    "INSERT INTO billing.token_usage_ledger (request_id, created_at, status, provider_id, model_id,"
                            + " user_id, user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted,"
                            + " input_tokens, output_tokens, margin_multiplier) VALUES (gen_random_uuid(),"
                            + " '2026-11-03T10:00:00Z', 'success', (SELECT id FROM billing.providers WHERE slug ="
                            + " 'openai'), 'gpt-4o', gen_random_uuid(), 'pro', 'chat', 0.002, 0.001, 3, 10, 5, 1.5)");
            assertThat(AnalyticsQueries.create(roles.reader())
                            .withSchema("billing")
                            .grossMargin(NOVEMBER)
                            .current()
                            .requests())
                    .isEqualTo(1);
        } finally {
            execute(roles.owner(), "DROP SCHEMA billing CASCADE");
        }
    }

    @Test
    void aReaderGrantedBeforeTheQueriesReadTheNewRowsReadsThemAfterTheUpgrade() {
        try (RoleDatabase upgraded = RoleDatabase.grantedAt("9")) {
            Rollups.create(upgraded.owner()).refresh();
            new Ledger(upgraded.writer()).insert(Row.at("2026-11-03T10:00:00Z", "0.00200000", "0.00100000"));

            assertThat(Rollups.create(upgraded.owner()).status().pendingQuarterHours())
                    .isEqualTo(1);
            assertThat(AnalyticsQueries.create(upgraded.reader())
                            .grossMargin(NOVEMBER)
                            .current()
                            .requests())
                    .isEqualTo(1);
            assertThat(scalar(
                            upgraded.superuser(),
                            "SELECT has_table_privilege('" + upgraded.reader
                                    + "', 'analytics.rollup_new_rows', 'SELECT')::int"))
                    .isEqualTo(1);
            assertThat(scalar(
                            upgraded.superuser(),
                            "SELECT has_table_privilege('" + upgraded.writer
                                    + "', 'analytics.rollup_new_rows', 'SELECT')::int"))
                    .isZero();
        }
    }

    /** The tables of the ledger's schema, as the migrations created them. */
    private static List<String> tables() {
        return strings(
                roles.superuser(),
                "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = 'analytics'::regnamespace"
                        + " AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname");
    }

    /** The table privileges {@code role} holds on each table of the schema. */
    private static Map<String, Set<String>> privileges(String role) {
        Map<String, Set<String>> privileges = new TreeMap<>();
        for (String table : tables()) {
            Set<String> held = new TreeSet<>();
            for (String privilege : TABLE_PRIVILEGES) {
                if (scalar(
                                roles.superuser(),
                                "SELECT has_table_privilege('" + role + "', 'analytics." + table + "', '" + privilege
                                        + "')::int")
                        == 1) {
                    held.add(privilege);
                }
            }
            privileges.put(table, held);
        }
        return privileges;
    }

    private static List<String> readableLedgerColumns(String role) {
        return strings(
                roles.superuser(),
                "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'analytics.token_usage_ledger'::regclass"
                        + " AND attnum > 0 AND NOT attisdropped AND has_column_privilege('" + role
                        + "', attrelid, attnum, 'SELECT') ORDER BY attnum");
    }

    private static List<String> schemaPrivileges(String role) {
        return strings(
                roles.superuser(),
                "SELECT p FROM unnest(ARRAY['USAGE', 'CREATE']) AS p WHERE has_schema_privilege('" + role
                        + "', 'analytics', p)");
    }

    /** How many of the schema's functions (the rollup triggers') {@code role} may execute. */
    private static long executableFunctions(String role) {
        return scalar(
                roles.superuser(),
                "SELECT count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'analytics'::regnamespace"
                        + " AND has_function_privilege('" + role + "', oid, 'EXECUTE')");
    }

    private static String currentUser(DataSource dataSource) {
        return strings(dataSource, "SELECT current_user").get(0);
    }

    private static List<String> strings(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
