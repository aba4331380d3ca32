package dev.ledgeranalytics.migration.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Internal API. The ledger's physical layout, defined once: its keys and indexes, and the monthly
 * range partitions on {@code created_at} of the partitioned layout. Migration V6 applies it to an
 * empty ledger; the library's partition maintenance and the online conversion of a populated
 * ledger build on the same definitions, and the schema verifier checks a live ledger against them.
 *
 * <p>Every unique key of a partitioned table must contain the partition key, so the partitioned
 * ledger's primary key is {@code (id, created_at)} and its request-id key {@code (request_id,
 * created_at)}: a request written twice with the same {@code created_at} is still refused, one
 * written again with another {@code created_at} is not (docs/partitioning.md).
 */
public final class LedgerLayout {

    /** The ledger table, the partitioned parent in the partitioned layout. */
    public static final String LEDGER = "token_usage_ledger";

    /** The partition that takes the rows of months without a partition of their own. */
    public static final String DEFAULT_PARTITION = LEDGER + "_default";

    /** The name of the primary key, in both layouts. */
    public static final String PRIMARY_KEY = LEDGER + "_pkey";

    /** The name of the request-id key, in both layouts. */
    public static final String REQUEST_ID_KEY = LEDGER + "_request_id_key";

    /** The name of the foreign key to {@code providers}. */
    public static final String PROVIDER_KEY = LEDGER + "_provider_id_fkey";

    /** The covering index of the dashboard's aggregates. */
    public static final String DASHBOARD_INDEX = "idx_token_usage_analytics";

    /**
     * One index of the ledger.
     *
     * @param name      its name
     * @param unique    whether it is unique
     * @param keys      its key columns, each followed by {@code " DESC"} where descending
     * @param include   its INCLUDE columns
     * @param predicate its partial predicate as PostgreSQL prints it, or {@code null}
     */
    public record Index(String name, boolean unique, List<String> keys, List<String> include, String predicate) {

        /** Copies the lists. */
        public Index {
            keys = List.copyOf(keys);
            include = List.copyOf(include);
        }

        /** The index's definition after {@code ON table}, as {@code CREATE INDEX} takes it. */
        public String definition() {
            return "(" + String.join(", ", keys) + ")"
                    + (include.isEmpty() ? "" : " INCLUDE (" + String.join(", ", include) + ")")
                    + (predicate == null ? "" : " WHERE " + predicate);
        }
    }

    /** The six indexes beyond the keys, as migrations V2 and V5 create them. */
    public static final List<Index> SECONDARY_INDEXES = List.of(
            new Index(
                    DASHBOARD_INDEX,
                    false,
                    List.of("created_at DESC", "status", "provider_id", "user_id"),
                    List.of(
                            "gross_margin_usd",
                            "vendor_cost",
                            "credits_deducted",
                            "input_tokens",
                            "output_tokens",
                            "cached_input_tokens",
                            "reasoning_tokens"),
                    null),
            new Index(
                    "idx_token_usage_success",
                    false,
                    List.of("created_at DESC"),
                    List.of(),
                    "status = 'success'::request_status"),
            new Index(LEDGER + "_user_id_created_at_idx", false, List.of("user_id", "created_at"), List.of(), null),
            new Index(
                    LEDGER + "_provider_id_created_at_idx",
                    false,
                    List.of("provider_id", "created_at"),
                    List.of(),
                    null),
            new Index(LEDGER + "_model_id_created_at_idx", false, List.of("model_id", "created_at"), List.of(), null),
            new Index(LEDGER + "_status_idx", false, List.of("status"), List.of(), null));

    /** The keys of the unpartitioned ledger, as migration V1 creates them. */
    public static final List<Index> UNPARTITIONED_KEYS = List.of(
            new Index(PRIMARY_KEY, true, List.of("id"), List.of(), null),
            new Index(REQUEST_ID_KEY, true, List.of("request_id"), List.of(), null));

    /** The keys of the partitioned ledger: each must contain the partition key. */
    public static final List<Index> PARTITIONED_KEYS = List.of(
            new Index(PRIMARY_KEY, true, List.of("id", "created_at"), List.of(), null),
            new Index(REQUEST_ID_KEY, true, List.of("request_id", "created_at"), List.of(), null));

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("'y'uuuu'm'MM");
    private static final Pattern MONTH_PARTITION = Pattern.compile(LEDGER + "_y(\\d{4})m(\\d{2})");

    private LedgerLayout() {}

    /** The name of the partition holding {@code month}. */
    public static String partitionName(YearMonth month) {
        return LEDGER + "_" + MONTH.format(month);
    }

    /** The month a partition of that name holds, or {@code null} if the name is not a month partition's. */
    public static YearMonth monthOf(String partition) {
        Matcher matcher = MONTH_PARTITION.matcher(partition);
        return matcher.matches()
                ? YearMonth.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)))
                : null;
    }

    /** Whether the ledger in {@code schema} is partitioned. */
    public static boolean isPartitioned(Connection connection, String schema) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT c.relkind = 'p' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ?""")) {
            statement.setString(1, schema);
            statement.setString(2, LEDGER);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    /**
     * Replaces the empty, unpartitioned ledger of {@code schema} by the partitioned one, with a
     * default partition and partitions for the months from {@code current} to two months after it.
     * Everything else about the table stays: columns, defaults, checks, comments, grants.
     */
    public static void partitionEmptyLedger(Connection connection, String schema, YearMonth current)
            throws SQLException {
        String old = LEDGER + "_unpartitioned";
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + table(schema, LEDGER) + " RENAME TO " + quote(old));
            createParent(statement, schema, LEDGER, old);
            copyGrants(connection, schema, old, LEDGER);
            statement.execute("DROP TABLE " + table(schema, old));
            addKeysAndIndexes(statement, schema, LEDGER, "");
            statement.execute("CREATE TABLE " + table(schema, DEFAULT_PARTITION) + " PARTITION OF "
                    + table(schema, LEDGER) + " DEFAULT");
            for (YearMonth month = current; !month.isAfter(current.plusMonths(2)); month = month.plusMonths(1)) {
                statement.execute(createMonth(schema, month));
            }
        }
    }

    /**
     * A partitioned copy of {@code like}'s columns, defaults, checks and comments, as {@code table}
     * in {@code schema}, partitioned by range of {@code created_at}; without keys or indexes.
     */
    public static void createParent(Statement statement, String schema, String table, String like) throws SQLException {
        statement.execute("CREATE TABLE " + table(schema, table) + " (LIKE " + table(schema, like)
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS INCLUDING STORAGE)"
                + " PARTITION BY RANGE (created_at)");
        statement.execute("COMMENT ON TABLE " + table(schema, table) + " IS 'One row per metered LLM API request: "
                + "tokens, vendor cost, credits charged and the margin earned. Partitioned by month of created_at.'");
    }

    /**
     * The partitioned layout's keys, foreign key and indexes on {@code table}, each named as in the
     * ledger with {@code suffix} appended (empty for the final names).
     */
    public static void addKeysAndIndexes(Statement statement, String schema, String table, String suffix)
            throws SQLException {
        for (Index key : PARTITIONED_KEYS) {
            statement.execute("ALTER TABLE " + table(schema, table) + " ADD CONSTRAINT " + quote(key.name() + suffix)
                    + (key.name().equals(PRIMARY_KEY) ? " PRIMARY KEY " : " UNIQUE ") + key.definition());
        }
        statement.execute("ALTER TABLE " + table(schema, table) + " ADD CONSTRAINT " + quote(PROVIDER_KEY + suffix)
                + " FOREIGN KEY (provider_id) REFERENCES " + table(schema, "providers") + " (id)");
        for (Index index : SECONDARY_INDEXES) {
            statement.execute("CREATE INDEX " + quote(index.name() + suffix) + " ON " + table(schema, table) + " "
                    + qualifiedPredicate(index, schema).definition());
        }
    }

    /** The statement that creates the partition of {@code month}; it takes its indexes from the parent. */
    public static String createMonth(String schema, YearMonth month) {
        return createMonth(schema, LEDGER, month);
    }

    /** The statement that creates the partition of {@code month} of the partitioned table {@code parent}. */
    public static String createMonth(String schema, String parent, YearMonth month) {
        return "CREATE TABLE " + table(schema, partitionName(month)) + " PARTITION OF " + table(schema, parent)
                + " FOR VALUES FROM (" + bound(month) + ") TO (" + bound(month.plusMonths(1)) + ")";
    }

    /**
     * Creates the partition of {@code month} in the current transaction unless a table of its name
     * exists; if the default partition holds rows of that month, they move into it. Callers
     * serialise concurrent calls for one schema (two would both find the month missing), and hold
     * the ledger in {@code EXCLUSIVE} mode while writers may be inserting: an insert that chose the
     * default partition before the new one committed would fail its partition check after.
     *
     * @return whether the partition was created
     */
    public static boolean ensureMonth(Connection connection, String schema, YearMonth month) throws SQLException {
        String parent = table(schema, LEDGER);
        String defaultPartition = table(schema, DEFAULT_PARTITION);
        String partition = table(schema, partitionName(month));
        String range = "created_at >= " + bound(month) + " AND created_at < " + bound(month.plusMonths(1));
        try (Statement statement = connection.createStatement()) {
            try (ResultSet exists =
                    statement.executeQuery("SELECT to_regclass('" + partition.replace("'", "''") + "') IS NOT NULL")) {
                exists.next();
                if (exists.getBoolean(1)) {
                    return false;
                }
            }
            boolean inDefault;
            try (ResultSet rows = statement.executeQuery(
                    "SELECT EXISTS (SELECT 1 FROM " + defaultPartition + " WHERE " + range + ")")) {
                rows.next();
                inDefault = rows.getBoolean(1);
            }
            if (!inDefault) {
                statement.execute(createMonth(schema, month));
                return true;
            }
            // ATTACH would refuse a partition whose rows the default partition holds: move them first.
            // Direct writes to partitions fire none of the ledger's statement triggers, as they should
            // not: no row of the ledger changes.
            statement.execute("CREATE TABLE " + partition + " (LIKE " + parent
                    + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)");
            statement.execute("INSERT INTO " + partition + " SELECT * FROM " + defaultPartition + " WHERE " + range);
            statement.execute("DELETE FROM " + defaultPartition + " WHERE " + range);
            statement.execute("ALTER TABLE " + parent + " ATTACH PARTITION " + partition + " FOR VALUES FROM ("
                    + bound(month) + ") TO (" + bound(month.plusMonths(1)) + ")");
            return true;
        }
    }

    /** The first instant of {@code month}, UTC, as a timestamptz literal. */
    public static String bound(YearMonth month) {
        return "'" + month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC) + "'::timestamptz";
    }

    /** Grants {@code to} every privilege any role holds on {@code from}, on the table or on its columns. */
    public static void copyGrants(Connection connection, String schema, String from, String to) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, NULL
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                     aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
                WHERE n.nspname = ? AND c.relname = ? AND a.grantee <> c.relowner
                UNION ALL
                SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,
                       quote_ident(att.attname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped,
                     aclexplode(att.attacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
                WHERE n.nspname = ? AND c.relname = ? AND a.grantee <> c.relowner""")) {
            statement.setString(1, schema);
            statement.setString(2, from);
            statement.setString(3, schema);
            statement.setString(4, from);
            try (ResultSet grants = statement.executeQuery();
                    Statement grant = connection.createStatement()) {
                while (grants.next()) {
                    String column = grants.getString(3);
                    grant.execute("GRANT " + grants.getString(1) + (column == null ? "" : " (" + column + ")") + " ON "
                            + table(schema, to) + " TO " + grants.getString(2));
                }
            }
        }
    }

    /** {@code "schema"."table"}. */
    public static String table(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    /** {@code "identifier"}, quoted for SQL. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** The index with its predicate's enum type qualified, so that it does not depend on the search path. */
    private static Index qualifiedPredicate(Index index, String schema) {
        return index.predicate() == null
                ? index
                : new Index(
                        index.name(),
                        index.unique(),
                        index.keys(),
                        index.include(),
                        index.predicate().replace("::request_status", "::" + quote(schema) + ".request_status"));
    }
}
