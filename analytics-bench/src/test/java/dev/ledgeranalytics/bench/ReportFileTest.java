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

        ReportFile.write(file, "report\n");

        assertThat(file).hasContent(ReportFile.START + "\nreport\n" + ReportFile.END + "\n");
    }

    @Test
    void appendsTheMarkedReportToAFileWithoutMarkers() throws IOException {
        Path file = Files.writeString(directory.resolve("old.md"), "# Benchmarks\n");

        ReportFile.write(file, "report\n");

        assertThat(file).hasContent("# Benchmarks\n\n" + ReportFile.START + "\nreport\n" + ReportFile.END + "\n");
    }

    @Test
    void replacesTheReportOfAnEarlierRun() throws IOException {
        Path file = directory.resolve("twice.md");
        ReportFile.write(file, "first\n");

        ReportFile.write(file, "second\n");

        assertThat(file).hasContent(ReportFile.START + "\nsecond\n" + ReportFile.END + "\n");
    }

    @Test
    void refusesAFileWithOnlyOneMarker() throws IOException {
        Path file = Files.writeString(directory.resolve("broken.md"), ReportFile.END + "\n" + ReportFile.START + "\n");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReportFile.write(file, "report\n"))
                .withMessageContaining("broken.md");
    }
}
