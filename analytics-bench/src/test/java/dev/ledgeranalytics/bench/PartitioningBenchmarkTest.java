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
 * A short partitioning run (30k rows, one conversion under 2 s of writes before and after, one
 * month deleted and dropped), so that the harness and the conversion's correctness under
 * concurrent writers are checked in every build. It asserts correctness and the report's shape
 * only: timings on a shared CI machine mean nothing.
 */
class PartitioningBenchmarkTest {

    @TempDir
    static Path directory;

    private static int exitCode;
    private static String report;
    /** The run's progress and, if it failed, why: shown when a test fails. */
    private static String log;

    private static String docs;

    @BeforeAll
    static void runsAShortPartitioningRun() throws Exception {
        Path output = directory.resolve("benchmarks.md");
        Files.writeString(
                output,
                "# Benchmarks\n\n" + ReportFile.LOAD.start() + "\nload run\n" + ReportFile.LOAD.end() + "\n\n"
                        + "## Partitioning\n\nProse.\n\n" + ReportFile.PARTITIONING.start()
                        + "\nan older run\n" + ReportFile.PARTITIONING.end() + "\n\nProse after.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "partitioning",
                "--size",
                "30k",
                "--conversions",
                "1",
                "--runs",
                "1",
                "--writers",
                "2",
                "--write-rate",
                "100",
                "--steady",
                "2s",
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output);
    }

    @Test
    void finishesWithExitCodeZeroSoNothingFailedAndEveryCheckHeld() {
        assertThat(exitCode).as(log + report).isZero();
    }

    @Test
    void theConversionLostAndDoubledNoRowWhileTheWritersInsertedBeforeDuringAndAfterIt() {
        assertThat(report)
                .as(log)
                .containsPattern("\\| ([0-9,]+) rows of \\1 expected, 0 writers miscounted, 0 ids doubled \\|");
        Matcher inserted = Pattern.compile("\\| Rows inserted: before it · during the conversion · after it \\| "
                        + "([0-9,]+) · ([0-9,]+) · ([0-9,]+) \\|")
                .matcher(report);
        assertThat(inserted.find()).as(report).isTrue();
        for (int phase = 1; phase <= 3; phase++) {
            assertThat(Long.parseLong(inserted.group(phase).replace(",", "")))
                    .as("rows inserted in phase %d", phase)
                    .isPositive();
        }
        assertThat(report)
                .contains("| Failures | none |")
                .containsPattern("\\| Rows copied \\| 30,[0-9]{3} \\|")
                .containsPattern("\\| Ledger before → after: table \\+ indexes \\(MiB\\) \\| [0-9,]+ → [0-9,]+ in "
                        + "1[3-9] partitions \\|");
    }

    @Test
    void everyAnswerIsTheSameAfterTheConversionAndTheRollupsStillAnswerAsTheLedger() {
        assertThat(report)
                .contains("| Answers over the seeded year from the ledger alone, before the load and after | 5 of 5 "
                        + "equal |")
                .contains("| Answers through the rollups against the ledger alone, after a refresh | 5 of 5 equal |")
                .containsPattern(
                        "\\| Rollup buckets whose request counts differ from the ledger's \\| none of [0-9,]+ \\|");
    }

    @Test
    void reportsTheSameMonthDeletedAndDroppedWithTheSameRows() {
        Matcher delete = Pattern.compile("\\| ([0-9]{4}-[0-9]{2}) \\| ([0-9,]+) \\| `DELETE` \\|")
                .matcher(report);
        assertThat(delete.find()).as(report).isTrue();
        assertThat(report)
                .contains("| " + delete.group(1) + " | " + delete.group(2) + " | retention |")
                .containsPattern("Retention first dropped the seeded year's partial first month \\([0-9,]+ rows");
    }

    @Test
    void reportsEachPartitionAndVacuumOfTheWholeTableAndOfOnePartition() {
        assertThat(report)
                .containsPattern("\\| analytics\\.token_usage_ledger_y[0-9]{4}m[0-9]{2} \\| [0-9,]+ \\| [0-9.,]+ \\| "
                        + "[0-9.,]+ \\|")
                .containsPattern("\\| analytics\\.token_usage_ledger \\| [0-9,]+ \\| ")
                .containsPattern("\\| analytics\\.token_usage_ledger_y[0-9]{4}m[0-9]{2} \\| [0-9,]+ \\| [0-9.,]+ · "
                        + "[0-9,]+ \\| [1-9][0-9,]* \\|")
                .contains(QueryBenchmark.JAR_COMMAND + " partitioning --size 30k --conversions 1")
                .containsPattern("Load average \\(1 / 5 / 15 min\\): at the start [0-9.]+ / ");
    }

    @Test
    void replacesOnlyThePartitioningReportInTheOutputFile() {
        assertThat(docs)
                .startsWith("# Benchmarks\n\n" + ReportFile.LOAD.start() + "\nload run\n" + ReportFile.LOAD.end()
                        + "\n\n## Partitioning\n\nProse.\n\n" + ReportFile.PARTITIONING.start()
                        + "\n## Partitioning, measured (`analytics-bench partitioning`)")
                .endsWith(ReportFile.PARTITIONING.end() + "\n\nProse after.\n")
                .doesNotContain("an older run")
                .contains(report);
    }
}
