package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The rollups' costs on the seeded ledger: building them, their size, what each way of keeping
 * them current adds to inserts, and what a refresh of new rows costs. Runs after the queries are
 * timed, since it adds rows to the ledger.
 */
final class RollupMaintenance {

    /** Rows per bulk load (the seeder's COPY), and the unit the refresh cost is stated in. */
    static final int BULK_ROWS = 100_000;
    /** Single-row INSERT statements per series, each in its own transaction, as a gateway writes. */
    static final int SINGLE_ROWS = 2_000;
    /** Series of single-row inserts per mode. */
    static final int ROUNDS = 3;

    static final List<String> TABLES = List.of(
            "rollup_status",
            "rollup_provider",
            "rollup_dims",
            "rollup_costs",
            "rollup_users",
            "rollup_changes",
            "rollup_new_rows");

    private final DataSource dataSource;
    private final Rollups rollups;
    private final Instant end;
    private long inserted;

    RollupMaintenance(DataSource dataSource, Instant end) {
        this.dataSource = dataSource;
        this.rollups = Rollups.create(dataSource).withSchema(BenchLedger.INDEXED);
        this.end = end;
    }

    /** Builds the rollups from the whole seeded ledger. */
    RefreshResult build() {
        return rollups.rebuild();
    }

    /** Bytes of each rollup table with its indexes. */
    Map<String, Long> sizes() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement size = connection.prepareStatement("SELECT pg_total_relation_size(?::regclass)")) {
            for (String table : TABLES) {
                size.setString(1, BenchLedger.INDEXED + "." + table);
                try (ResultSet rs = size.executeQuery()) {
                    rs.next();
                    sizes.put(table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new AnalyticsException("Measuring the rollup tables failed", e);
        }
        return sizes;
    }

    /**
     * Insert overhead per mode and the cost of refreshing {@value #BULK_ROWS} new rows. The
     * single-row series run in {@value #ROUNDS} rounds, the three modes in turn in each, and each
     * mode's figure is its median round: whatever the cache or the checkpointer does during one
     * series then does not land on one mode alone.
     */
    Costs measure() {
        Map<Writes, double[]> single = new EnumMap<>(Writes.class);
        for (int round = 0; round < ROUNDS; round++) {
            for (Writes writes : Writes.values()) {
                writes(writes);
                single.computeIfAbsent(writes, w -> new double[ROUNDS])[round] = singleRowInserts();
            }
        }
        writes(Writes.NONE);
        Duration bulkNone = bulkLoad(BenchLedger.SEED + 1);
        writes(Writes.REFRESH);
        rollups.refresh();
        Duration bulkRefresh = bulkLoad(BenchLedger.SEED + 2);
        RefreshResult refresh = rollups.refresh();
        writes(Writes.TRIGGER);
        Duration bulkTrigger = bulkLoad(BenchLedger.SEED + 3);
        writes(Writes.REFRESH);
        return new Costs(
                median(single.get(Writes.NONE)),
                median(single.get(Writes.REFRESH)),
                median(single.get(Writes.TRIGGER)),
                bulkNone,
                bulkRefresh,
                bulkTrigger,
                refresh);
    }

    /** How inserts reach the rollups during a series. */
    private enum Writes {
        /** The insert trigger disabled: the ledger as without rollups. */
        NONE,
        REFRESH,
        TRIGGER
    }

    /**
     * Switches the insert trigger and the mode directly, so that the series of each mode run on
     * the same ledger and rollups; the rows written without the trigger are not in the rollups,
     * which is of no matter here, as no query runs after.
     */
    private void writes(Writes writes) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + BenchLedger.INDEXED + ".token_usage_ledger "
                    + (writes == Writes.NONE ? "DISABLE" : "ENABLE") + " TRIGGER rollup_after_insert");
        } catch (SQLException e) {
            throw new AnalyticsException("Switching the rollup insert trigger failed", e);
        }
        if (writes != Writes.NONE) {
            rollups.mode(writes == Writes.TRIGGER ? RollupMode.TRIGGER : RollupMode.REFRESH);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Mean microseconds per single-row INSERT, each committed on its own, over the last day. */
    private double singleRowInserts() {
        long offset = inserted;
        inserted += SINGLE_ROWS;
        String sql = "INSERT INTO " + BenchLedger.INDEXED
                + ".token_usage_ledger (request_id, created_at, status, provider_id, "
                + "model_id, user_id, user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens, "
                + "output_tokens, margin_multiplier) VALUES (?, ?, 'success', (SELECT id FROM " + BenchLedger.INDEXED
                + ".providers WHERE slug = 'openai'), 'gpt-4o', ?, 'pro', 'chat', 0.00125000, 0.00100000, 2, 300, 50, 1.80)";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            long start = System.nanoTime();
            for (int i = 0; i < SINGLE_ROWS; i++) {
                insert.setObject(1, UUID.randomUUID());
                insert.setObject(
                        2, end.minusSeconds((37L * (offset + i)) % 86_400 + 1).atOffset(ZoneOffset.UTC));
                insert.setObject(3, new UUID(0, i % 500));
                insert.executeUpdate();
            }
            return (System.nanoTime() - start) / 1e3 / SINGLE_ROWS;
        } catch (SQLException e) {
            throw new AnalyticsException("Inserting single rows failed", e);
        }
    }

    /** The seeder's COPY of {@value #BULK_ROWS} rows over the last day, indexes maintained. */
    private Duration bulkLoad(long seed) {
        return LedgerSeeder.into(dataSource)
                .rows(BULK_ROWS)
                .between(end.minus(Duration.ofDays(1)), end)
                .users(LedgerSize.MIN_USERS)
                .seed(seed)
                .load()
                .elapsed();
    }

    /**
     * What keeping the rollups current costs.
     *
     * @param singleNone    µs per single-row insert without rollups (median of the rounds)
     * @param singleRefresh the same in refresh mode (the change log)
     * @param singleTrigger the same in trigger mode (rollups updated in the insert's transaction)
     * @param bulkNone      a bulk load without rollups
     * @param bulkRefresh   the same in refresh mode
     * @param bulkTrigger   the same in trigger mode
     * @param refresh       the refresh after the refresh-mode bulk load
     */
    record Costs(
            double singleNone,
            double singleRefresh,
            double singleTrigger,
            Duration bulkNone,
            Duration bulkRefresh,
            Duration bulkTrigger,
            RefreshResult refresh) {}
}
