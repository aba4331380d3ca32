package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import dev.ledgeranalytics.testkit.CitusCluster;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jooq.tools.json.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The commands, run in-process against databases from the testkit. */
class CliTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final String RANGE_FROM = "2026-10-02";
    private static final String RANGE_TO = "2026-11-01";

    private static TestDatabase seeded;

    @TempDir
    Path temp;

    @BeforeAll
    static void seed() {
        seeded = TestDatabase.migrated();
        LedgerSeeder.into(seeded.dataSource())
                .rows(20_000)
                .between(Instant.parse("2026-08-01T00:00:00Z"), TO)
                .users(3_000)
                .seed(5)
                .load();
    }

    @AfterAll
    static void drop() {
        seeded.close();
    }

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AnalyticsCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoSeedsAndPrintsEveryPanelAndWritesAWellFormedHtmlReport() throws Exception {
        Path html = temp.resolve("report.html");

        Run demo = run("demo", "--rows", "20000", "--zone", "Europe/Berlin", "--html", html.toString());

        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.out())
                .contains(
                        "Seeded 20,000 rows",
                        "== Key figures",
                        "== Cost per provider",
                        "== Gross margin per day",
                        "== Cost per request",
                        "== Top 10 users",
                        "Built the rollups (Rollups.refresh()) in ",
                        "== Key figures (change vs previous 30 days) ==")
                .containsPattern("The five dashboard queries took [0-9,]+ ms through the rollups and [0-9,]+ ms "
                        + "from the ledger alone \\(withRawReads\\(\\)\\); the whole demo [0-9.]+ s\\.");
        assertThat(demo.err()).contains("Seeding", "100 %");
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
        for (String panel : List.of("kpis", "providers", "trend", "costs", "users")) {
            assertThat(document.getElementsByTagName("section").getLength()).isEqualTo(5);
            assertThat(Files.readString(html)).contains("<section id=\"" + panel + "\">");
        }
        assertThat(document.getElementsByTagName("svg").getLength()).isGreaterThanOrEqualTo(3);
        assertThat(Files.readString(html)).doesNotContain("<script", "http://cdn", "https://");
    }

    @Test
    void reportShowsTheDashboardOfARealDatabase() throws Exception {
        Path html = temp.resolve("october.html");

        Run report = run(
                "report",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                RANGE_FROM,
                "--to",
                RANGE_TO,
                "--zone",
                "America/New_York",
                "--provider",
                "openai,anthropic",
                "--html",
                html.toString());

        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out())
                .contains("America/New_York", "openai", "anthropic")
                .doesNotContain("  google ");
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
    }

    @Test
    void theKeyFiguresHeadingNamesTheLengthOfTheComparedPeriodExactly() {
        Run report = run(
                "report",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                "2026-10-28T13:00:00Z",
                "--to",
                "2026-10-31T12:00:00Z");

        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out()).contains("== Key figures (change vs previous 2 days 23 hours) ==");
    }

    @Test
    void migrateAppliesOnceAndThenHasNothingToDo() {
        try (TestDatabase empty = TestDatabase.empty()) {
            Run first = run("migrate", "--jdbc-url", empty.jdbcUrl(), "--schema", "billing");
            Run second = run("migrate", "--jdbc-url", empty.jdbcUrl(), "--schema", "billing");

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out())
                    .contains(
                            "applied V1 ledger tables",
                            "applied V2 ledger indexes",
                            "applied V3 rollups",
                            "applied V4 rollup upkeep in library",
                            "applied V5 covering index token parts",
                            "applied V6 partitioned ledger",
                            "applied V7 retention boundary",
                            "applied V8 change log kept whole by vacuum",
                            "applied V9 rollup new rows",
                            "applied V10 new rows read by queries",
                            "applied V11 rollup layout",
                            "applied V12 user rollup by gross margin",
                            "at version 12");
            assertThat(second.out()).contains("nothing to apply");
        }
    }

    @Test
    void migrateWithCitusDistributesTheSchemaOnceAndTheReportReadsIt() throws SQLException {
        CitusCluster.assumeAvailable();
        CitusCluster cluster = CitusCluster.shared();
        String schema = "cli_citus_" + UUID.randomUUID().toString().substring(0, 8);
        try {
            Run first = run("migrate", "--jdbc-url", cluster.jdbcUrl(), "--schema", schema, "--citus");
            Run second = run("migrate", "--jdbc-url", cluster.jdbcUrl(), "--schema", schema, "--citus");
            Run build = run("rollups", "refresh", "--jdbc-url", cluster.jdbcUrl(), "--schema", schema);
            Run report = run("report", "--jdbc-url", cluster.jdbcUrl(), "--schema", schema);

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out())
                    .contains(
                            "at version 12",
                            "distributed over Citus: token_usage_ledger, rollup_users, rollup_changes,"
                                    + " rollup_new_rows sharded by user_id, providers,");
            assertThat(second.exitCode()).as(second.err()).isZero();
            assertThat(second.out()).contains("nothing to apply", "already distributed over Citus");
            assertThat(build.exitCode()).as(build.err()).isZero();
            assertThat(report.exitCode()).as(report.err()).isZero();
            assertThat(report.out()).contains("== Key figures");
        } finally {
            try (Connection connection = cluster.coordinator().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        try (TestDatabase plain = TestDatabase.empty()) {
            Run refused = run("migrate", "--jdbc-url", plain.jdbcUrl(), "--citus");

            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.err()).contains("has no citus extension; run this on a Citus coordinator");
        }
    }

    @Test
    void rollupsAreBuiltRefreshedAndDisabledAndTheReportReadsTheSameThroughThem() {
        try (TestDatabase database = TestDatabase.migrated()) {
            LedgerSeeder.into(database.dataSource())
                    .rows(5_000)
                    .between(Instant.parse("2026-09-01T00:00:00Z"), TO)
                    .users(300)
                    .seed(8)
                    .load();
            String[] report = {
                "report",
                "--jdbc-url",
                database.jdbcUrl(),
                "--from",
                "2026-09-01",
                "--to",
                RANGE_TO,
                "--zone",
                "Asia/Kathmandu"
            };
            Run before = run(report);

            Run status = run("rollups", "status", "--jdbc-url", database.jdbcUrl());
            Run build = run("rollups", "refresh", "--jdbc-url", database.jdbcUrl());
            TestLedger.in(database.dataSource())
                    .row()
                    .at(Instant.parse("2026-10-20T08:05:00Z"))
                    .vendorCost("0.01000000")
                    .credits(5)
                    .insert();
            Run refresh = run("rollups", "REFRESH", "--jdbc-url", database.jdbcUrl(), "--mode", "trigger");
            Run throughRollups = run(report);
            Run disable = run("rollups", "disable", "--jdbc-url", database.jdbcUrl());
            Run fromTheLedger = run(report);

            assertThat(status.out())
                    .as(status.err())
                    .contains("rollups in schema \"analytics\": not built, mode refresh");
            assertThat(build.exitCode()).as(build.err()).isZero();
            assertThat(build.out())
                    .containsPattern("built from the whole ledger: [0-9,]+ quarter hours in [0-9.]+ s")
                    .contains(", mode refresh, 0 quarter hours pending");
            assertThat(refresh.out())
                    .contains("refreshed 1 quarter hours in")
                    .contains(", mode trigger, 0 quarter hours pending");
            assertThat(disable.out()).contains("disabled").contains("not built, mode trigger");
            assertThat(throughRollups.exitCode()).as(throughRollups.err()).isZero();
            // Through the rollups, percentiles are estimates within 1 % (docs/rollups.md); everything else is
            // identical.
            String percentiles = "p50 \\$[0-9.]+; p90 \\$[0-9.]+; p95 \\$[0-9.]+; p99 \\$[0-9.]+";
            assertThat(throughRollups.out()).containsPattern(percentiles).isNotEqualTo(before.out());
            assertThat(throughRollups.out().replaceAll(percentiles, "percentiles"))
                    .isEqualTo(fromTheLedger.out().replaceAll(percentiles, "percentiles"));
        }
    }

    @Test
    void rollupsOfADatabaseWithoutTheLedgerSayToMigrateFirst() {
        try (TestDatabase empty = TestDatabase.empty()) {
            Run refresh = run("rollups", "refresh", "--jdbc-url", empty.jdbcUrl());

            assertThat(refresh.exitCode()).isEqualTo(5);
            assertThat(refresh.err()).contains("run `migrate` first");
        }
    }

    @Test
    void rollupsRejectAnUnknownAction() {
        Run run = run("rollups", "compact", "--jdbc-url", "jdbc:postgresql://localhost:1/none");

        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains("compact");
    }

    @Test
    void exportedLedgerRowsReadBackExactlyIncludingDecimalsAndZoneOffsets() throws Exception {
        Path file = temp.resolve("ledger.csv");

        Run export = run(
                "export",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                RANGE_FROM,
                "--to",
                RANGE_TO,
                "--status",
                "success,failed,cancelled",
                "--zone",
                "Europe/Berlin",
                "--output",
                file.toString());

        assertThat(export.exitCode()).as(export.err()).isZero();
        List<List<String>> csv = Csv.parse(Files.readString(file));
        List<String> header = csv.get(0);
        assertThat(header).startsWith("id", "request_id", "created_at", "status", "provider");
        Map<String, List<String>> byId = new HashMap<>();
        csv.subList(1, csv.size()).forEach(row -> byId.put(row.get(0), row));
        int checked = 0;
        try (Connection connection = seeded.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("""
                     SELECT l.id::text, l.created_at, l.vendor_cost, l.gross_margin_usd, p.slug, l.error_code, l.status::text
                     FROM analytics.token_usage_ledger l JOIN analytics.providers p ON p.id = l.provider_id
                     WHERE l.created_at >= '2026-10-01T22:00:00Z' AND l.created_at < '2026-10-31T23:00:00Z'""")) {
            while (rs.next()) {
                List<String> row = byId.remove(rs.getString(1));
                assertThat(row).as(rs.getString(1)).isNotNull();
                OffsetDateTime createdAt = OffsetDateTime.parse(row.get(header.indexOf("created_at")));
                assertThat(createdAt.toInstant())
                        .isEqualTo(rs.getObject(2, OffsetDateTime.class).toInstant());
                assertThat(createdAt.getOffset())
                        .isEqualTo(ZoneId.of("Europe/Berlin").getRules().getOffset(createdAt.toInstant()));
                assertThat(row.get(header.indexOf("vendor_cost")))
                        .isEqualTo(rs.getBigDecimal(3).toPlainString());
                assertThat(row.get(header.indexOf("gross_margin_usd")))
                        .isEqualTo(rs.getBigDecimal(4).toPlainString());
                assertThat(row.get(header.indexOf("provider"))).isEqualTo(rs.getString(5));
                assertThat(row.get(header.indexOf("error_code"))).isEqualTo(rs.getString(6));
                assertThat(row.get(header.indexOf("status"))).isEqualTo(rs.getString(7));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(5_000);
        assertThat(byId).as("rows exported that the range does not hold").isEmpty();
    }

    @Test
    void exportedQueryResultsEqualTheQueriesExactly() throws Exception {
        Path file = temp.resolve("providers.csv");
        LedgerFilter october =
                LedgerFilter.between(Instant.parse("2026-10-02T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));

        Run export = run(
                "export",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                RANGE_FROM,
                "--to",
                RANGE_TO,
                "--what",
                "provider-costs",
                "--output",
                file.toString());

        assertThat(export.exitCode()).as(export.err()).isZero();
        List<ProviderCost> expected =
                AnalyticsQueries.create(seeded.dataSource()).providerCosts(october);
        List<List<String>> csv = Csv.parse(Files.readString(file));
        assertThat(csv).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            List<String> row = csv.get(i + 1);
            assertThat(row.get(0)).isEqualTo(expected.get(i).slug());
            assertThat(new BigDecimal(row.get(csv.get(0).indexOf("vendor_cost"))))
                    .isEqualTo(expected.get(i).vendorCost());
            assertThat(new BigDecimal(row.get(csv.get(0).indexOf("cost_share"))))
                    .isEqualTo(expected.get(i).costShare());
        }
        for (String what : List.of("gross-margin", "margin-trend", "cost-summary", "cost-histogram", "users")) {
            Run other = run(
                    "export",
                    "--jdbc-url",
                    seeded.jdbcUrl(),
                    "--from",
                    RANGE_FROM,
                    "--to",
                    RANGE_TO,
                    "--what",
                    what,
                    "--output",
                    temp.resolve(what + ".csv").toString());
            assertThat(other.exitCode()).as(what + ": " + other.err()).isZero();
            assertThat(Csv.parse(Files.readString(temp.resolve(what + ".csv"))))
                    .as(what)
                    .hasSizeGreaterThan(1);
        }
    }

    @Test
    void exportedUsersAreEveryPageOfTheBreakdownInOrder() throws Exception {
        Path file = temp.resolve("users.csv");
        LedgerFilter seededRange = LedgerFilter.between(Instant.parse("2026-08-01T00:00:00Z"), TO);

        Run export = run(
                "export",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                "2026-08-01",
                "--to",
                RANGE_TO,
                "--what",
                "users",
                "--output",
                file.toString());

        assertThat(export.exitCode()).as(export.err()).isZero();
        List<UserUsage> expected = new ArrayList<>();
        AnalyticsQueries queries = AnalyticsQueries.create(seeded.dataSource());
        String cursor = null;
        do {
            UserPage page = queries.userBreakdown(seededRange, UserSort.GROSS_MARGIN_DESC, UserPage.MAX_SIZE, cursor);
            expected.addAll(page.users());
            cursor = page.next();
        } while (cursor != null);
        assertThat(expected).as("users, more than one page of them").hasSizeGreaterThan(UserPage.MAX_SIZE);
        List<List<String>> csv = Csv.parse(Files.readString(file));
        assertThat(csv).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            List<String> row = csv.get(i + 1);
            assertThat(row.get(0)).isEqualTo(expected.get(i).userId().toString());
            assertThat(new BigDecimal(row.get(csv.get(0).indexOf("gross_margin"))))
                    .isEqualTo(expected.get(i).grossMargin());
        }
    }

    @Test
    void aFailedExportLeavesTheEarlierFileAsItWasAndNoPartialFile() throws Exception {
        Path file = temp.resolve("trend.csv");
        Files.writeString(file, "last month's export");

        Run export = run(
                "export",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--what",
                "margin-trend",
                "--granularity",
                "hour",
                "--from",
                "2024-01-01",
                "--to",
                RANGE_TO,
                "--output",
                file.toString());

        assertThat(export.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(export.err()).contains("10000");
        assertThat(Files.readString(file)).isEqualTo("last month's export");
        try (var files = Files.list(temp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void anExportThatCannotWriteToStandardOutputFailsInsteadOfExiting0() {
        Writer broken = new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        StringWriter err = new StringWriter();

        int code = AnalyticsCli.run(
                new PrintWriter(broken),
                new PrintWriter(err),
                "export",
                "--jdbc-url",
                seeded.jdbcUrl(),
                "--from",
                RANGE_FROM,
                "--to",
                RANGE_TO);

        assertThat(code).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(err.toString()).contains("standard output");
    }

    @Test
    void anUnreachableDatabaseIsExitCode3() {
        Run run = run("report", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/nothing");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err())
                .startsWith("error: cannot reach the database")
                .contains("--verbose")
                .doesNotContain("\tat ");
    }

    @Test
    void refusedCredentialsAreExitCode4() {
        Run run = run("report", "--jdbc-url", seeded.jdbcUrl().replaceAll("user=[^&]*", "user=nobody_here"));

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).startsWith("error: the database refused the credentials");
    }

    @Test
    void anUnmigratedDatabaseIsExitCode5AndSaysToMigrate() {
        try (TestDatabase empty = TestDatabase.empty()) {
            Run run = run("report", "--jdbc-url", empty.jdbcUrl(), "--verbose");

            assertThat(run.exitCode()).isEqualTo(5);
            assertThat(run.err())
                    .startsWith("error: the ledger schema \"analytics\" is not in this database; run `migrate` first")
                    .contains("\tat ");
        }
    }

    @Test
    void badDatesZonesAndOptionsAreNamed() {
        Run badDate = run("report", "--jdbc-url", seeded.jdbcUrl(), "--from", "2026-13-45");
        Run badZone = run("report", "--jdbc-url", seeded.jdbcUrl(), "--zone", "Mars/Olympus");
        Run reversed = run("report", "--jdbc-url", seeded.jdbcUrl(), "--from", "2026-11-01", "--to", "2026-10-01");
        Run unknown = run("report", "--jdbc-url", seeded.jdbcUrl(), "--no-such-option");

        assertThat(badDate.exitCode()).isEqualTo(6);
        assertThat(badDate.err()).contains("--from must be a date").contains("2026-13-45");
        assertThat(badZone.exitCode()).isEqualTo(6);
        assertThat(badZone.err()).contains("--zone").contains("Mars/Olympus");
        assertThat(reversed.exitCode()).isEqualTo(6);
        assertThat(reversed.err()).contains("from must be before to");
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(unknown.err()).contains("--no-such-option");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("demo", "report", "export", "migrate", "verify")) {
            Run help = run(command, "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("Usage: analytics " + command);
        }
        assertThat(run("--help").out()).contains("Exit codes:", "run `migrate` first", "`verify`: DEGRADED");
        assertThat(run("verify", "--help").out())
                .contains("0    READY", "1    DEGRADED", "2    BROKEN", "64   invalid command line");
    }

    @Test
    void verifyPrintsEverySectionOfAHealthyLedgerAndExits0() {
        try (TestDatabase database = TestDatabase.migrated()) {
            // Over 10,000 rows a month, so that the plans of a partitioned ledger's months are judged.
            LedgerSeeder.into(database.dataSource())
                    .rows(150_000)
                    .between(TO.minus(Duration.ofDays(365)), TO)
                    .seed(3)
                    .load();
            TestLedger.in(database.dataSource()).vacuum();

            Run verify = run("verify", "--jdbc-url", database.jdbcUrl());

            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out())
                    .contains(
                            "✅ Table exists; 26 of 26 expected columns with the expected type, precision and nullability",
                            "✅ request_status values: success, failed, cancelled",
                            "✅ idx_token_usage_analytics",
                            "Rows (estimated): 150,000",
                            "Status: ✅ READY");
            if (verify.out().contains("partition (by month)")) {
                assertThat(verify.out())
                        .contains(
                                "✅ Statistics fresh in each of 16 partitions",
                                "   token_usage_ledger_y2026m10",
                                "✅ grossMargin: reads the months it needs, through idx_token_usage_analytics or whole",
                                "on token_usage_ledger_y2026m10");
            } else {
                assertThat(verify.out())
                        .contains(
                                "✅ Statistics fresh: analyzed",
                                "✅ grossMargin: reads the ledger through idx_token_usage_analytics",
                                "Index Only Scan using idx_token_usage_analytics on token_usage_ledger");
            }
        }
    }

    @Test
    void verifyNamesTheMissingIndexAndExits1() throws Exception {
        try (TestDatabase database = TestDatabase.migrated()) {
            try (Connection connection = database.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP INDEX analytics.idx_token_usage_success");
            }

            Run verify = run("verify", "--jdbc-url", database.jdbcUrl());

            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(1);
            assertThat(verify.out())
                    .contains(
                            "⚠️  index idx_token_usage_success (created_at DESC) WHERE status = 'success'::request_status does not exist",
                            "ℹ️  grossMargin: not judged, too few rows",
                            "Status: ⚠️  DEGRADED");
        }
    }

    @Test
    void verifyOfADatabaseWithoutTheLedgerIsBrokenAndExits2() {
        try (TestDatabase empty = TestDatabase.empty()) {
            Run verify = run("verify", "--jdbc-url", empty.jdbcUrl());

            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(2);
            assertThat(verify.out())
                    .contains(
                            "❌ table analytics.token_usage_ledger does not exist; run the migrations",
                            "Status: ❌ BROKEN");
        }
    }

    @Test
    void verifyWritesTheReportAsJsonForMachines() throws Exception {
        try (TestDatabase database = TestDatabase.migrated()) {
            try (Connection connection = database.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute(
                        "ALTER TABLE analytics.token_usage_ledger ALTER COLUMN vendor_cost TYPE numeric(12,4)");
            }

            Run verify = run("verify", "--jdbc-url", database.jdbcUrl(), "--json");

            assertThat(verify.exitCode()).as(verify.err()).isEqualTo(2);
            Map<?, ?> json = (Map<?, ?>) new JSONParser().parse(verify.out());
            assertThat(json.get("status")).isEqualTo("BROKEN");
            assertThat((List<?>) json.get("findings"))
                    .singleElement()
                    .isEqualTo(Map.of(
                            "status",
                            "BROKEN",
                            "kind",
                            "COLUMN_WRONG",
                            "subject",
                            "vendor_cost",
                            "message",
                            "column vendor_cost is numeric(12,4) NOT NULL, expected numeric(10,8) NOT NULL"));
            assertThat((List<?>) json.get("columns")).hasSize(26);
            assertThat((List<?>) json.get("indexes")).hasSize(8);
            assertThat(json.get("plans")).isEqualTo(List.of());
        }
    }

    @Test
    void verifyAnUnreachableDatabaseIsExitCode3NotAVerdict() {
        Run verify = run("verify", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/nothing");

        assertThat(verify.exitCode()).isEqualTo(3);
        assertThat(verify.out()).isEmpty();
    }
}
