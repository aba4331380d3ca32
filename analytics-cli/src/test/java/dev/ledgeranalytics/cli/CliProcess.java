package dev.ledgeranalytics.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line as a process of its own, for what only a process shows: a real standard output
 * (a pipe its reader closes, {@code /dev/full}) and the logging of a JVM configured from scratch.
 */
final class CliProcess {

    private CliProcess() {}

    static ProcessBuilder of(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AnalyticsCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}
