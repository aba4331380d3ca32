package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Spring Boot" section shows the code of examples/spring-boot-host, which the build
 * compiles and tests; this checks the text is the same, line by line, indentation aside.
 */
class ReadmeSpringBootTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path EXAMPLE = Path.of("..", "examples", "spring-boot-host");

    @Test
    void theReadmeShowsTheExampleApplicationsLines() throws IOException {
        String readme = stripped(Files.readString(README).lines().toList());

        assertThat(readme).contains(example(EXAMPLE.resolve("pom.xml"), "boot-bom"));
        assertThat(readme).contains(example(EXAMPLE.resolve("pom.xml"), "boot-dependencies"));
        assertThat(readme)
                .contains(example(EXAMPLE.resolve("src/main/resources/application.properties"), "boot-properties"));
        assertThat(readme)
                .contains(example(
                        EXAMPLE.resolve("src/main/java/com/example/gateway/DashboardController.java"),
                        "boot-controller"));
        assertThat(readme)
                .contains(example(
                        EXAMPLE.resolve("src/test/java/com/example/gateway/GatewayApplicationTest.java"), "boot-test"));
    }

    /** The lines between a file's README markers. */
    private static String example(Path source, String name) throws IOException {
        List<String> lines = Files.readString(source).lines().toList();
        int start = indexOf(lines, "README:" + name + ":start");
        int end = indexOf(lines, "README:" + name + ":end");
        assertThat(end).as(name).isGreaterThan(start + 1);
        return stripped(lines.subList(start + 1, end));
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        throw new AssertionError("no " + marker);
    }

    private static String stripped(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.joining("\n"));
    }
}
