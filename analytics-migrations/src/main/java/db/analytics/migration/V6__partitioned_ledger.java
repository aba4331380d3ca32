package db.analytics.migration;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions an empty ledger by month of {@code created_at} (see {@link LedgerLayout}): every new
 * install is partitioned. A ledger that already holds rows stays as it is, since rewriting it here
 * would block the host's writes for as long as the copy takes; {@code analytics partitions
 * convert} converts it online (docs/partitioning.md). A Java migration, so that the layout is
 * defined once, for this migration and the library's partition maintenance alike.
 */
public class V6__partitioned_ledger extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(V6__partitioned_ledger.class);

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        String schema;
        boolean holdsRows;
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT current_schema(), EXISTS (SELECT 1 FROM " + LedgerLayout.LEDGER + ")")) {
            row.next();
            schema = row.getString(1);
            holdsRows = row.getBoolean(2);
        }
        if (holdsRows) {
            LOG.info(
                    "The ledger in schema {} holds rows: it stays unpartitioned; convert it online with "
                            + "`analytics partitions convert` (docs/partitioning.md)",
                    schema);
            return;
        }
        LedgerLayout.partitionEmptyLedger(connection, schema, YearMonth.now(ZoneOffset.UTC));
        try (Statement statement = connection.createStatement()) {
            // Rollups of an empty ledger are empty; building them again installs their triggers on the new table.
            statement.execute("UPDATE rollup_state SET built_at = NULL, refreshed_at = NULL");
        }
    }
}
