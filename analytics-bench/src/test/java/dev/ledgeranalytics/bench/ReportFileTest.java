package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFileTest {

    @TempDir
    Path directory;

    @Test
    void createsAMissingFileWithTheMarkers() throws IOException {
        Path file = directory.resolve("new.md");

        ReportFile.QUERIES.write(file, "report\n");

        assertThat(file).hasContent(ReportFile.QUERIES.start() + "\nreport\n" + ReportFile.QUERIES.end() + "\n");
    }

    @Test
    void appendsTheMarkedReportToAFileWithoutMarkers() throws IOException {
        Path file = Files.writeString(directory.resolve("old.md"), "# Benchmarks\n");

        ReportFile.QUERIES.write(file, "report\n");

        assertThat(file)
                .hasContent("# Benchmarks\n\n" + ReportFile.QUERIES.start() + "\nreport\n" + ReportFile.QUERIES.end()
                        + "\n");
    }

    @Test
    void replacesTheReportOfAnEarlierRun() throws IOException {
        Path file = directory.resolve("twice.md");
        ReportFile.QUERIES.write(file, "first\n");

        ReportFile.QUERIES.write(file, "second\n");

        assertThat(file).hasContent(ReportFile.QUERIES.start() + "\nsecond\n" + ReportFile.QUERIES.end() + "\n");
    }

    @Test
    void refusesAFileWithOnlyOneMarker() throws IOException {
        Path file = Files.writeString(
                directory.resolve("broken.md"), ReportFile.QUERIES.end() + "\n" + ReportFile.QUERIES.start() + "\n");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReportFile.QUERIES.write(file, "report\n"))
                .withMessageContaining("broken.md");
    }

    @Test
    void keepsTheOtherReportsSection() throws IOException {
        Path file = directory.resolve("both.md");
        ReportFile.QUERIES.write(file, "queries\n");

        ReportFile.LOAD.write(file, "load\n");
        ReportFile.LOAD.write(file, "load again\n");

        assertThat(file)
                .hasContent("<!-- bench:start -->\nqueries\n<!-- bench:end -->\n\n<!-- load:start -->\nload again\n"
                        + "<!-- load:end -->\n");
    }
}
