package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Citus example of README.md and docs/scale-out.md is the code {@code CitusLedgerTest} runs on a cluster. */
class ReadmeCitusExampleTest {

    @Test
    void theReadmeAndTheGuideShowTheExampleTheCitusSuiteRuns() throws IOException {
        String example = ReadmeHostExampleTest.example(
                Path.of("src/test/java/dev/ledgeranalytics/citus/CitusLedgerTest.java"), "citus-example");

        assertThat(strippedLines(Path.of("..", "README.md"))).contains(example);
        assertThat(strippedLines(Path.of("..", "docs", "scale-out.md"))).contains(example);
    }

    private static String strippedLines(Path file) throws IOException {
        return Files.readString(file)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));
    }
}
