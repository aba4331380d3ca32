package dev.ledgeranalytics.migration;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The host's connections, as the migrations use them: without a statement, lock or socket timeout.
 *
 * <p>A role's or database's default {@code statement_timeout} or {@code lock_timeout}, and a
 * pool's {@code socketTimeout}, suit a gateway's queries, not a migration: {@code CREATE INDEX
 * CONCURRENTLY} on a large ledger first waits for every transaction writing to the table, then
 * runs for minutes without sending a byte. Cancelled or cut off half-way, the non-transactional V2
 * is recorded as failed and blocks every later migration until the history is repaired. So each
 * connection is switched to no timeouts when handed out, and gets its own values back when closed:
 * a pooled connection returns to the host's pool as it came. The migration SQL itself stays
 * unchanged, since its checksums are recorded in every installed history.
 */
final class MigrationConnections implements DataSource {

    private static final String READ_TIMEOUTS =
            "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')";
    private static final String SET_TIMEOUTS =
            "SELECT set_config('statement_timeout', ?, false), set_config('lock_timeout', ?, false)";
    private static final String NO_TIMEOUT = "0";

    private final DataSource host;

    MigrationConnections(DataSource host) {
        this.host = host;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return withoutTimeouts(host.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return withoutTimeouts(host.getConnection(username, password));
    }

    private static Connection withoutTimeouts(Connection connection) throws SQLException {
        String statementTimeout;
        String lockTimeout;
        int socketTimeoutMillis;
        try {
            try (PreparedStatement read = connection.prepareStatement(READ_TIMEOUTS);
                    ResultSet settings = read.executeQuery()) {
                settings.next();
                statementTimeout = settings.getString(1);
                lockTimeout = settings.getString(2);
            }
            socketTimeoutMillis = connection.getNetworkTimeout();
            setTimeouts(connection, NO_TIMEOUT, NO_TIMEOUT, 0);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            restoreAndClose(connection, statementTimeout, lockTimeout, socketTimeoutMillis);
                            return null;
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        default -> {
                            // delegated below
                        }
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void restoreAndClose(
            Connection connection, String statementTimeout, String lockTimeout, int socketTimeoutMillis)
            throws SQLException {
        try {
            if (!connection.isClosed()) {
                setTimeouts(connection, statementTimeout, lockTimeout, socketTimeoutMillis);
            }
        } finally {
            connection.close();
        }
    }

    /**
     * Session-level settings, committed at once on a connection outside auto-commit so that a
     * pool's rollback on return cannot undo them, and the driver's socket timeout.
     */
    private static void setTimeouts(
            Connection connection, String statementTimeout, String lockTimeout, int socketTimeoutMillis)
            throws SQLException {
        try (PreparedStatement set = connection.prepareStatement(SET_TIMEOUTS)) {
            set.setString(1, statementTimeout);
            set.setString(2, lockTimeout);
            set.execute();
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        connection.setNetworkTimeout(Runnable::run, socketTimeoutMillis);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return host.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        host.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        host.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return host.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return host.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return host.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return host.isWrapperFor(type);
    }
}
