package dev.ledgeranalytics.migration;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What decides how a migrated schema is distributed over Citus, read before anything changes.
 *
 * @param partitioned    whether the ledger is range-partitioned by {@code created_at}
 * @param rollupsBuilt   whether the rollups are built (their triggers then maintain them)
 * @param rollupTriggers the library's rollup triggers on the ledger, enabled or not
 * @param otherTriggers  any other trigger on the ledger: the host's
 */
record DistributionCheck(
        boolean partitioned, boolean rollupsBuilt, List<String> rollupTriggers, List<String> otherTriggers) {

    /** The library names its ledger triggers {@code rollup_after_<event>}. */
    private static final String ROLLUP_TRIGGER_PREFIX = "rollup_after_";

    static DistributionCheck read(Connection connection, String schema) throws SQLException {
        String ledger = schema + "." + LedgerLayout.LEDGER;
        boolean partitioned;
        List<String> rollupTriggers = new ArrayList<>();
        List<String> otherTriggers = new ArrayList<>();
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT c.relkind = 'p', t.tgname FROM pg_class c "
                        + "LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal "
                        + "WHERE c.oid = ?::regclass ORDER BY t.tgname")) {
            statement.setString(1, ledger);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                partitioned = rows.getBoolean(1);
                do {
                    String trigger = rows.getString(2);
                    if (trigger != null) {
                        (trigger.startsWith(ROLLUP_TRIGGER_PREFIX) ? rollupTriggers : otherTriggers).add(trigger);
                    }
                } while (rows.next());
            }
        }
        boolean rollupsBuilt;
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT EXISTS (SELECT 1 FROM " + schema + ".rollup_state WHERE built_at IS NOT NULL)")) {
            row.next();
            rollupsBuilt = row.getBoolean(1);
        }
        return new DistributionCheck(
                partitioned, rollupsBuilt, List.copyOf(rollupTriggers), List.copyOf(otherTriggers));
    }
}
