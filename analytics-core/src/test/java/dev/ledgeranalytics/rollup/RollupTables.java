package dev.ledgeranalytics.rollup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/** Reads the rollup tables directly, to check what they hold rather than what queries answer. */
final class RollupTables {

    /** The tables holding sums, each with its key columns. */
    static final List<String> SUMS = List.of(
            "rollup_status ORDER BY grain, bucket_start, status",
            "rollup_provider ORDER BY grain, bucket_start, status, provider_id",
            "rollup_dims ORDER BY grain, bucket_start, status, provider_id, model_id, user_tier, request_type",
            "rollup_costs ORDER BY grain, bucket_start, status, cost_bucket",
            "rollup_users ORDER BY grain, bucket_start, status, user_id");

    private final DataSource dataSource;

    RollupTables(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every row of every sums table as text, in key order, numbers with their scale. */
    String contents() {
        StringBuilder contents = new StringBuilder();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            for (String table : SUMS) {
                contents.append(table, 0, table.indexOf(' ')).append('\n');
                try (ResultSet rows =
                        statement.executeQuery("SELECT r::text FROM analytics." + table.replaceFirst(" ", " r "))) {
                    while (rows.next()) {
                        contents.append(rows.getString(1)).append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return contents.toString();
    }

    /** The rows of every sums table, of the change log and of the new rows no refresh has added. */
    long rows() {
        return scalar(
                "SELECT (SELECT count(*) FROM analytics.rollup_status) + (SELECT count(*) FROM analytics.rollup_provider)"
                        + " + (SELECT count(*) FROM analytics.rollup_dims) + (SELECT count(*) FROM analytics.rollup_costs)"
                        + " + (SELECT count(*) FROM analytics.rollup_users) + (SELECT count(*) FROM analytics.rollup_changes)"
                        + " + (SELECT count(*) FROM analytics.rollup_new_rows)");
    }

    /** The one number a query returns, 0 for NULL. */
    long scalar(String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
