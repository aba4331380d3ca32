package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.cli.CliTest.Run;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code grants}: printed, applied, and then the dashboard's commands run as the reader alone. */
class CliGrantsTest {

    @TempDir
    Path temp;

    private TestDatabase database;
    private String writer;
    private String reader;

    @BeforeEach
    void databaseWithRoles() throws SQLException {
        database = TestDatabase.migrated();
        LedgerSeeder.into(database.dataSource())
                .rows(2_000)
                .between(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
                .seed(3)
                .load();
        writer = "writer_" + database.name();
        reader = "reader_" + database.name();
        execute("CREATE ROLE " + writer + " LOGIN; CREATE ROLE " + reader + " LOGIN");
    }

    @AfterEach
    void dropRoles() throws SQLException {
        execute("DROP OWNED BY " + writer + "; DROP OWNED BY " + reader + "; DROP ROLE " + writer + ", " + reader);
        database.close();
    }

    @Test
    void grantsPrintsOneTransactionThatGrantsWhatApplyWouldAndChangesNothingItself() throws SQLException {
        Run printed = CliTest.run("grants", "--jdbc-url", database.jdbcUrl(), "--writer", writer, "--reader", reader);

        assertThat(printed.exitCode()).as(printed.err()).isZero();
        assertThat(printed.out().lines())
                .startsWith(
                        "-- Ledger Analytics roles in schema \"analytics\": writer " + writer + ", reader " + reader
                                + " (docs/roles.md)",
                        "BEGIN;")
                .endsWith("COMMIT;")
                .contains("GRANT INSERT, UPDATE ON \"analytics\".\"token_usage_ledger\" TO \"" + writer + "\";");
        assertThat(selects(reader)).isFalse();
        assertThat(readerRun("report").exitCode()).isEqualTo(ExitCode.PERMISSION_DENIED.code);

        execute(printed.out());

        assertThat(selects(reader)).isTrue();
        Run applied = CliTest.run(
                "grants", "--jdbc-url", database.jdbcUrl(), "--writer", writer, "--reader", reader, "--apply");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(applied.out())
                .isEqualTo(printed.out()
                                .lines()
                                .filter(line ->
                                        line.startsWith("SET") || line.startsWith("GRANT") || line.startsWith("ALTER"))
                                .map(line -> line + "\n")
                                .reduce("", String::concat)
                        + "granted in schema \"analytics\": writer " + writer + ", reader " + reader
                        + " (8 statements, one transaction)\n");
    }

    @Test
    void afterGrantsApplyTheReaderRunsReportExportAndVerifyButCannotMaintainTheRollups() throws Exception {
        Run applied = CliTest.run(
                "grants", "--jdbc-url", database.jdbcUrl(), "--writer", writer, "--reader", reader, "--apply");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        Path csv = temp.resolve("october.csv");
        Path ownersCsv = temp.resolve("owners-october.csv");

        Run report = readerRun("report");
        Run export = readerRun("export", "-o", csv.toString());
        Run verify = readerRun("verify");
        Run refresh = readerRun("rollups", "refresh");

        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out()).contains("== Key figures");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(run(null, "export", "-o", ownersCsv.toString()).exitCode()).isZero();
        assertThat(Files.readAllLines(csv)).hasSizeGreaterThan(1_000).isEqualTo(Files.readAllLines(ownersCsv));
        Run verifyAsOwner = run(null, "verify");
        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(verifyAsOwner.exitCode());
        assertThat(summary(verify.out())).isNotEmpty().isEqualTo(summary(verifyAsOwner.out()));
        assertThat(refresh.exitCode()).isEqualTo(ExitCode.PERMISSION_DENIED.code);
        assertThat(refresh.err())
                .startsWith("error: the connected role lacks a privilege: ERROR: ")
                .contains("docs/roles.md");
    }

    @Test
    void grantsRefusesBadRoleNamesMissingRolesAnotherRoleThanTheOwnerAndASchemaWithoutTheLedger() {
        String url = database.jdbcUrl();

        Run badName = CliTest.run("grants", "--jdbc-url", url, "--writer", "Gateway", "--reader", reader);
        Run missing = CliTest.run("grants", "--jdbc-url", url, "--writer", writer, "--reader", "dashbord");
        Run sameRole = CliTest.run("grants", "--jdbc-url", url, "--writer", reader, "--reader", reader);
        Run notOwner = CliTest.run(
                "grants", "--jdbc-url", url, "--user", writer, "--writer", writer, "--reader", reader, "--apply");
        Run noLedger =
                CliTest.run("grants", "--jdbc-url", url, "--schema", "billing", "--writer", writer, "--reader", reader);
        Run noWriter = CliTest.run("grants", "--jdbc-url", url, "--reader", reader);

        assertThat(badName.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(badName.err()).contains("writer must be a lower-case PostgreSQL role name", "\"Gateway\"");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(missing.err()).contains("there is no role \"dashbord\"");
        assertThat(sameRole.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(sameRole.err()).contains("reader must not be the writer's role");
        assertThat(notOwner.exitCode()).isEqualTo(ExitCode.PERMISSION_DENIED.code);
        assertThat(notOwner.err()).contains("permission denied to set role", "The ledger's owner runs migrate");
        assertThat(noLedger.exitCode()).isEqualTo(ExitCode.NOT_MIGRATED.code);
        assertThat(noLedger.err()).contains("\"billing\" is not in this database");
        assertThat(noWriter.exitCode()).isEqualTo(ExitCode.USAGE.code);
        assertThat(noWriter.err()).contains("--writer");
    }

    @Test
    void grantsHelpNamesTheRolesAndTheOwner() {
        Run help = CliTest.run("grants", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--writer=ROLE", "--reader=ROLE", "--apply", "ledger's owner", "docs/roles.md");
    }

    /** The command as the reader, against the seeded October for the commands that take a range. */
    private Run readerRun(String... command) {
        return run(reader, command);
    }

    private Run run(String user, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--jdbc-url", database.jdbcUrl()));
        if (user != null) {
            args.addAll(List.of("--user", user));
        }
        if (command[0].equals("report") || command[0].equals("export")) {
            args.addAll(List.of("--from", "2026-10-01", "--to", "2026-11-01"));
        }
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The verdict and the findings: what verify concludes, without the index usage counts that every query moves. */
    private static String summary(String verification) {
        return verification.substring(verification.indexOf("VERIFICATION SUMMARY"));
    }

    private boolean selects(String role) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT has_table_privilege('" + role + "', 'analytics.rollup_state', 'SELECT')")) {
            result.next();
            return result.getBoolean(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
