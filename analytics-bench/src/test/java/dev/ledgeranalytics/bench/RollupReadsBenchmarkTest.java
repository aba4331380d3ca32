package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the dashboard through the rollups (20k rows, two ranges, the fewest runs
 * allowed), so that the harness, its EXPLAIN of the statements actually sent and its report are
 * checked in every build. It asserts the report's shape only: timings on a shared CI machine mean
 * nothing.
 */
class RollupReadsBenchmarkTest {

    @TempDir
    static Path directory;

    private static int exitCode;
    private static String report;
    private static String log;
    private static String docs;

    @BeforeAll
    static void runsAShortRun() throws Exception {
        Path output = directory.resolve("benchmarks.md");
        Files.writeString(
                output,
                "# Benchmarks\n\nProse.\n\n" + ReportFile.ROLLUPS.start() + "\nan older run\n"
                        + ReportFile.ROLLUPS.end() + "\n\nProse after.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "rollups",
                "--rows",
                "20k",
                "--ranges",
                "1d,30d",
                "--runs",
                "20",
                "--warmup",
                "1",
                "--end-hour",
                "5",
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output, StandardCharsets.UTF_8);
    }

    @Test
    void timesEveryQueryOverEveryRangeWithJitOnAndOffAndSaysWhereTheTimeGoes() {
        assertThat(exitCode).as(log).isZero();
        Pattern row = Pattern.compile("\\| (\\w+) \\| (1 day|30 days) \\| [0-9.,]+ / [0-9.,]+ / [0-9.,]+ \\| "
                + "[0-9.,]+ / [0-9.,]+ / [0-9.,]+ \\| ([0-9]+) \\| ([0-9.,]+) \\| ([0-9.,]+) \\| [0-9.,]+ \\| ≤ [0-9]+ \\| "
                + "(pass|\\*\\*fail\\*\\*) \\|");
        Matcher rows = row.matcher(report);
        int found = 0;
        while (rows.find()) {
            found++;
            // The rollups' state, then at least one statement of the query's own.
            assertThat(Integer.parseInt(rows.group(3))).as(rows.group()).isGreaterThanOrEqualTo(2);
            assertThat(Double.parseDouble(rows.group(4).replace(",", "")))
                    .as(rows.group())
                    .isPositive();
            assertThat(Double.parseDouble(rows.group(5).replace(",", "")))
                    .as(rows.group())
                    .isPositive();
        }
        assertThat(found).as(report).isEqualTo(DashboardQuery.values().length * 2);
        assertThat(report)
                .contains(QueryBenchmark.JAR_COMMAND + " rollups --rows 20k --ranges 1d,30d --runs 20")
                .containsPattern("one year of requests ending \\d{4}-\\d{2}-\\d{2}T05:00:00Z,")
                .containsPattern(
                        "Statements PostgreSQL compiled with JIT \\(a JIT section in their EXPLAIN with `jit = on`\\): (none|\\w+ over)")
                .containsPattern("Ledger \\(its \\d+ partitions added up\\): [0-9.,]+ MiB of table and [0-9.,]+ MiB of "
                        + "indexes, [0-9.,]+ and [0-9.,]+ MiB per 1M rows\\.")
                .containsPattern(
                        "Rollups built from the whole ledger \\(`Rollups.rebuild\\(\\)`\\): [^;]+; [0-9.,]+ MiB");
    }

    @Test
    void refusesFewerRunsThanAStableP95Needs() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = QueryBenchmark.run(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "rollups",
                "--runs",
                "5");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--runs must be at least 20, but was 5");
    }

    @Test
    void endsAtTheLatestGivenHourBeforeTheRunOrAtItsLastFullHour() {
        Instant lastFullHour = Instant.parse("2026-12-01T02:00:00Z");
        assertThat(RollupReadsBenchmark.end(lastFullHour, null)).isEqualTo(lastFullHour);
        assertThat(RollupReadsBenchmark.end(lastFullHour, 2)).isEqualTo(lastFullHour);
        assertThat(RollupReadsBenchmark.end(lastFullHour, 0)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(RollupReadsBenchmark.end(lastFullHour, 23)).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = QueryBenchmark.run(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "rollups",
                "--end-hour",
                "24");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--end-hour must be 0 to 23, but was 24");
    }

    @Test
    void readsTheTimesOfAnExplainDocument() throws Exception {
        String json = "[{\"Plan\": {\"Node Type\": \"Result\"}, \"Planning Time\": 0.123, \"Triggers\": [], "
                + "\"Execution Time\": 12.5}]";
        try (TestDatabase database = TestDatabase.empty();
                Connection connection = database.dataSource().getConnection()) {
            PlanSummary.Summary summary = PlanSummary.summary(connection, json);
            assertThat(summary.planning()).isEqualTo(0.123);
            assertThat(summary.execution()).isEqualTo(12.5);
        }
    }

    @Test
    void replacesOnlyItsOwnReportInTheOutputFile() {
        assertThat(docs)
                .startsWith("# Benchmarks\n\nProse.\n\n" + ReportFile.ROLLUPS.start()
                        + "\n## Through the rollups (`analytics-bench rollups`)")
                .endsWith(ReportFile.ROLLUPS.end() + "\n\nProse after.\n")
                .doesNotContain("an older run")
                .contains(report);
    }
}
