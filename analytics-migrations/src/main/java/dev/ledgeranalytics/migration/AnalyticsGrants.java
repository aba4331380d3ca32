package dev.ledgeranalytics.migration;

import dev.ledgeranalytics.AnalyticsException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Grants the two roles that use the ledger schema besides its owner exactly what they need: the
 * <b>writer</b> (the gateway, which inserts and updates ledger rows) and the <b>reader</b> (the
 * dashboard, which runs the queries, the export and the verification). docs/roles.md explains
 * every grant.
 *
 * <pre>{@code
 * AnalyticsGrants.create(ownerDataSource) // the owner's connections: the role that migrates
 *         .withWriter("gateway")
 *         .withReader("dashboard")
 *         .apply();
 * }</pre>
 *
 * <p>The <b>owner</b>, the role that runs the migrations and builds and refreshes the rollups,
 * owns every object in the schema and needs no grant. The grants are applied as the owner: the
 * statements start with {@code SET LOCAL ROLE} to it, so a member of the owner role (a superuser,
 * say) may apply them too, and the reader's default privileges then cover the tables that later
 * migrations create. The writer gets no default privilege: its statements name the ledger alone,
 * and the ledger's partitions, if it has any, are reached through it without grants of their own.
 * Applying is idempotent; do it again after each upgrade of this library.
 *
 * <p>Instances are immutable and thread-safe; every {@code with…} method returns a copy.
 */
public final class AnalyticsGrants {

    private static final String LEDGER = "token_usage_ledger";
    private static final String PROVIDERS = "providers";

    /**
     * Everything the reader's statements read: the ledger and providers (raw reads, the ledger
     * export), the rollups' state and change log (read by every query, whether or not the rollups
     * are built), the rollup tables, the rows inserted since the last refresh and the fine cost
     * buckets (reads through the rollups), and the migration history (the verification).
     */
    private static final List<String> READER_TABLES = List.of(
            LEDGER,
            PROVIDERS,
            "rollup_state",
            "rollup_changes",
            "rollup_new_rows",
            "rollup_cost_buckets",
            "rollup_status",
            "rollup_provider",
            "rollup_dims",
            "rollup_costs",
            "rollup_users",
            AnalyticsMigrations.HISTORY_TABLE);

    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The ledger's owner, from the catalog, which every role may read. */
    private static final String OWNER_SQL = "SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = '" + LEDGER + "' AND c.relkind IN ('r', 'p')";

    /** Whether a role has the privileges of another: it is that role, a member of it or a superuser. */
    private static final String ROLE_SQL =
            "SELECT pg_catalog.pg_has_role(oid, ?, 'USAGE') FROM pg_catalog.pg_roles WHERE rolname = ?";

    private final DataSource dataSource;
    private final String schema;
    private final String writer;
    private final String reader;

    private AnalyticsGrants(DataSource dataSource, String schema, String writer, String reader) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.writer = writer;
        this.reader = reader;
    }

    /**
     * Prepares the grants on the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema, for no role
     * yet.
     *
     * @param dataSource connections as the ledger's owner, or as a member of that role
     * @return grants to complete with {@link #withWriter(String)} and {@link #withReader(String)}
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static AnalyticsGrants create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new AnalyticsGrants(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA, null, null);
    }

    /**
     * A copy for the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public AnalyticsGrants withSchema(String schema) {
        return new AnalyticsGrants(dataSource, AnalyticsMigrations.requireSchemaName(schema), writer, reader);
    }

    /**
     * A copy that grants the writer's privileges to {@code role}: USAGE on the schema, INSERT and
     * UPDATE on the ledger, SELECT on its {@code id}, {@code request_id} and {@code created_at}
     * columns (an UPDATE's WHERE, {@code ON CONFLICT (request_id) DO NOTHING}, or {@code (request_id,
     * created_at)} on a partitioned ledger, and {@code RETURNING id} read them) and
     * SELECT on {@code providers} (to look a provider's id up by its slug).
     *
     * @param role an existing role, named as PostgreSQL stores it: a lower-case identifier
     * @return the copy
     * @throws IllegalArgumentException if the name is not such an identifier, or is the reader's
     */
    public AnalyticsGrants withWriter(String role) {
        requireRoleName("writer", role);
        if (role.equals(reader)) {
            throw new IllegalArgumentException(
                    "writer must not be the reader's role, but both were \"" + role + "\": a reader must not write");
        }
        return new AnalyticsGrants(dataSource, schema, role, reader);
    }

    /**
     * A copy that grants the reader's privileges to {@code role}: USAGE on the schema, SELECT on
     * every table the queries, the CSV export and the verification read, whether or not the
     * rollups are built, and SELECT on the tables the owner creates in the schema later.
     *
     * @param role an existing role, named as PostgreSQL stores it: a lower-case identifier
     * @return the copy
     * @throws IllegalArgumentException if the name is not such an identifier, or is the writer's
     */
    public AnalyticsGrants withReader(String role) {
        requireRoleName("reader", role);
        if (role.equals(writer)) {
            throw new IllegalArgumentException(
                    "reader must not be the writer's role, but both were \"" + role + "\": a reader must not write");
        }
        return new AnalyticsGrants(dataSource, schema, writer, role);
    }

    /**
     * The statements {@link #apply()} would run, in order, without running them: to review, or
     * to run in one transaction as the owner with any SQL client. Reads the ledger's owner, whom
     * the first statement switches to, and checks the roles.
     *
     * @return the statements, without terminating semicolons
     * @throws IllegalStateException    if neither a writer nor a reader was named
     * @throws IllegalArgumentException if a role does not exist, or has the ledger owner's
     *                                  privileges (it is the owner, a member of it or a superuser)
     * @throws AnalyticsException       if the database fails, or the schema holds no ledger
     */
    public List<String> statements() {
        requireRoles();
        try (Connection connection = dataSource.getConnection()) {
            return statements(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Grants the roles their privileges, in one transaction: all of them or, on a failure, none.
     *
     * @return the statements that ran, as {@link #statements()} lists them
     * @throws IllegalStateException    if neither a writer nor a reader was named
     * @throws IllegalArgumentException if a role does not exist, or has the ledger owner's
     *                                  privileges (it is the owner, a member of it or a superuser)
     * @throws AnalyticsException       if the database fails, the schema holds no ledger, or the
     *                                  connected role is neither the ledger's owner nor a member of it
     *                                  (SQL state {@code 42501})
     */
    public List<String> apply() {
        requireRoles();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                List<String> statements = statements(connection);
                becomeOwner(statement, statements.get(0));
                for (String sql : statements.subList(1, statements.size())) {
                    statement.execute(sql);
                }
                connection.commit();
                return statements;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The first statement, {@code SET LOCAL ROLE}, fails for a role that may not act as the owner. */
    private void becomeOwner(Statement statement, String setRole) {
        try {
            statement.execute(setRole);
        } catch (SQLException e) {
            throw new AnalyticsException(
                    "Granting the ledger's roles in schema \"" + schema + "\" failed: apply the grants as the ledger's"
                            + " owner (the role that runs the migrations) or a member of it, not as the connected role",
                    e);
        }
    }

    private List<String> statements(Connection connection) throws SQLException {
        String ledger = qualified(LEDGER);
        String owner = owner(connection);
        List<String> statements = new ArrayList<>();
        statements.add("SET LOCAL ROLE " + quoted(owner));
        if (writer != null) {
            requireOwnRole(connection, "writer", writer, owner);
            String role = quoted(writer);
            statements.add("GRANT USAGE ON SCHEMA " + quoted(schema) + " TO " + role);
            statements.add("GRANT INSERT, UPDATE ON " + ledger + " TO " + role);
            statements.add("GRANT SELECT (\"id\", \"request_id\", \"created_at\") ON " + ledger + " TO " + role);
            statements.add("GRANT SELECT ON " + qualified(PROVIDERS) + " TO " + role);
        }
        if (reader != null) {
            requireOwnRole(connection, "reader", reader, owner);
            String role = quoted(reader);
            statements.add("GRANT USAGE ON SCHEMA " + quoted(schema) + " TO " + role);
            statements.add("GRANT SELECT ON "
                    + String.join(
                            ", ", READER_TABLES.stream().map(this::qualified).toList())
                    + " TO " + role);
            statements.add(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted(schema) + " GRANT SELECT ON TABLES TO " + role);
        }
        return List.copyOf(statements);
    }

    private String owner(Connection connection) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement(OWNER_SQL)) {
            read.setString(1, schema);
            try (ResultSet result = read.executeQuery()) {
                if (result.next()) {
                    return result.getString(1);
                }
            }
        }
        // No such table: PostgreSQL names what is missing, the schema or the table, with its SQL state.
        try (PreparedStatement resolve = connection.prepareStatement("SELECT CAST(? AS pg_catalog.regclass)")) {
            resolve.setString(1, qualified(LEDGER));
            resolve.execute();
        }
        throw new AnalyticsException(
                qualified(LEDGER) + " is not a table; run the migrations into schema \"" + schema + "\" first");
    }

    /**
     * A role that exists, without the owner's privileges: granting a role that already has them
     * would change nothing and give least privilege away unnoticed.
     */
    private static void requireOwnRole(Connection connection, String parameter, String role, String owner)
            throws SQLException {
        Boolean hasOwnerPrivileges = null;
        try (PreparedStatement check = connection.prepareStatement(ROLE_SQL)) {
            check.setString(1, owner);
            check.setString(2, role);
            try (ResultSet result = check.executeQuery()) {
                if (result.next()) {
                    hasOwnerPrivileges = result.getBoolean(1);
                }
            }
        }
        if (hasOwnerPrivileges == null) {
            throw new IllegalArgumentException(parameter + " must name an existing role, but there is no role \"" + role
                    + "\"; create it first, e.g. CREATE ROLE " + role + " LOGIN");
        }
        if (hasOwnerPrivileges) {
            throw new IllegalArgumentException(parameter + " must be a role of its own, but \"" + role
                    + "\" has every privilege of the ledger's owner \"" + owner
                    + "\" (it is that role, a member of it or a superuser)");
        }
    }

    private void requireRoles() {
        if (writer == null && reader == null) {
            throw new IllegalStateException("no role to grant to: name a writer, a reader or both first");
        }
    }

    private AnalyticsException failure(SQLException cause) {
        return new AnalyticsException("Granting the ledger's roles in schema \"" + schema + "\" failed", cause);
    }

    private String qualified(String table) {
        return quoted(schema) + "." + quoted(table);
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * Role names that need no case folding and that PostgreSQL takes for a role: {@code public}
     * stands for every role and {@code none} is reserved, even quoted; {@code pg_} names belong to
     * the system.
     */
    private static void requireRoleName(String parameter, String role) {
        if (role == null
                || !ROLE_NAME.matcher(role).matches()
                || role.startsWith("pg_")
                || role.equals("public")
                || role.equals("none")) {
            throw new IllegalArgumentException(parameter + " must be a lower-case PostgreSQL role name ([a-z_][a-z0-9_]"
                    + "{0,62}, not public, none or pg_…), but was: " + (role == null ? "null" : "\"" + role + "\""));
        }
    }
}
