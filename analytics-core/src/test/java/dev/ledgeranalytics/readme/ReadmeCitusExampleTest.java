package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Citus example of README.md and docs/scale-out.md is the code {@code CitusLedgerTest} runs on a cluster. */
class ReadmeCitusExampleTest {

    @Test
    void theReadmeAndTheGuideShowTheExampleTheCitusSuiteRuns() throws IOException {
        String example = ReadmeHostExampleTest.example(
                Path.of("src/test/java/dev/ledgeranalytics/citus/CitusLedgerTest.java"), "citus-example");

        assertThat(ReadmeHostExampleTest.strippedLines(Path.of("..", "README.md")))
                .contains(example);
        assertThat(ReadmeHostExampleTest.strippedLines(Path.of("..", "docs", "scale-out.md")))
                .contains(example);
    }
}
