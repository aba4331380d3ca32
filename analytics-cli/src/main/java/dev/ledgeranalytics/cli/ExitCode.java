package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.verify.Status;
import java.time.format.DateTimeParseException;

/**
 * The exit codes of the CLI, one per kind of failure a person can act on. 1 and 2 belong to
 * {@code verify}'s DEGRADED and BROKEN, as monitoring checks read them (warning, critical); a
 * command line picocli cannot parse and an unexpected failure take sysexits.h's 64 and 70, so
 * that a script never mistakes a failure to verify for a verdict.
 */
enum ExitCode {
    OK(0),
    DEGRADED(1),
    BROKEN(2),
    UNREACHABLE(3),
    AUTHENTICATION(4),
    NOT_MIGRATED(5),
    BAD_INPUT(6),
    USAGE(64),
    FAILED(70);

    final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** What went wrong, in one line a person can act on, and the exit code for it. */
    record Failure(ExitCode exit, String message) {}

    static ExitCode of(Status status) {
        return switch (status) {
            case READY -> OK;
            case DEGRADED -> DEGRADED;
            case BROKEN -> BROKEN;
        };
    }

    static Failure of(Throwable error, String schema) {
        if (error instanceof IllegalArgumentException || error instanceof DateTimeParseException) {
            return new Failure(BAD_INPUT, error.getMessage());
        }
        String state = error instanceof AnalyticsException analytics
                ? analytics.sqlState().orElse("")
                : "";
        if (state.startsWith("08")) {
            return new Failure(UNREACHABLE, "cannot reach the database: " + rootMessage(error));
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new Failure(AUTHENTICATION, "the database refused the credentials: " + rootMessage(error));
        }
        if (state.equals("42P01") || state.equals("3F000") || state.equals("42704")) {
            return new Failure(
                    NOT_MIGRATED, "the ledger schema \"" + schema + "\" is not in this database; run `migrate` first");
        }
        return new Failure(FAILED, rootMessage(error));
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
