package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100k smoke run of the whole harness, so that it keeps working between published runs. It
 * checks the report's shape only: timings on a shared CI machine mean nothing, and no test here
 * asserts one.
 */
class QueryBenchmarkTest {

    /**
     * The seeded year's end, fixed so that the last 30 days take half of each of two monthly
     * partitions: over a range holding nearly all of one month, a sequential scan of that partition
     * is as right a plan on the indexed ledger as its index, and the plans' test would depend on the
     * day it runs.
     */
    private static final Instant END_INSIDE_A_MONTH = Instant.parse("2026-06-16T10:20:30Z");

    @TempDir
    static Path directory;

    private static int exitCode;
    private static String report;
    /** The harness's progress and, if it failed, why: shown when a test fails. */
    private static String log;

    private static String docs;

    @BeforeAll
    static void runsAtOneHundredThousandRows() throws Exception {
        Path output = directory.resolve("benchmarks.md");
        Files.writeString(
                output,
                "# Benchmarks\n\nProse before.\n\n" + ReportFile.QUERIES.start() + "\nan older run\n"
                        + ReportFile.QUERIES.end() + "\n\nProse after.\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                Clock.fixed(END_INSIDE_A_MONTH, ZoneOffset.UTC),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--sizes",
                "100k",
                "--runs",
                "3",
                "--warmup",
                "1",
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output);
    }

    @Test
    void finishesWithExitCodeZero() {
        assertThat(exitCode).as(log).isZero();
    }

    @Test
    void timesEveryQueryOverEveryRangeOnBothLedgersAndThroughTheRollups() {
        String timing = "[0-9.,]+ / [0-9.,]+ / [0-9.,]+";
        for (DashboardQuery query : DashboardQuery.values()) {
            for (String range : new String[] {"1 day", "30 days", "365 days"}) {
                String rollupTarget = range.equals("365 days")
                        ? "(pass|\\*\\*fail\\*\\*) \\(≤ " + query.rollupTargetMs() + "\\)"
                        : "—";
                assertThat(report)
                        .containsPattern("\\| " + query.method() + " \\| " + range
                                + " \\| " + timing + " \\| " + timing + " \\| [0-9.,]+× \\| " + timing
                                + " \\| [0-9,]+× \\| "
                                + rollupTarget + " \\| .+ \\| (pass|\\*\\*fail\\*\\*|—) \\|");
            }
        }
    }

    @Test
    void recordsTheRollupsBuildSizeRefreshAndInsertOverhead() {
        assertThat(report)
                .containsPattern("Build from the whole ledger .*: [0-9.]+ s for [0-9,]+ quarter hours")
                .containsPattern(
                        "Size with indexes: [0-9.,]+ MiB in all, [0-9.,]+ MiB per 1M ledger rows \\(`rollup_status` [0-9.,]+")
                .containsPattern(
                        "Refresh after a bulk load of 100,000 new rows over the last day: [0-9.]+ s \\([0-9,]+ quarter hours")
                .containsPattern(
                        "single-row INSERTs .*3 series of 2,000 per mode.*: [0-9]+ µs per insert without rollups, [0-9]+ µs in refresh mode "
                                + "\\([+-][0-9]+ %\\), [0-9]+ µs in trigger mode")
                .containsPattern("bulk load of 100,000 rows .*: [0-9.]+ s without rollups, [0-9.]+ s in refresh mode");
    }

    @Test
    void recordsTheMachineTheCommandAndTheSize() {
        assertThat(report)
                .contains("### 100,000 rows")
                .contains(QueryBenchmark.JAR_COMMAND + " --sizes 100k --runs 3 --warmup 1 --output ")
                .containsPattern("Machine: \\d+ cores")
                .contains("PostgreSQL 1")
                .containsPattern("Speed reference: [0-9.]+ ms median \\([0-9.]+–[0-9.]+\\) over 11 runs");
    }

    @Test
    void recordsSeedingExportAndStorage() {
        assertThat(report)
                .containsPattern("Seeding .*: [0-9.]+ s, [0-9,]+ rows/s end to end")
                .containsPattern("CSV export .*: 100,000 rows")
                .contains("| idx_token_usage_analytics | ")
                .containsPattern("\\| token_usage_ledger_pkey \\| [0-9.,]+ \\| [0-9.,]+ \\|");
    }

    @Test
    void recordsEachQuerysPlanOnBothLedgers() {
        assertThat(report)
                .containsPattern("\\| grossMargin \\| [^|]*Aggregate")
                .contains("ledger: Seq Scan")
                .contains("ledger: Index Only Scan using idx_token_usage_analytics");
        for (DashboardQuery query : DashboardQuery.values()) {
            assertThat(report)
                    .containsPattern(
                            "\\| " + query.method() + " \\| [^|]+ · ledger: [^|]+ \\| [^|]+ · ledger: [^|]+ \\|");
        }
    }

    @Test
    void replacesOnlyWhatStandsBetweenTheMarkersOfTheOutputFile() {
        assertThat(docs)
                .startsWith("# Benchmarks\n\nProse before.\n\n" + ReportFile.QUERIES.start() + "\n## Query latency")
                .endsWith(ReportFile.QUERIES.end() + "\n\nProse after.\n")
                .doesNotContain("an older run")
                .contains(report);
    }
}
