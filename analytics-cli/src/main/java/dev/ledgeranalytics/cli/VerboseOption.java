package dev.ledgeranalytics.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}, accepted by every command; read by {@link AnalyticsCli} before parsing. */
final class VerboseOption {

    @Option(
            names = "--verbose",
            description = "Print stack traces of failures, and the error log of the migrations (Flyway)")
    boolean verbose;
}
