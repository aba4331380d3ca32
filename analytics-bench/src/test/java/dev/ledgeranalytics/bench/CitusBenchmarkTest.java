package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testkit.CitusCluster;
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
 * A short run of the distributed ledger beside a single node (20k rows, two ranges, five runs) on
 * the test cluster, so that every build checks that each query on Citus gives the single node's
 * answer and that the report keeps its shape. No timing is asserted.
 */
class CitusBenchmarkTest {

    @TempDir
    static Path directory;

    private static int exitCode;
    private static String report;
    private static String log;
    private static String docs;

    @BeforeAll
    static void runsAShortRun() throws Exception {
        CitusCluster.assumeAvailable();
        Path output = directory.resolve("benchmarks.md");
        Files.writeString(
                output,
                "# Benchmarks\n\n" + ReportFile.CITUS.start() + "\nan older run\n" + ReportFile.CITUS.end() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = QueryBenchmark.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "citus",
                "--rows",
                "20k",
                "--ranges",
                "1d,30d",
                "--runs",
                "5",
                "--warmup",
                "1",
                "--citus-url",
                CitusCluster.shared().jdbcUrl(),
                "--output",
                output.toString());
        report = out.toString(StandardCharsets.UTF_8);
        log = err.toString(StandardCharsets.UTF_8);
        docs = Files.readString(output, StandardCharsets.UTF_8);
    }

    @Test
    void everyQueryOnCitusGivesTheSingleNodesAnswer() {
        assertThat(exitCode).as(log).isZero();
        String timing = "[0-9.,]+ / [0-9.,]+ / [0-9.,]+";
        Pattern row = Pattern.compile("\\| (\\w+) \\| (1 day|30 days) \\| " + timing + " \\| " + timing + " \\| "
                + timing + " \\| " + timing + " \\| [0-9.]+× \\| [0-9.]+× \\| (yes|\\*\\*no\\*\\*) \\|");
        Matcher rows = row.matcher(report);
        int found = 0;
        while (rows.find()) {
            found++;
            assertThat(rows.group(3)).as(rows.group()).isEqualTo("yes");
        }
        assertThat(found).as(report).isEqualTo(DashboardQuery.values().length * 2);
    }

    @Test
    void describesTheClusterAndReplacesTheOlderRun() {
        assertThat(report)
                .contains(" citus --rows 20k --ranges 1d,30d --runs 5")
                .containsPattern("- Cluster: \\d+ workers, \\d+ shards per distributed table, Citus ");
        assertThat(report).doesNotContain("--citus-url jdbc:postgresql");
        assertThat(docs).contains(report).doesNotContain("an older run");
    }
}
