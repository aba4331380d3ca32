package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the raw reads beside hand-written SQL (20k rows, two ranges, five runs), so that
 * every build checks that each hand-written query still gives the library's answer and that the
 * report keeps its shape. No timing is asserted.
 */
class RawFloorBenchmarkTest {

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
                output, "# Benchmarks\n\n" + ReportFile.RAW.start() + "\nan older run\n" + ReportFile.RAW.end() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "raw",
                "--rows",
                "20k",
                "--ranges",
                "1d,30d",
                "--runs",
                "5",
                "--warmup",
                "1",
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output, StandardCharsets.UTF_8);
    }

    @Test
    void everyHandWrittenQueryGivesTheLibrarysAnswer() {
        assertThat(exitCode).as(log).isZero();
        Pattern row = Pattern.compile("\\| (\\w+) \\| (1 day|30 days) \\| [0-9.,]+ / [0-9.,]+ / [0-9.,]+ \\| "
                + "[0-9.,]+ / [0-9.,]+ / [0-9.,]+ \\| [0-9.]+× \\| (yes|\\*\\*no\\*\\*) \\| (yes|\\*\\*no\\*\\*) \\|");
        Matcher rows = row.matcher(report);
        int found = 0;
        while (rows.find()) {
            found++;
            assertThat(rows.group(3)).as(rows.group()).isEqualTo("yes");
        }
        assertThat(found).as(report).isEqualTo(DashboardQuery.values().length * 2);
    }

    @Test
    void listsTheHandWrittenStatementsAndTheCommand() {
        assertThat(report)
                .contains(QueryBenchmark.JAR_COMMAND + " raw --rows 20k --ranges 1d,30d --runs 5")
                .contains("AND status = 'success'")
                .contains("`userBreakdown`:");
        assertThat(docs).contains(report).doesNotContain("an older run");
    }

    @Test
    void refusesTooFewRuns() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = QueryBenchmark.run(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "raw",
                "--runs",
                "2");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--runs must be at least 5, but was 2");
    }
}
