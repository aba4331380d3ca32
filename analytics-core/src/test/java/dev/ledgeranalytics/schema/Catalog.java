package dev.ledgeranalytics.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Reads what PostgreSQL's catalog says about a schema, independently of jOOQ. */
final class Catalog {

    /** A column as the catalog describes it; {@code type} is formatted like {@code numeric(10,8)}. */
    record Column(String name, String type, boolean nullable) {}

    /** An index as the catalog describes it. */
    record Index(
            String name,
            List<String> keys,
            List<String> include,
            String predicate,
            boolean unique,
            boolean primary,
            boolean valid) {}

    private final DataSource dataSource;
    private final String schema;

    Catalog(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    DataSource dataSource() {
        return dataSource;
    }

    String schema() {
        return schema;
    }

    List<String> tables() {
        return query("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname""", rs -> rs.getString(1));
    }

    List<Column> columns(String table) {
        return query("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""", rs -> new Column(rs.getString(1), unqualified(rs.getString(2)), rs.getBoolean(3)), table);
    }

    List<String> enumValues(String type) {
        return query("""
                SELECT e.enumlabel FROM pg_enum e
                JOIN pg_type t ON t.oid = e.enumtypid
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = ? AND t.typname = ? ORDER BY e.enumsortorder""", rs -> rs.getString(1), type);
    }

    Map<String, Index> indexes(String table) {
        List<Index> indexes = query(
                """
                SELECT ic.relname,
                       i.indnkeyatts,
                       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                             || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                             FROM generate_series(1, i.indnatts) AS k ORDER BY k),
                       pg_get_expr(i.indpred, i.indrelid, true),
                       i.indisunique, i.indisprimary, i.indisvalid
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_class tc ON tc.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = tc.relnamespace
                WHERE n.nspname = ? AND tc.relname = ?
                ORDER BY ic.relname""",
                rs -> {
                    int keyCount = rs.getInt(2);
                    List<String> all = List.of((String[]) rs.getArray(3).getArray());
                    return new Index(
                            rs.getString(1),
                            all.subList(0, keyCount),
                            all.subList(keyCount, all.size()).stream()
                                    .map(c -> c.replace(" DESC", ""))
                                    .toList(),
                            unqualified(rs.getString(4)),
                            rs.getBoolean(5),
                            rs.getBoolean(6),
                            rs.getBoolean(7));
                },
                table);
        Map<String, Index> byName = new LinkedHashMap<>();
        indexes.forEach(index -> byName.put(index.name(), index));
        return byName;
    }

    List<String> checkConstraints(String table) {
        return query("""
                SELECT con.conname FROM pg_constraint con
                JOIN pg_class c ON c.oid = con.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ? AND con.contype = 'c' ORDER BY con.conname""", rs -> rs.getString(1), table);
    }

    /** Foreign keys as {@code column -> referenced_table(referenced_column)}. */
    List<String> foreignKeys(String table) {
        return query("""
                SELECT a.attname || ' -> ' || rc.relname || '(' || ra.attname || ')'
                FROM pg_constraint con
                JOIN pg_class c ON c.oid = con.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_class rc ON rc.oid = con.confrelid
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
                JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
                WHERE n.nspname = ? AND c.relname = ? AND con.contype = 'f' ORDER BY 1""", rs -> rs.getString(1), table);
    }

    /** Drops our schema's name from type names, which the catalog qualifies when it is not on the search path. */
    private String unqualified(String sql) {
        return sql == null ? null : sql.replace(schema + ".", "");
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, String... args) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            for (int i = 0; i < args.length; i++) {
                statement.setString(i + 2, args[i]);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
