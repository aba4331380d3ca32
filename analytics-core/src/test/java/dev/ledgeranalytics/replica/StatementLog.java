package dev.ledgeranalytics.replica;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Notes the text of every SQL statement sent through a data source: each one prepared, and each
 * one executed on a plain statement. The driver's own transaction control ({@code BEGIN},
 * {@code COMMIT}, the isolation level and read-only mode it sets on request) is not noted.
 */
final class StatementLog {

    private static final Set<String> SENDING = Set.of(
            "prepareStatement",
            "prepareCall",
            "execute",
            "executeQuery",
            "executeUpdate",
            "executeLargeUpdate",
            "addBatch");

    private final List<String> statements = new CopyOnWriteArrayList<>();

    /** Every statement sent so far, in order. */
    List<String> statements() {
        return List.copyOf(statements);
    }

    /** {@code target}, noting every statement sent through the connections it gives. */
    DataSource around(DataSource target) {
        return proxy(
                DataSource.class,
                target,
                connection -> connection instanceof Connection
                        ? proxy(
                                Connection.class,
                                (Connection) connection,
                                statement ->
                                        // A prepared statement's text was noted when it was prepared.
                                        statement instanceof Statement && !(statement instanceof PreparedStatement)
                                                ? proxy(
                                                        Statement.class,
                                                        (Statement) statement,
                                                        UnaryOperator.identity())
                                                : statement)
                        : connection);
    }

    /**
     * A proxy of {@code target} that notes the SQL text of every sending call before passing it
     * on, and gives the result of every call to {@code wrap}.
     */
    private <T> T proxy(Class<T> type, T target, UnaryOperator<Object> wrap) {
        return type.cast(Proxy.newProxyInstance(
                StatementLog.class.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
                    note(method, args);
                    try {
                        return wrap.apply(method.invoke(target, args));
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    private void note(Method method, Object[] args) {
        if (SENDING.contains(method.getName()) && args != null && args.length > 0 && args[0] instanceof String sql) {
            statements.add(sql);
        }
    }
}
