package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.verify.Status;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.format.DateTimeParseException;
import java.util.function.ToIntFunction;
import org.postgresql.util.GT;

/**
 * The exit codes of the CLI, one per kind of failure a person can act on. 1 and 2 belong to
 * {@code verify}'s DEGRADED and BROKEN, as monitoring checks read them (warning, critical); a
 * command line picocli cannot parse, an unexpected failure and output that cannot be written take
 * sysexits.h's 64, 70 and 74, so that a script never mistakes a failure to verify for a verdict.
 */
enum ExitCode {
    OK(0),
    DEGRADED(1),
    BROKEN(2),
    UNREACHABLE(3),
    AUTHENTICATION(4),
    NOT_MIGRATED(5),
    BAD_INPUT(6),
    TIMED_OUT(7),
    USAGE(64),
    FAILED(70),
    OUTPUT(74);

    /** The driver's message when its login timeout ends a connection attempt, in the JVM's language. */
    private static final String LOGIN_TIMED_OUT = GT.tr("Connection attempt timed out.");

    /** The JDK's message when the TCP connection is not accepted in time. */
    private static final String CONNECT_TIMED_OUT = "Connect timed out";

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

    /**
     * The failure of a command.
     *
     * @param database the failed command's connection options, or {@code null} if it has none
     */
    static Failure of(Throwable error, DatabaseOptions database) {
        if (error instanceof CommandFailure failure) {
            return new Failure(failure.exit(), failure.getMessage());
        }
        if (error instanceof IllegalArgumentException || error instanceof DateTimeParseException) {
            return new Failure(BAD_INPUT, error.getMessage());
        }
        Failure timeout = timeout(error, database);
        if (timeout != null) {
            return timeout;
        }
        String state = error instanceof AnalyticsException analytics
                ? analytics.sqlState().orElse("")
                : "";
        if (state.equals("3D000")) {
            return new Failure(UNREACHABLE, "cannot reach the database: " + rootMessage(error) + " (check --jdbc-url)");
        }
        if (state.startsWith("08")) {
            return new Failure(UNREACHABLE, "cannot reach the database: " + rootMessage(error));
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new Failure(AUTHENTICATION, "the database refused the credentials: " + rootMessage(error));
        }
        if (state.equals("42P01") || state.equals("3F000") || state.equals("42704")) {
            return new Failure(
                    NOT_MIGRATED,
                    "the ledger schema \"" + schema(database) + "\" is not in this database; run `migrate` first "
                            + "(`verify` names what is missing)");
        }
        return new Failure(FAILED, rootMessage(error));
    }

    /**
     * A timeout of the connection, named by the option that set it. A timeout of the TCP connection
     * is one too: the server is unreachable, but the person needs to know how long was waited.
     */
    private static Failure timeout(Throwable error, DatabaseOptions database) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException && CONNECT_TIMED_OUT.equals(cause.getMessage())) {
                return new Failure(
                        TIMED_OUT,
                        "the database server did not accept the connection within "
                                + duration(database, options -> options.connectTimeout)
                                + " (--connect-timeout): it is unreachable from here, or a firewall drops the packets");
            }
            if (cause instanceof SocketTimeoutException) {
                return new Failure(
                        TIMED_OUT,
                        "the database server sent nothing for "
                                + duration(database, DatabaseOptions::effectiveSocketTimeout)
                                + " (--socket-timeout): it is frozen or overloaded, or a statement needs longer; "
                                + "raise --socket-timeout, or set 0 to wait for ever");
            }
            if (cause instanceof SQLException sql && LOGIN_TIMED_OUT.equals(sql.getMessage())) {
                return new Failure(
                        TIMED_OUT,
                        "the database server accepted the connection but did not complete the login within "
                                + duration(database, options -> options.loginTimeout)
                                + " (--login-timeout): it is not answering");
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static String duration(DatabaseOptions database, ToIntFunction<DatabaseOptions> seconds) {
        return database == null ? "the configured time" : seconds.applyAsInt(database) + " s";
    }

    private static String schema(DatabaseOptions database) {
        return database == null ? AnalyticsMigrations.DEFAULT_SCHEMA : database.schema;
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
