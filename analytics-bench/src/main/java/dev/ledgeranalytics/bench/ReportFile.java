package dev.ledgeranalytics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts the report into a Markdown file between {@value #START} and {@value #END}, keeping the
 * prose around them: docs/benchmarks.md holds the latest run and the reading of it.
 */
final class ReportFile {

    static final String START = "<!-- bench:start -->";
    static final String END = "<!-- bench:end -->";

    private ReportFile() {}

    /**
     * Replaces what stands between the markers; a file without them gets them, with the report,
     * at its end, and a missing file is created.
     */
    static void write(Path file, String report) throws IOException {
        String section = START + "\n" + report + END + "\n";
        if (!Files.exists(file)) {
            Files.writeString(file, section, StandardCharsets.UTF_8);
            return;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 && end < 0) {
            Files.writeString(file, text + (text.endsWith("\n") ? "\n" : "\n\n") + section, StandardCharsets.UTF_8);
        } else if (start >= 0 && end > start) {
            Files.writeString(
                    file,
                    text.substring(0, start)
                            + section
                            + text.substring(end + END.length()).replaceFirst("^\n", ""),
                    StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException("output must hold both " + START + " and " + END
                    + " in that order, or neither, but " + file + " does not");
        }
    }
}
