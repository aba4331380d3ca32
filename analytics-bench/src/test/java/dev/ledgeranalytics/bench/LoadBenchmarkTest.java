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
 * A short load run (100k rows, 10 s of writes with 10 % late rows and a refresh every 2 s), so
 * that the harness and the rollups' exactness under concurrent writes and refreshes are checked
 * in every build. It asserts correctness only: timings on a shared CI machine mean nothing.
 */
class LoadBenchmarkTest {

    @TempDir
    static Path directory;

    private static int exitCode;
    private static String report;
    /** The run's progress and, if it failed, why: shown when a test fails. */
    private static String log;

    private static String docs;

    @BeforeAll
    static void runsAShortLoad() throws Exception {
        Path output = directory.resolve("benchmarks.md");
        Files.writeString(
                output,
                "# Benchmarks\n\n" + ReportFile.QUERIES.start() + "\nquery latency\n" + ReportFile.QUERIES.end()
                        + "\n\n" + ReportFile.LOAD.start() + "\nan older load run\n" + ReportFile.LOAD.end() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--load",
                "--rows",
                "100k",
                "--readers",
                "2",
                "--writers",
                "2",
                "--insert-rate",
                "200",
                "--late-share",
                "10",
                "--late-max-age",
                "2d",
                "--idle",
                "2s",
                "--duration",
                "10s",
                "--refresh-every",
                "2s",
                "--backlog",
                "2s",
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output);
    }

    @Test
    void finishesWithExitCodeZeroSoNothingFailedAndEveryCheckPassed() {
        assertThat(exitCode).as(log + report).isZero();
    }

    @Test
    void theWritersInsertedRowsLateOnesAmongThemAndTheRefreshesAppliedThem() {
        Matcher inserted =
                Pattern.compile("\\(([0-9,]+) rows, of which ([0-9,]+) late\\)").matcher(report);
        assertThat(inserted.find()).as(report).isTrue();
        assertThat(count(inserted.group(1))).isGreaterThan(1_000);
        assertThat(count(inserted.group(2))).isPositive();
        Matcher refreshed = Pattern.compile(
                        "Scheduled refreshes under load: ([0-9,]+), .* applied the writes of p50 / max "
                                + "([0-9,]+) / ([0-9,]+) quarter hours")
                .matcher(report);
        assertThat(refreshed.find()).as(report).isTrue();
        assertThat(count(refreshed.group(1))).isPositive();
        assertThat(count(refreshed.group(3))).isPositive();
    }

    @Test
    void everyRowIsInTheLedgerOnceAndCountedOnceByEveryRollupTableAndGrain() {
        assertThat(report)
                .containsPattern("the ledger holds ([0-9,]+) rows, the seeded ones and those the writers saw committed "
                        + "make \\1; 0 writers' rows")
                .containsPattern("Requests per bucket and status in 13 rollup tables and grains against the ledger's "
                        + "counts: [0-9,]+ buckets, all equal")
                .contains("| Lost or double-counted rows: 0 | 0 | met |")
                .contains("| Errors: 0 | 0 | met |");
    }

    @Test
    void theRollupsAnswerAsTheLedgerWithWritesPendingAndAfterTheFinalRefresh() {
        assertThat(report)
                .containsPattern("Answers with writes in (1 quarter hour|([2-9]|[1-9][0-9]+) quarter hours) pending: "
                        + "15 of 15 equal")
                .contains("Answers after a final refresh: 15 of 15 equal")
                .contains("| 30 of 30 equal | met |");
    }

    @Test
    void reportsEveryQueryAndRangeIdleAndUnderLoadWithTheTargetsAndDiagnosis() {
        String timing = "[0-9.,]+ / [0-9.,]+ / [0-9.,]+";
        for (DashboardQuery query : DashboardQuery.values()) {
            for (String range : new String[] {"1 day", "30 days", "365 days"}) {
                assertThat(report)
                        .containsPattern("\\| " + query.method() + " \\| " + range + " \\| " + timing + " \\| " + timing
                                + " \\| [0-9.]+× \\| " + timing + " \\| [0-9,]+ · [0-9,]+ \\| [0-9]+ % \\|")
                        .containsPattern(
                                "\\| " + query.method() + " \\| " + range + " \\| [0-9]+ \\| [0-9.,]+ \\| [0-9,]+ \\|");
            }
        }
        assertThat(report)
                .contains("| Reader p95 under load ≤ 2× idle, every query and range | worst ")
                .containsPattern("\\| Refresh of a minute of writes ≤ 1 s \\| [0-9.]+ s \\([0-9,]+ rows")
                .containsPattern("\\| under load \\| readers \\| 1 \\| [0-9,]+ \\| ")
                .containsPattern("\\| 1 \\| 0 \\| [0-9,]+ \\| " + timing + " \\| [0-9]+ \\|")
                .contains(QueryBenchmark.JAR_COMMAND + " --load --rows 100k --readers 2");
    }

    @Test
    void theExplainedQueriesCountTheLedgerRowsTheyReadInItsPartitions() {
        // Every range ends at the moment it is read, so the quarter hour still being written is read from the
        // ledger; on the partitioned ledger the plans name its partitions, never the ledger itself.
        Matcher explained = Pattern.compile("\\| [a-zA-Z]+ \\| [0-9]+ days? \\| [0-9]+ \\| [0-9.,]+ \\| ([0-9,]+) \\|")
                .matcher(report);
        long ledgerRows = 0;
        while (explained.find()) {
            ledgerRows += count(explained.group(1));
        }
        assertThat(ledgerRows).as(report).isPositive();
    }

    @Test
    void replacesOnlyTheLoadReportInTheOutputFile() {
        assertThat(docs)
                .startsWith("# Benchmarks\n\n" + ReportFile.QUERIES.start() + "\nquery latency\n"
                        + ReportFile.QUERIES.end() + "\n\n" + ReportFile.LOAD.start() + "\n## Load and soak")
                .endsWith(ReportFile.LOAD.end() + "\n")
                .doesNotContain("an older load run")
                .contains(report);
    }

    private static long count(String figure) {
        return Long.parseLong(figure.replace(",", ""));
    }
}
