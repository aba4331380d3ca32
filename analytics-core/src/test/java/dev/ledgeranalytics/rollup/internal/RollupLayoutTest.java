package dev.ledgeranalytics.rollup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.internal.CostBuckets;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The Java description of the rollup tables, from which every read and every upkeep statement is
 * derived, says exactly what the migrations created: the same columns with the same types, and the
 * grain, bucket start and dimensions as the primary key. A metric added to one and not the other
 * fails here.
 */
@AnalyticsDatabase
class RollupLayoutTest {

    private final DataSource dataSource;

    RollupLayoutTest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Test
    void everyRollupTableHasTheColumnsAndKeyItsDescriptionSays() throws SQLException {
        for (RollupTable table : RollupTable.ALL) {
            assertThat(catalogColumns(table.getName()))
                    .as(table.getName())
                    .containsExactlyInAnyOrderElementsOf(described(table));
            List<String> key = new ArrayList<>(List.of("grain", "bucket_start"));
            table.dimensions.forEach(dimension -> key.add(dimension.column()));
            assertThat(primaryKey(table.getName())).as(table.getName()).containsExactlyElementsOf(key);
        }
    }

    @Test
    void theStateChangeLogAndCostBucketTablesHaveTheColumnsTheLibraryReads() throws SQLException {
        for (Table<?> table : List.of(StateTable.TABLE, ChangeLog.TABLE, CostBuckets.TABLE)) {
            assertThat(catalogColumns(table.getName())).as(table.getName()).containsAll(described(table));
        }
    }

    @Test
    void theNewRowsTableCopiesEveryLedgerColumnTheRollupsReadWithTheLedgersTypes() throws SQLException {
        assertThat(catalogColumns(NewRows.TABLE.getName()))
                .containsExactlyInAnyOrderElementsOf(described(NewRows.TABLE));
        List<String> ledger = catalogColumns("token_usage_ledger");
        assertThat(ledger).containsAll(described(NewRows.TABLE));
        // Adding the copied rows builds every table's upsert from them: a column a metric or
        // dimension reads that is not copied fails here.
        assertThat(RollupUpkeep.addNewRows(DSL.using(SQLDialect.POSTGRES))).hasSize(RollupTable.ALL.size() + 1);
    }

    private static List<String> described(Table<?> table) {
        List<String> columns = new ArrayList<>();
        for (Field<?> field : table.fields()) {
            columns.add(field.getName() + " " + pgType(field.getDataType()));
        }
        return columns;
    }

    /** The type as PostgreSQL's format_type() writes it, without the schema. */
    private static String pgType(DataType<?> type) {
        if (type.isEnum()) {
            return "request_status";
        }
        if (type.getType() == Instant.class) {
            return "timestamp with time zone";
        }
        return switch (type.getTypeName()) {
            case "varchar" -> type.length() > 0 ? "character varying(" + type.length() + ")" : "text";
            case "numeric" ->
                type.precision() > 0 ? "numeric(" + type.precision() + "," + type.scale() + ")" : "numeric";
            default -> type.getTypeName();
        };
    }

    private List<String> catalogColumns(String table) throws SQLException {
        return strings("""
                SELECT a.attname || ' ' || replace(format_type(a.atttypid, a.atttypmod), 'analytics.', '')
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'analytics' AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""", table);
    }

    private List<String> primaryKey(String table) throws SQLException {
        return strings("""
                SELECT a.attname
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE n.nspname = 'analytics' AND c.relname = ? AND i.indisprimary
                ORDER BY k.position""", table);
    }

    private List<String> strings(String sql, String parameter) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }
}
