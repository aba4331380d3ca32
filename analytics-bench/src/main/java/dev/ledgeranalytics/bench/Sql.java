package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The few JDBC calls the benchmark makes to prepare and inspect its databases. */
final class Sql {

    private Sql() {}

    static void update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of every row, as text; {@code parameters} bind to the {@code ?} in order. */
    static List<String> strings(Connection connection, String sql, String... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    /** The first column of the only row, as a number. */
    static long number(Connection connection, String sql, String... parameters) throws SQLException {
        return Long.parseLong(strings(connection, sql, parameters).get(0));
    }

    /**
     * Where the WAL ends now, for {@link #walSince}: its insert position, since with
     * {@code synchronous_commit=off} what is written to disk lags what was inserted.
     */
    static String walPosition(Connection connection) throws SQLException {
        return strings(connection, "SELECT pg_current_wal_insert_lsn()::text").get(0);
    }

    /** Bytes of WAL inserted, by every session, since {@code position}. */
    static long walSince(Connection connection, String position) throws SQLException {
        return number(connection, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ?::pg_lsn)::bigint", position);
    }
}
