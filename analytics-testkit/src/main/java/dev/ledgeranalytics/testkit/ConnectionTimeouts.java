package dev.ledgeranalytics.testkit;

import java.util.Properties;
import java.util.function.UnaryOperator;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The connect, login and socket timeouts of every connection the testkit opens, so that a server
 * that stops answering fails the test at hand instead of hanging the build for ever. The socket
 * timeout is generous: it ends a wait for a reply, and a test may build indexes or rollups over
 * millions of rows, sending nothing for minutes.
 *
 * @param connectSeconds seconds to wait for the TCP connection
 * @param loginSeconds   seconds to wait for the whole connection, start-up and authentication included
 * @param socketSeconds  seconds to wait for any reply of the server once connected
 */
record ConnectionTimeouts(int connectSeconds, int loginSeconds, int socketSeconds) {

    /** System property ({@code ANALYTICS_TESTDB_CONNECT_TIMEOUT} as environment variable), in seconds. */
    static final String CONNECT = "analytics.testdb.connect_timeout";

    /** System property ({@code ANALYTICS_TESTDB_LOGIN_TIMEOUT} as environment variable), in seconds. */
    static final String LOGIN = "analytics.testdb.login_timeout";

    /** System property ({@code ANALYTICS_TESTDB_SOCKET_TIMEOUT} as environment variable), in seconds. */
    static final String SOCKET = "analytics.testdb.socket_timeout";

    static final ConnectionTimeouts DEFAULTS = new ConnectionTimeouts(10, 30, 600);

    /** Rejects negative values; 0 waits for ever, as in the PostgreSQL driver. */
    ConnectionTimeouts {
        if (connectSeconds < 0 || loginSeconds < 0 || socketSeconds < 0) {
            throw new IllegalArgumentException("timeouts must not be negative, but were connect " + connectSeconds
                    + " s, login " + loginSeconds + " s, socket " + socketSeconds + " s");
        }
    }

    /** The defaults, each replaced by its setting where one is given. */
    static ConnectionTimeouts from(UnaryOperator<String> settings) {
        return new ConnectionTimeouts(
                seconds(settings, CONNECT, DEFAULTS.connectSeconds),
                seconds(settings, LOGIN, DEFAULTS.loginSeconds),
                seconds(settings, SOCKET, DEFAULTS.socketSeconds));
    }

    /**
     * Sets the timeouts on {@code dataSource}, except those its JDBC URL already sets: a server
     * given by URL keeps what its URL asks for.
     */
    PGSimpleDataSource applyTo(PGSimpleDataSource dataSource, Properties fromUrl) {
        if (!PGProperty.CONNECT_TIMEOUT.isPresent(fromUrl)) {
            dataSource.setConnectTimeout(connectSeconds);
        }
        if (!PGProperty.LOGIN_TIMEOUT.isPresent(fromUrl)) {
            dataSource.setLoginTimeout(loginSeconds);
        }
        if (!PGProperty.SOCKET_TIMEOUT.isPresent(fromUrl)) {
            dataSource.setSocketTimeout(socketSeconds);
        }
        return dataSource;
    }

    PGSimpleDataSource applyTo(PGSimpleDataSource dataSource) {
        return applyTo(dataSource, new Properties());
    }

    private static int seconds(UnaryOperator<String> settings, String name, int defaultSeconds) {
        String value = settings.apply(name);
        if (value == null || value.isBlank()) {
            return defaultSeconds;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0) {
            throw new IllegalArgumentException(
                    name + " must be a whole number of seconds (0 waits for ever), but was \"" + value + "\"");
        }
        return seconds;
    }
}
