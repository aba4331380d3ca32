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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    /** Single-row INSERT statements per mode, each in its own transaction, as a gateway writes. */
    static final int SINGLE_ROWS = 2_000;
    static final List<String> TABLES = List.of("rollup_status", "rollup_provider", "rollup_dims", "rollup_costs", "rollup_users",
            "rollup_changes");

    private final DataSource dataSource;
    private final Rollups rollups;
    private final Instant end;

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

    /** Insert overhead per mode and the cost of refreshing {@value #BULK_ROWS} new rows. */
    Costs measure() {
        double singleRefresh = singleRowInserts();
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        double singleTrigger = singleRowInserts();
        rollups.mode(RollupMode.REFRESH);
        rollups.refresh();

        Duration bulkRefresh = bulkLoad(BenchLedger.SEED + 1);
        RefreshResult refresh = rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        Duration bulkTrigger = bulkLoad(BenchLedger.SEED + 2);
        rollups.mode(RollupMode.REFRESH);

        rollups.disable();
        double singleNone = singleRowInserts();
        Duration bulkNone = bulkLoad(BenchLedger.SEED + 3);
        return new Costs(singleNone, singleRefresh, singleTrigger, bulkNone, bulkRefresh, bulkTrigger, refresh);
    }

    /** Mean microseconds per single-row INSERT, each committed on its own, over the last day. */
    private double singleRowInserts() {
        String sql = "INSERT INTO " + BenchLedger.INDEXED + ".token_usage_ledger (request_id, created_at, status, provider_id, "
                + "model_id, user_id, user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens, "
                + "output_tokens, margin_multiplier) VALUES (?, ?, 'success', (SELECT id FROM " + BenchLedger.INDEXED
                + ".providers WHERE slug = 'openai'), 'gpt-4o', ?, 'pro', 'chat', 0.00125000, 0.00100000, 2, 300, 50, 1.80)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(sql)) {
            long start = System.nanoTime();
            for (int i = 0; i < SINGLE_ROWS; i++) {
                insert.setObject(1, UUID.randomUUID());
                insert.setObject(2, end.minusSeconds(37L * i + 1).atOffset(ZoneOffset.UTC));
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
        return LedgerSeeder.into(dataSource).rows(BULK_ROWS).between(end.minus(Duration.ofDays(1)), end)
                .users(BenchLedger.USERS).seed(seed).load().elapsed();
    }

    /**
     * What keeping the rollups current costs.
     *
     * @param singleNone    µs per single-row insert without rollups
     * @param singleRefresh the same in refresh mode (the change log)
     * @param singleTrigger the same in trigger mode (rollups updated in the insert's transaction)
     * @param bulkNone      a bulk load without rollups
     * @param bulkRefresh   the same in refresh mode
     * @param bulkTrigger   the same in trigger mode
     * @param refresh       the refresh after the refresh-mode bulk load
     */
    record Costs(double singleNone, double singleRefresh, double singleTrigger, Duration bulkNone, Duration bulkRefresh,
                 Duration bulkTrigger, RefreshResult refresh) {
    }
}
