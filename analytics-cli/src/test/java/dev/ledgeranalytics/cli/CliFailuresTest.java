package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.cli.CliTest.Run;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures a person meets at the terminal: each says what happened and exits with its own code. */
class CliFailuresTest {

    @TempDir
    Path temp;

    /**
     * Makes V2's index builds fail with an ordinary error, as a role's statement timeout or a
     * cancelled backend did before the migrations ran without them.
     */
    private static void refuseConcurrentIndexBuilds(DataSource dataSource) throws SQLException {
        execute(
                dataSource,
                """
                CREATE FUNCTION public.refuse_index_builds() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF current_query() LIKE 'CREATE INDEX CONCURRENTLY%' THEN
                        RAISE EXCEPTION 'index builds are refused by this test';
                    END IF;
                END $$""",
                "CREATE EVENT TRIGGER refuse_index_builds ON ddl_command_start WHEN TAG IN ('CREATE INDEX') "
                        + "EXECUTE FUNCTION public.refuse_index_builds()");
    }

    private static void execute(DataSource dataSource, String... statements) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    @Test
    void aFailedIndexBuildIsNamedAndRetriedWithMigrateRepairAfterwhichVerifyIsReady() throws SQLException {
        try (TestDatabase database = TestDatabase.empty()) {
            refuseConcurrentIndexBuilds(database.dataSource());
            String url = database.jdbcUrl();

            Run failed = CliTest.run("migrate", "--jdbc-url", url);
            execute(database.dataSource(), "DROP EVENT TRIGGER refuse_index_builds");
            Run blocked = CliTest.run("migrate", "--jdbc-url", url);
            Run broken = CliTest.run("verify", "--jdbc-url", url);
            Run repaired = CliTest.run("migrate", "--jdbc-url", url, "--repair");
            Run ready = CliTest.run("verify", "--jdbc-url", url);

            assertThat(failed.exitCode()).as(failed.err()).isEqualTo(ExitCode.NOT_MIGRATED.code);
            assertThat(failed.err())
                    .startsWith("error: migration V2 (ledger indexes) failed: ERROR: index builds are refused by this "
                            + "test")
                    .contains("run `analytics migrate --repair`");
            assertThat(blocked.exitCode()).isEqualTo(ExitCode.NOT_MIGRATED.code);
            assertThat(blocked.err())
                    .startsWith("error: migration V2 (ledger indexes) failed in an earlier run")
                    .contains("run `analytics migrate --repair`");
            assertThat(broken.exitCode()).as(broken.out()).isEqualTo(ExitCode.BROKEN.code);
            assertThat(broken.out())
                    .contains(
                            "❌ migration V2 (ledger indexes) failed half-way",
                            "run `analytics migrate --repair`",
                            "Status: ❌ BROKEN");
            assertThat(repaired.exitCode()).as(repaired.err()).isZero();
            assertThat(repaired.out())
                    .contains(
                            "removed the failed V2 (ledger indexes) from the history",
                            "applied V2 ledger indexes",
                            "applied V3 rollups");
            assertThat(ready.exitCode()).as(ready.out()).isZero();
            assertThat(ready.out()).contains("✅ Every migration of this library version is applied");
        }
    }

    @Test
    void verifyOfASchemaBehindTheLibrarysMigrationsIsBrokenNamingTheMissingOne() throws SQLException {
        try (TestDatabase database = TestDatabase.migrated()) {
            execute(
                    database.dataSource(),
                    "DELETE FROM analytics.analytics_schema_history WHERE version IS NOT NULL AND version::int >= 3");

            Run verify = CliTest.run("verify", "--jdbc-url", database.jdbcUrl());

            assertThat(verify.exitCode()).as(verify.out()).isEqualTo(ExitCode.BROKEN.code);
            assertThat(verify.out())
                    .contains("❌ the schema is at version 2, behind this library: V3 (rollups), ")
                    .contains(" are not applied");
        }
    }

    @Test
    void flywaysOwnErrorLogAndStackTracePrintOnlyWithVerbose() throws Exception {
        try (TestDatabase quiet = TestDatabase.empty();
                TestDatabase verbose = TestDatabase.empty()) {
            refuseConcurrentIndexBuilds(quiet.dataSource());
            refuseConcurrentIndexBuilds(verbose.dataSource());

            String plain = stderrOf("migrate", "--jdbc-url", quiet.jdbcUrl());
            String detailed = stderrOf("migrate", "--jdbc-url", verbose.jdbcUrl(), "--verbose");

            assertThat(plain.lines())
                    .hasSize(2)
                    .first()
                    .asString()
                    .startsWith("error: migration V2 (ledger indexes) failed");
            assertThat(plain).doesNotContain("org.flywaydb", "\tat ");
            assertThat(detailed).contains("ERROR org.flywaydb", "\tat ");
        }
    }

    private String stderrOf(String... args) throws Exception {
        File err = Files.createTempFile(temp, "stderr", ".txt").toFile();
        Process process = CliProcess.of(args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err)
                .start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(ExitCode.NOT_MIGRATED.code);
        return Files.readString(err.toPath());
    }

    @Test
    void aDatabaseThatDoesNotExistIsExitCode3AndSaysSo() {
        try (TestDatabase database = TestDatabase.empty()) {
            String url = database.jdbcUrl().replace("/" + database.name() + "?", "/no_such_ledger?");

            Run report = CliTest.run("report", "--jdbc-url", url);
            Run migrate = CliTest.run("migrate", "--jdbc-url", url);

            for (Run run : new Run[] {report, migrate}) {
                assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.UNREACHABLE.code);
                assertThat(run.err())
                        .startsWith(
                                "error: cannot reach the database: FATAL: database \"no_such_ledger\" does not exist")
                        .contains("--jdbc-url");
            }
        }
    }

    @Test
    void aMalformedJdbcUrlIsNeverEchoedWithItsPassword() {
        Run quiet = CliTest.run("report", "--jdbc-url", "jdbc:postgresq://db:5432/app?user=ops&password=hunter2");
        Run verbose = CliTest.run(
                "report",
                "--jdbc-url",
                "jdbc:postgresq://ops:hunter2@db:5432/app",
                "--password",
                "s3cret",
                "--verbose");

        assertThat(quiet.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(quiet.err())
                .contains("jdbc:postgresq://db:5432/app?user=ops&password=***")
                .doesNotContain("hunter2");
        assertThat(verbose.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(verbose.err())
                .contains("jdbc:postgresq://ops:***@db:5432/app")
                .doesNotContain("hunter2", "s3cret");
    }

    @Test
    void aRangeEndingInTheYear10000FailsValidationEvenThroughTheRollups() {
        try (TestDatabase database = TestDatabase.migrated()) {
            Run build = CliTest.run("rollups", "refresh", "--jdbc-url", database.jdbcUrl());

            Run report = CliTest.run(
                    "report",
                    "--jdbc-url",
                    database.jdbcUrl(),
                    "--from",
                    "9999-12-01T00:00:00Z",
                    "--to",
                    "+10000-01-01T00:00:00Z");

            assertThat(build.exitCode()).as(build.err()).isZero();
            assertThat(report.exitCode()).as(report.err()).isEqualTo(ExitCode.BAD_INPUT.code);
            assertThat(report.err()).startsWith("error: to must lie between");
        }
    }
}
