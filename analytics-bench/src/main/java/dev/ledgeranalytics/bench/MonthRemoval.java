package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.partition.Retention;
import dev.ledgeranalytics.partition.RetentionResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.sql.DataSource;

/**
 * One month of raw rows removed: by {@link Retention} from a partitioned ledger (its partition
 * detached and dropped), or by a {@code DELETE} of the same rows from an unpartitioned one; with
 * the WAL it wrote, the footprint before and after, and the VACUUM that follows.
 *
 * @param month     the month removed
 * @param rows      its rows
 * @param seconds   wall time of the removal
 * @param walBytes  WAL written meanwhile, by every session (the rollups' upkeep included)
 * @param before    the ledger's footprint before
 * @param afterward its footprint after the removal and the VACUUM
 * @param vacuum    the VACUUM of the ledger after the removal
 */
record MonthRemoval(
        YearMonth month,
        long rows,
        double seconds,
        long walBytes,
        LedgerStorage before,
        LedgerStorage afterward,
        VacuumRun vacuum) {

    /**
     * Drops {@code month} with {@code Retention.keepMonths}: the months from the one after it to
     * the current one (by {@code clock}) are kept. Every earlier month must be gone already.
     *
     * @throws IllegalStateException if retention dropped anything else
     */
    static MonthRemoval drop(DataSource dataSource, String schema, Clock clock, YearMonth month) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            LedgerStorage before = LedgerTables.storage(connection, schema);
            int keep = (int) month.until(YearMonth.now(clock.withZone(ZoneOffset.UTC)), ChronoUnit.MONTHS);
            String wal = Sql.walPosition(connection);
            long start = System.nanoTime();
            RetentionResult result = Retention.create(dataSource)
                    .withSchema(schema)
                    .withClock(clock)
                    .keepMonths(keep);
            double seconds = (System.nanoTime() - start) / 1e9;
            long walBytes = Sql.walSince(connection, wal);
            if (!result.dropped().equals(List.of(LedgerLayout.partitionName(month)))) {
                throw new IllegalStateException("Retention.keepMonths(" + keep + ") was to drop " + month
                        + " alone, but dropped " + result.dropped());
            }
            VacuumRun vacuum = VacuumRun.of(connection, "", LedgerTables.ledger(schema));
            return new MonthRemoval(
                    month,
                    result.rowsDropped(),
                    seconds,
                    walBytes,
                    before,
                    LedgerTables.storage(connection, schema),
                    vacuum);
        }
    }

    /** Deletes the rows of {@code month} in one statement, then VACUUMs the ledger. */
    static MonthRemoval delete(DataSource dataSource, String schema, YearMonth month) throws SQLException {
        String ledger = LedgerTables.ledger(schema);
        try (Connection connection = dataSource.getConnection()) {
            LedgerStorage before = LedgerTables.storage(connection, schema);
            String wal = Sql.walPosition(connection);
            long start = System.nanoTime();
            long rows = Sql.number(
                    connection,
                    "WITH deleted AS (DELETE FROM " + ledger
                            + " WHERE created_at >= ?::timestamptz AND created_at < ?::timestamptz RETURNING 1)"
                            + " SELECT count(*) FROM deleted",
                    month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString(),
                    month.plusMonths(1)
                            .atDay(1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant()
                            .toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            long walBytes = Sql.walSince(connection, wal);
            VacuumRun vacuum = VacuumRun.of(connection, "", ledger);
            return new MonthRemoval(
                    month, rows, seconds, walBytes, before, LedgerTables.storage(connection, schema), vacuum);
        }
    }
}
