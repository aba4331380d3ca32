package dev.ledgeranalytics.cli;

/**
 * A failure a command diagnosed itself: its message is what the person at the terminal reads, and
 * its exit code says which kind of failure it is.
 */
final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ExitCode exit;

    CommandFailure(ExitCode exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }

    ExitCode exit() {
        return exit;
    }
}
