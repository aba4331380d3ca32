package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * What a load run checks once its writers have stopped: that the rollups answer exactly as the
 * ledger does, and that every row the writers inserted is in the ledger once and counted once in
 * every rollup table and grain.
 */
final class LoadChecks {

    /**
     * The dashboard's answers through the rollups against the ledger's own.
     *
     * @param compared    answers compared
     * @param differences what differed, one line each
     */
    record Answers(int compared, List<String> differences) {

        /** As the reports print it: {@code 15 of 15 equal}, with what differed in parentheses. */
        @Override
        public String toString() {
            return (compared - differences.size()) + " of " + compared + " equal"
                    + (differences.isEmpty() ? "" : " (" + String.join("; ", differences) + ")");
        }
    }

    /**
     * The ledger's rows against what was written.
     *
     * @param expected          seeded rows plus every row the writers saw committed
     * @param inLedger          rows in the ledger
     * @param writersMiscounted writers whose rows in the ledger (by their {@code api_key_id}) are
     *                          not exactly those they inserted
     */
    record Rows(long expected, long inLedger, int writersMiscounted) {}

    /**
     * The rollups' request counts against the ledger's, per bucket and status, in every table
     * and grain.
     *
     * @param tableGrains each table and grain compared
     * @param buckets     buckets compared in all
     * @param differing   per table and grain that differs, how many of its buckets do
     */
    record Counts(int tableGrains, long buckets, Map<String, Long> differing) {}

    /**
     * The tables and grains, as docs/rollups.md lists them, with the start of each grain's
     * bucket holding a quarter hour {@code q}, cut in UTC as the rollups cut them.
     */
    private static final Map<String, int[]> GRAINS = Map.of(
            "rollup_status", new int[] {1, 2, 3},
            "rollup_provider", new int[] {2, 3},
            "rollup_dims", new int[] {2, 3},
            "rollup_costs", new int[] {3, 4, 5},
            "rollup_users", new int[] {3, 4, 5});

    private static final String[] BUCKETS = {
        null,
        "q",
        "date_bin('1 hour', q, timestamptz '2000-01-01 00:00:00+00')",
        "date_bin('1 day', q, timestamptz '2000-01-01 00:00:00+00')",
        "date_bin('7 days', q, timestamptz '2000-01-03 00:00:00+00')",
        "(date_trunc('month', q AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    };

    private final DataSource dataSource;

    LoadChecks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every query over every range ending at {@code to}, through the rollups and from the ledger alone. */
    Answers answers(List<QueryRange> ranges, Instant to) {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        try (Connection connection = dataSource.getConnection()) {
            AnalyticsQueries viaRollups = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                    .withSchema(BenchLedger.INDEXED);
            AnalyticsQueries raw = viaRollups.withRawReads();
            for (QueryRange range : ranges) {
                LedgerFilter filter = LedgerFilter.between(to.minus(range.duration()), to);
                for (DashboardQuery query : DashboardQuery.values()) {
                    compared++;
                    AnswerDifference.between(query.run(viaRollups, filter), query.run(raw, filter))
                            .ifPresent(difference ->
                                    differences.add(query.method() + " over " + range + ": " + difference));
                }
            }
        } catch (SQLException e) {
            throw new AnalyticsException("Comparing the answers failed", e);
        }
        return new Answers(compared, differences);
    }

    /** The ledger's rows, and each writer's, against the seeded rows and what each writer inserted. */
    Rows rows(long seeded, Map<UUID, Long> insertedByWriter) {
        try (Connection connection = dataSource.getConnection()) {
            long inLedger;
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(
                            "SELECT count(*) FROM " + BenchLedger.INDEXED + ".token_usage_ledger")) {
                rs.next();
                inLedger = rs.getLong(1);
            }
            Map<UUID, Long> found = new LinkedHashMap<>();
            try (PreparedStatement byKey = connection.prepareStatement("SELECT api_key_id, count(*) FROM "
                    + BenchLedger.INDEXED + ".token_usage_ledger WHERE api_key_id = ANY (?) GROUP BY api_key_id")) {
                byKey.setArray(
                        1,
                        connection.createArrayOf(
                                "uuid", insertedByWriter.keySet().toArray()));
                try (ResultSet rs = byKey.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getObject(1, UUID.class), rs.getLong(2));
                    }
                }
            }
            int miscounted = (int) insertedByWriter.entrySet().stream()
                    .filter(writer -> !writer.getValue().equals(found.getOrDefault(writer.getKey(), 0L)))
                    .count();
            long inserted = insertedByWriter.values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            return new Rows(seeded + inserted, inLedger, miscounted);
        } catch (SQLException e) {
            throw new AnalyticsException("Counting the ledger's rows failed", e);
        }
    }

    /**
     * Counts the ledger's rows per quarter hour and status once, and compares every rollup table's
     * requests per bucket and status with the sums of those counts.
     */
    Counts counts() {
        String schema = BenchLedger.INDEXED;
        long buckets = 0;
        int tableGrains = 0;
        Map<String, Long> differing = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE ledger_counts AS SELECT date_bin('15 minutes', created_at, "
                    + "timestamptz '2000-01-01 00:00:00+00') AS q, status::text AS status, count(*) AS requests FROM "
                    + schema + ".token_usage_ledger GROUP BY 1, 2");
            for (Map.Entry<String, int[]> table : new java.util.TreeMap<>(GRAINS).entrySet()) {
                for (int grain : table.getValue()) {
                    tableGrains++;
                    try (ResultSet rs = statement.executeQuery("WITH expected AS (SELECT " + BUCKETS[grain]
                            + " AS bucket_start, status, sum(requests) AS requests FROM ledger_counts GROUP BY 1, 2), "
                            + "actual AS (SELECT bucket_start, status::text AS status, sum(requests) AS requests FROM "
                            + schema + "." + table.getKey() + " WHERE grain = " + grain + " GROUP BY 1, 2) "
                            + "SELECT count(*), count(*) FILTER (WHERE coalesce(e.requests, 0) <> coalesce(a.requests, 0)) "
                            + "FROM expected e FULL JOIN actual a USING (bucket_start, status)")) {
                        rs.next();
                        buckets += rs.getLong(1);
                        if (rs.getLong(2) > 0) {
                            differing.put(table.getKey() + " grain " + grain, rs.getLong(2));
                        }
                    }
                }
            }
            statement.execute("DROP TABLE ledger_counts");
        } catch (SQLException e) {
            throw new AnalyticsException("Comparing the rollups' counts with the ledger failed", e);
        }
        return new Counts(tableGrains, buckets, differing);
    }
}
