package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What VACUUM costs on one table that holds ledger rows: the whole unpartitioned ledger, or one
 * month's partition. Each run vacuums the table reading every page ({@code DISABLE_PAGE_SKIPPING},
 * as an aggressive, anti-wraparound VACUUM does), then updates a day's rows and vacuums again with
 * index cleanup forced.
 *
 * <p>Forced, because by default VACUUM skips the indexes while fewer than 2 % of the pages hold
 * dead rows, which a day of updates stays under in a year's table but not in a month's. With the
 * dead entries removed, every index is read from end to end: that pass is what grows with the table.
 *
 * @param table       the table vacuumed
 * @param rows        its rows
 * @param fullPass    VACUUM (DISABLE_PAGE_SKIPPING), one per run
 * @param updatedRows rows each run updated before {@code afterUpdate}
 * @param afterUpdate VACUUM (INDEX_CLEANUP ON) after the update, one per run
 */
record VacuumCosts(String table, long rows, List<VacuumRun> fullPass, long updatedRows, List<VacuumRun> afterUpdate) {

    VacuumCosts {
        fullPass = List.copyOf(fullPass);
        afterUpdate = List.copyOf(afterUpdate);
    }

    /**
     * Measures {@code table} in {@code runs} runs, updating the rows of {@code [from, to)} through
     * the ledger of {@code schema} (so that its triggers fire, as for a gateway's update) in each.
     */
    static VacuumCosts measure(DataSource dataSource, String schema, String table, Instant from, Instant to, int runs)
            throws SQLException {
        List<VacuumRun> fullPass = new ArrayList<>();
        List<VacuumRun> afterUpdate = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            long rows = Sql.number(connection, "SELECT count(*) FROM " + table);
            long updated = 0;
            for (int run = 0; run < runs; run++) {
                fullPass.add(VacuumRun.of(connection, "DISABLE_PAGE_SKIPPING", table));
                // latency_ms + 1 keeps every check; a NULL stays NULL, and the row gets a new version all the same.
                updated = Sql.number(
                        connection,
                        "WITH updated AS (UPDATE " + LedgerTables.ledger(schema) + " SET latency_ms = latency_ms + 1"
                                + " WHERE created_at >= ?::timestamptz AND created_at < ?::timestamptz RETURNING 1)"
                                + " SELECT count(*) FROM updated",
                        from.toString(),
                        to.toString());
                afterUpdate.add(VacuumRun.of(connection, "INDEX_CLEANUP ON", table));
            }
            return new VacuumCosts(table, rows, fullPass, updated, afterUpdate);
        }
    }
}
