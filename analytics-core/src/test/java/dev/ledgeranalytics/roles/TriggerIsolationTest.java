package dev.ledgeranalytics.roles;

import static dev.ledgeranalytics.roles.RoleDatabase.assertRefused;
import static dev.ledgeranalytics.roles.RoleDatabase.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.roles.RoleDatabase.RollupState;
import dev.ledgeranalytics.rollup.RollupAnswers;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rollup triggers run with the owner's rights, so nothing another role controls may steer
 * them: not the writer's search path, nor functions, operators and tables it creates under the
 * names the triggers use, nor a table of its own to which it would attach their functions.
 */
class TriggerIsolationTest {

    private static final Instant FROM = Instant.parse("2026-09-02T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-10T00:00:00Z");
    private static final LedgerFilter EVERYTHING = LedgerFilter.between(
                    Instant.parse("2026-08-25T00:00:00Z"), Instant.parse("2026-11-20T00:00:00Z"))
            .anyStatus();

    /**
     * What the writer creates in a schema of its own, first on its search path (its default
     * {@code "$user"} schema): under the names of everything the triggers call and write, each
     * leaving a trace in {@code calls} if it ever ran.
     */
    private static final String LOOKALIKES = """
            CREATE TABLE calls (what text);
            CREATE FUNCTION date_bin(interval, timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('date_bin'); RETURN timestamptz '2000-01-01 00:00:00+00'; END $$;
            CREATE FUNCTION current_setting(text) RETURNS text LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('current_setting'); RETURN 'read committed'; END $$;
            CREATE FUNCTION hashtextextended(text, bigint) RETURNS bigint LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('hashtextextended'); RETURN 42; END $$;
            CREATE FUNCTION width_bucket(double precision, double precision[]) RETURNS integer LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('width_bucket'); RETURN 1; END $$;
            CREATE FUNCTION pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('pg_advisory_xact_lock'); END $$;
            CREATE FUNCTION zero(numeric, numeric) RETURNS numeric LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO calls VALUES ('+'); RETURN 0; END $$;
            CREATE OPERATOR + (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = zero);
            CREATE AGGREGATE sum(numeric) (SFUNC = zero, STYPE = numeric);
            CREATE TABLE rollup_state (mode text);
            INSERT INTO rollup_state VALUES ('trigger');
            CREATE TABLE rollup_changes (quarter_hour timestamptz, recorded_at timestamptz, recompute boolean);
            CREATE TABLE rollup_new_rows (created_at timestamptz, status text, provider_id uuid, model_id text, user_id uuid, user_tier text,
                request_type text, input_tokens int, cached_input_tokens int, output_tokens int, reasoning_tokens int,
                vendor_cost numeric, gross_margin_usd numeric, credits_deducted int);
            CREATE TABLE rollup_status (grain smallint, bucket_start timestamptz);
            """;

    /** And in its session, where temporary tables come first of all when it puts {@code pg_temp} first. */
    private static final String TEMPORARY_LOOKALIKES = """
            CREATE TEMPORARY TABLE rollup_changes (quarter_hour timestamptz, recorded_at timestamptz, recompute boolean);
            CREATE TEMPORARY TABLE rollup_new_rows (created_at timestamptz, status text, provider_id uuid, model_id text, user_id uuid, user_tier text,
                request_type text, input_tokens int, cached_input_tokens int, output_tokens int, reasoning_tokens int,
                vendor_cost numeric, gross_margin_usd numeric, credits_deducted int);
            CREATE TEMPORARY TABLE new_rows (created_at timestamptz);
            """;

    private static RoleDatabase roles;

    private final LedgerWriter rows = new LedgerWriter(new Random(41), List.of(Row.ALICE, Row.BOB));

    @BeforeAll
    static void roles() {
        roles = RoleDatabase.create();
        roles.asSuperuser("CREATE SCHEMA AUTHORIZATION " + roles.writer);
        RoleDatabase.execute(roles.writer(), LOOKALIKES);
    }

    @AfterAll
    static void dropRoles() {
        roles.close();
    }

    @BeforeEach
    void baseLedger() {
        Rollups.create(roles.owner()).disable();
        RoleDatabase.execute(roles.owner(), "TRUNCATE analytics.token_usage_ledger");
        new Ledger(roles.owner()).insert(RandomLedger.rows(13L, 400, 10));
    }

    @ParameterizedTest
    @EnumSource(
            value = RollupState.class,
            names = {"REFRESH_MODE", "TRIGGER_MODE"})
    void nothingTheWriterPutsOnItsSearchPathChangesWhatTheTriggersDo(RollupState state) throws SQLException {
        state.establish(roles.owner());
        long before = ledgerRows();

        try (Connection gateway = roles.writer().getConnection();
                Statement statement = gateway.createStatement()) {
            statement.execute(TEMPORARY_LOOKALIKES);
            statement.execute("SET search_path = pg_temp, " + roles.writer + ", pg_catalog");
            List<UUID> requests = rows.insert(gateway, rows.rows(30, FROM, TO));
            try (PreparedStatement update = gateway.prepareStatement(
                    "UPDATE analytics.token_usage_ledger SET status = 'cancelled', credits_deducted = 0"
                            + " WHERE request_id = ?")) {
                update.setObject(1, requests.get(0));
                assertThat(update.executeUpdate()).isEqualTo(1);
            }

            assertThat(count(statement, "calls"))
                    .as("calls of the writer's functions")
                    .isZero();
            assertThat(count(statement, roles.writer + ".rollup_changes")).isZero();
            assertThat(count(statement, roles.writer + ".rollup_status")).isZero();
            assertThat(count(statement, roles.writer + ".rollup_new_rows")).isZero();
            assertThat(count(statement, "pg_temp.rollup_changes")).isZero();
            assertThat(count(statement, "pg_temp.rollup_new_rows")).isZero();
            assertThat(count(statement, "pg_temp.new_rows")).isZero();
        }

        assertThat(ledgerRows()).isEqualTo(before + 30);
        long pending = Rollups.create(roles.owner()).status().pendingQuarterHours();
        if (state == RollupState.TRIGGER_MODE) {
            assertThat(pending).as("the update's quarter hour").isEqualTo(1);
            assertThat(rollupRequests()).isEqualTo(before + 30);
        } else {
            assertThat(pending).isGreaterThan(2);
            assertThat(rollupRequests()).isEqualTo(before);
        }
        Rollups.create(roles.owner()).refresh();
        assertThat(rollupRequests()).isEqualTo(before + 30);
        new RollupAnswers(roles.owner())
                .assertSame(
                        "after the writer's look-alikes, " + state,
                        EVERYTHING,
                        Granularity.DAY,
                        ZoneId.of("Asia/Kathmandu"),
                        UserSort.VENDOR_COST_DESC,
                        4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"writer", "reader"})
    void noOtherRoleCanRunTheTriggerFunctionsOnATableOfItsOwn(String role) {
        Rollups.create(roles.owner()).refresh();
        DataSource other = role.equals("writer") ? roles.writer() : roles.reader();
        long before = rollupRequests();

        assertRefused(
                other,
                "CREATE TEMPORARY TABLE forged (n int); CREATE TRIGGER wipe AFTER TRUNCATE ON forged"
                        + " FOR EACH STATEMENT EXECUTE FUNCTION analytics.rollup_after_truncate()");
        assertRefused(
                other,
                "CREATE TEMPORARY TABLE forged_rows (created_at timestamptz, status analytics.request_status);"
                        + " CREATE TRIGGER forge AFTER INSERT ON forged_rows REFERENCING NEW TABLE AS new_rows"
                        + " FOR EACH STATEMENT EXECUTE FUNCTION analytics.rollup_after_insert()");
        assertRefused(other, "SELECT analytics.rollup_after_update()");

        assertThat(rollupRequests()).isEqualTo(before).isEqualTo(ledgerRows());
    }

    @Test
    void aBuildTakesBackExecuteFromFunctionsThatEveryoneCouldRun() {
        Rollups rollups = Rollups.create(roles.owner());
        rollups.refresh();
        RoleDatabase.execute(roles.owner(), "GRANT EXECUTE ON FUNCTION analytics.rollup_after_truncate() TO PUBLIC");
        assertThat(publicExecutable()).isEqualTo(1);

        rollups.refresh();

        assertThat(publicExecutable()).isZero();
        assertThat(scalar(
                        roles.owner(),
                        "SELECT count(*) FROM pg_catalog.pg_trigger"
                                + " WHERE tgrelid = 'analytics.token_usage_ledger'::regclass"
                                + " AND tgenabled = 'O' AND NOT tgisinternal"))
                .isEqualTo(4);
    }

    /** How many of the four trigger functions PUBLIC may execute. */
    private static long publicExecutable() {
        return scalar(
                roles.owner(),
                "SELECT count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'analytics'::regnamespace"
                        + " AND proname LIKE 'rollup\\_after\\_%'"
                        + " AND has_function_privilege('public', oid, 'EXECUTE')");
    }

    private static long count(Statement statement, String table) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long ledgerRows() {
        return scalar(roles.owner(), "SELECT count(*) FROM analytics.token_usage_ledger");
    }

    private static long rollupRequests() {
        return scalar(roles.owner(), "SELECT coalesce(sum(requests), 0) FROM analytics.rollup_status WHERE grain = 3");
    }
}
