package dev.ledgeranalytics.migration.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal API. Where each table of a migrated schema lives on a Citus cluster, and the statements
 * that put it there.
 *
 * <p>The ledger is distributed by {@code user_id}: every write carries it, the per-user rollup
 * ({@code rollup_users}) is co-located with it so that building it never moves rows between
 * nodes, and the user breakdown groups by it, so each worker aggregates its own users whole. A
 * time range cannot prune hash shards: every query over a range reads every shard, each through its
 * own indexes (and its own monthly partitions in the partitioned layout). Citus requires every
 * unique key of a distributed table to contain the distribution column, so the ledger's keys gain
 * {@code user_id}: a request id is then unique per user (and, partitioned, per instant), no longer
 * across users.
 *
 * <p>The rollups' change log and the copies of new rows are written by the ledger's row triggers
 * on the workers, so they are distributed the same way, each row beside the ledger row it records
 * ({@link #DISTRIBUTED}). Every other table is small and read in the same statements as the ledger
 * or the rollups, so it becomes a reference table, a copy on every node ({@link #REFERENCE}). The
 * migration history stays a plain table on the coordinator, where the migrations run.
 */
public final class CitusLayout {

    /** The ledger's distribution column. */
    public static final String DISTRIBUTION_COLUMN = "user_id";

    /** The rollups' change log, which gains the distribution column on Citus. */
    private static final String CHANGE_LOG = "rollup_changes";

    /**
     * The tables distributed by {@link #DISTRIBUTION_COLUMN}, co-located with the ledger: the
     * per-user rollup, and the change log and copies of new rows that the ledger's row triggers
     * write on the workers, each beside the row it records (a trigger running on a shard can write
     * to a co-located shard, and to nothing else).
     */
    public static final List<String> DISTRIBUTED =
            List.of(LedgerLayout.LEDGER, "rollup_users", CHANGE_LOG, "rollup_new_rows");

    /** The tables copied to every node. */
    public static final List<String> REFERENCE = List.of(
            "providers",
            "rollup_state",
            "rollup_cost_buckets",
            "rollup_status",
            "rollup_provider",
            "rollup_dims",
            "rollup_costs");

    /** The Flyway history table, left where it is (named here to avoid a dependency on Flyway's class). */
    private static final String HISTORY = "analytics_schema_history";

    private CitusLayout() {}

    /** Whether {@code connection}'s database has the {@code citus} extension. */
    public static boolean isCitus(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row =
                        statement.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /** Whether the ledger of {@code schema} is a distributed table of Citus. */
    public static boolean isDistributed(Connection connection, String schema) throws SQLException {
        if (!isCitus(connection)) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = "
                        + "to_regclass(quote_ident(?) || '." + LedgerLayout.LEDGER + "'))")) {
            statement.setString(1, schema);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    /**
     * The tables of {@code schema} (partitions aside) that this layout does not place: a table a
     * later migration added without saying where it lives on Citus.
     */
    public static List<String> unplaced(Connection connection, String schema) throws SQLException {
        List<String> unplaced = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = to_regnamespace(quote_ident(?)) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                ORDER BY c.relname""")) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String table = rows.getString(1);
                    if (!DISTRIBUTED.contains(table) && !REFERENCE.contains(table) && !table.equals(HISTORY)) {
                        unplaced.add(table);
                    }
                }
            }
        }
        return unplaced;
    }

    /**
     * The statements that distribute a migrated, never distributed {@code schema}, to run in one
     * transaction on the coordinator, with {@code search_path} set to the schema.
     *
     * <p>The foreign key to {@code providers} is dropped first and added again last: with it in
     * place, making {@code providers} a reference table would turn the ledger into a Citus local
     * table, whose keys and partitions can no longer be changed freely. Citus needs one connection
     * per node for the whole transaction once a distributed table references a reference table,
     * hence the sequential mode.
     *
     * @param partitioned whether the ledger is range-partitioned by {@code created_at}
     * @param triggers    the ledger's rollup triggers, dropped: Citus distributes no table with triggers
     */
    public static List<String> distribution(boolean partitioned, List<String> triggers) {
        List<String> statements = new ArrayList<>();
        statements.add("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
        String ledger = LedgerLayout.LEDGER;
        for (String trigger : triggers) {
            statements.add("DROP TRIGGER " + trigger + " ON " + ledger);
        }
        String timeKey = partitioned ? ", created_at" : "";
        statements.add("ALTER TABLE " + ledger + " DROP CONSTRAINT " + LedgerLayout.PROVIDER_KEY);
        statements.add("ALTER TABLE " + ledger + " DROP CONSTRAINT " + LedgerLayout.PRIMARY_KEY);
        statements.add("ALTER TABLE " + ledger + " ADD CONSTRAINT " + LedgerLayout.PRIMARY_KEY + " PRIMARY KEY (id"
                + timeKey + ", " + DISTRIBUTION_COLUMN + ")");
        statements.add("ALTER TABLE " + ledger + " DROP CONSTRAINT " + LedgerLayout.REQUEST_ID_KEY);
        statements.add("ALTER TABLE " + ledger + " ADD CONSTRAINT " + LedgerLayout.REQUEST_ID_KEY
                + " UNIQUE (request_id" + timeKey + ", " + DISTRIBUTION_COLUMN + ")");
        for (String table : REFERENCE) {
            statements.add("SELECT create_reference_table('" + table + "')");
        }
        // Empty: the rollups are not built (checked), and disabling them empties it.
        statements.add("ALTER TABLE " + CHANGE_LOG + " ADD COLUMN " + DISTRIBUTION_COLUMN + " uuid NOT NULL");
        statements.add("SELECT create_distributed_table('" + ledger + "', '" + DISTRIBUTION_COLUMN + "')");
        for (String table : DISTRIBUTED.subList(1, DISTRIBUTED.size())) {
            statements.add("SELECT create_distributed_table('" + table + "', '" + DISTRIBUTION_COLUMN
                    + "', colocate_with => '" + ledger + "')");
        }
        statements.add("ALTER TABLE " + ledger + " ADD CONSTRAINT " + LedgerLayout.PROVIDER_KEY
                + " FOREIGN KEY (provider_id) REFERENCES providers (id)");
        // Distributing copies a table's rows to its shards and leaves them in the coordinator's own
        // table too, where no query reads them again: a second copy of the ledger on the
        // coordinator's disk.
        for (String table : DISTRIBUTED) {
            statements.add("SELECT truncate_local_data_after_distributing_table('" + table + "')");
        }
        for (String table : REFERENCE) {
            statements.add("SELECT truncate_local_data_after_distributing_table('" + table + "')");
        }
        return statements;
    }
}
