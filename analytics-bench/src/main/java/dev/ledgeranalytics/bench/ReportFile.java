package dev.ledgeranalytics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts a report into a Markdown file between two marker comments of its own, keeping the prose
 * around them: docs/benchmarks.md holds the latest run of each report and the reading of it.
 *
 * @param name the markers' name: {@code <!-- name:start -->} and {@code <!-- name:end -->}
 */
record ReportFile(String name) {

    /** The query benchmark's report. */
    static final ReportFile QUERIES = new ReportFile("bench");

    /** The load run's report. */
    static final ReportFile LOAD = new ReportFile("load");

    /** The partitioning run's report. */
    static final ReportFile PARTITIONING = new ReportFile("partitioning");

    /** The report of the dashboard through the rollups alone. */
    static final ReportFile ROLLUPS = new ReportFile("rollups");

    /** The raw reads beside hand-written SQL: {@code analytics-bench raw}. */
    static final ReportFile RAW = new ReportFile("raw");

    /** A distributed ledger beside a single node: {@code analytics-bench citus}. */
    static final ReportFile CITUS = new ReportFile("citus");

    String start() {
        return "<!-- " + name + ":start -->";
    }

    String end() {
        return "<!-- " + name + ":end -->";
    }

    /**
     * Replaces what stands between the markers; a file without them gets them, with the report,
     * at its end, and a missing file is created.
     */
    void write(Path file, String report) throws IOException {
        String section = start() + "\n" + report + end() + "\n";
        if (!Files.exists(file)) {
            Files.writeString(file, section, StandardCharsets.UTF_8);
            return;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int start = text.indexOf(start());
        int end = text.indexOf(end());
        if (start < 0 && end < 0) {
            Files.writeString(file, text + (text.endsWith("\n") ? "\n" : "\n\n") + section, StandardCharsets.UTF_8);
        } else if (start >= 0 && end > start) {
            Files.writeString(
                    file,
                    text.substring(0, start)
                            + section
                            + text.substring(end + end().length()).replaceFirst("^\n", ""),
                    StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException("output must hold both " + start() + " and " + end()
                    + " in that order, or neither, but " + file + " does not");
        }
    }
}
