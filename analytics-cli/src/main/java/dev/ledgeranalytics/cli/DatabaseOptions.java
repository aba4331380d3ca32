package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/**
 * Where the ledger is: a JDBC URL, credentials, the schema the migrations were applied to, and how
 * long to wait for the server. Every connection has a connect, a login and a socket timeout, so
 * that a server that accepts connections but never answers, or one that froze, ends the command
 * with exit code 7 instead of hanging it for ever.
 */
final class DatabaseOptions {

    /** The socket timeout of the commands that read: longer than any dashboard query should take. */
    static final int READ_SOCKET_TIMEOUT = 300;

    @Option(
            names = "--jdbc-url",
            required = true,
            paramLabel = "URL",
            description = "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://localhost:5432/app")
    String jdbcUrl;

    @Option(
            names = "--user",
            paramLabel = "NAME",
            defaultValue = "${env:ANALYTICS_DB_USER}",
            description = "Database user (default: $ANALYTICS_DB_USER, else the URL's)")
    String user;

    @Option(
            names = "--password",
            paramLabel = "SECRET",
            defaultValue = "${env:ANALYTICS_DB_PASSWORD}",
            description = "Database password (default: $ANALYTICS_DB_PASSWORD, else the URL's)")
    String password;

    @Option(
            names = "--schema",
            paramLabel = "NAME",
            defaultValue = AnalyticsMigrations.DEFAULT_SCHEMA,
            description = "Schema the ledger was installed into (default: ${DEFAULT-VALUE})")
    String schema;

    @Option(
            names = "--connect-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Seconds to wait for the server to accept the TCP connection; 0 waits for ever "
                    + "(default: ${DEFAULT-VALUE})")
    int connectTimeout;

    @Option(
            names = "--login-timeout",
            paramLabel = "SECONDS",
            defaultValue = "20",
            description = "Seconds to wait for the whole connection: TCP, TLS, start-up and authentication; "
                    + "0 waits for ever (default: ${DEFAULT-VALUE})")
    int loginTimeout;

    @Option(
            names = "--socket-timeout",
            paramLabel = "SECONDS",
            description = "Seconds to wait for any reply of the server once connected; 0 waits for ever "
                    + "(default: " + READ_SOCKET_TIMEOUT + "; 0 for migrate and rollups, whose index and rollup "
                    + "builds may send nothing for many minutes)")
    Integer socketTimeout;

    /** The socket timeout in effect, once {@link #dataSource()} or {@link #longRunningDataSource()} chose it. */
    private int effectiveSocketTimeout;

    /** Connections for commands that read, such as {@code report}: a silent server is given up after 300 s. */
    DataSource dataSource() {
        return dataSource(READ_SOCKET_TIMEOUT);
    }

    /**
     * Connections for {@code migrate} and {@code rollups}: no socket timeout unless asked for, since
     * giving up on an index build half-way would leave the migration failed.
     */
    DataSource longRunningDataSource() {
        return dataSource(0);
    }

    int effectiveSocketTimeout() {
        return effectiveSocketTimeout;
    }

    private DataSource dataSource(int defaultSocketTimeout) {
        requireSeconds("--connect-timeout", connectTimeout);
        requireSeconds("--login-timeout", loginTimeout);
        effectiveSocketTimeout = socketTimeout == null ? defaultSocketTimeout : socketTimeout;
        requireSeconds("--socket-timeout", effectiveSocketTimeout);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        try {
            dataSource.setUrl(jdbcUrl);
        } catch (IllegalArgumentException e) {
            // Not kept as the cause: the driver's message repeats the URL, password and all.
            throw new IllegalArgumentException("--jdbc-url must be a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://localhost:5432/app, but was \"" + Secrets.mask(jdbcUrl, password) + "\"");
        }
        if (user != null && !user.isBlank()) {
            dataSource.setUser(user);
        }
        if (password != null && !password.isBlank()) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout(connectTimeout);
        dataSource.setLoginTimeout(loginTimeout);
        dataSource.setSocketTimeout(effectiveSocketTimeout);
        return dataSource;
    }

    private static void requireSeconds(String option, int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException(
                    option + " must be a number of seconds, 0 or more (0 waits for ever), but was " + seconds);
        }
    }
}
