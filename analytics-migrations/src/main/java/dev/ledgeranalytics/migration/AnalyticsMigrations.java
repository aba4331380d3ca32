package dev.ledgeranalytics.migration;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.internal.CitusLayout;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.RepairOutput;
import org.flywaydb.core.api.output.RepairResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Applies the Ledger Analytics schema to a host's PostgreSQL database.
 *
 * <p>Our migrations live under their own classpath location ({@value #LOCATION}), keep their own
 * history table ({@value #HISTORY_TABLE}) and create their objects in their own schema (default
 * {@value #DEFAULT_SCHEMA}), so they run next to a host's own Flyway migrations without touching
 * them and without {@code baselineOnMigrate}.
 *
 * <pre>{@code
 * MigrationResult result = AnalyticsMigrations.create(dataSource).migrate();
 * log.info("ledger schema {} at version {}", result.schema(), result.currentVersion());
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; {@link #withSchema(String)} returns a copy.
 */
public final class AnalyticsMigrations {

    /** The schema our objects live in unless {@link #withSchema(String)} says otherwise. */
    public static final String DEFAULT_SCHEMA = "analytics";

    /** The Flyway location of our SQL migrations, for hosts that run Flyway themselves. */
    public static final String LOCATION = "classpath:db/analytics/migration";

    /** The Flyway history table that records our migrations, inside our schema. */
    public static final String HISTORY_TABLE = "analytics_schema_history";

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String schema;
    /** The version to stop at, or {@code null} for the latest. */
    private final String target;

    private AnalyticsMigrations(DataSource dataSource, String schema) {
        this(dataSource, schema, null);
    }

    private AnalyticsMigrations(DataSource dataSource, String schema, String target) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.target = target;
    }

    /**
     * Prepares migrations for the given database, into the {@value #DEFAULT_SCHEMA} schema.
     *
     * @param dataSource connections to the host's PostgreSQL database; the user needs the right to
     *                   create a schema (or to create objects in an existing one)
     * @return migrations ready to {@link #migrate()} or {@link #validate()}
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static AnalyticsMigrations create(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource must not be null");
        }
        return new AnalyticsMigrations(dataSource, DEFAULT_SCHEMA);
    }

    /**
     * Returns a copy that installs into another schema. Pass the same name to the queries (see
     * {@code AnalyticsQueries}) so that their SQL is rendered against it.
     *
     * @param schema a lower-case PostgreSQL identifier: letters, digits and underscores, at most 63
     *               characters, not starting with a digit and not starting with {@code pg_}
     * @return migrations for that schema
     * @throws IllegalArgumentException if {@code schema} is not such a name
     */
    public AnalyticsMigrations withSchema(String schema) {
        return new AnalyticsMigrations(dataSource, requireSchemaName(schema), target);
    }

    /**
     * Returns a copy that migrates no further than {@code version}: to bring a schema up step by
     * step, or to stage an upgrade. Later migrations stay pending.
     *
     * @param version a version of this library's migrations, such as {@code "5"}
     * @return the copy
     * @throws IllegalArgumentException if {@code version} is not a positive whole number
     */
    public AnalyticsMigrations withTarget(String version) {
        if (version == null || !version.matches("[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("version must be a migration version such as \"5\", but was "
                    + (version == null ? "null" : "\"" + version + "\""));
        }
        return new AnalyticsMigrations(dataSource, schema, version);
    }

    /**
     * The schema these migrations install into.
     *
     * @return the schema name
     */
    public String schema() {
        return schema;
    }

    /**
     * Brings the schema up to date, creating it if needed. Running it again when nothing is
     * pending applies nothing and returns an empty {@link MigrationResult#applied()} list.
     *
     * <p>Each migration runs without the {@code statement_timeout} and {@code lock_timeout} the
     * connection's role or database sets by default, and without the driver's socket timeout, so
     * that a timeout meant for queries cannot cancel an index build half-way; the connection gets
     * its own values back afterwards.
     *
     * @return what was applied and the version the schema is now at
     * @throws AnalyticsException if a migration fails or the schema's history does not match ours;
     *                            when the history records a failed migration, the message says to
     *                            {@link #repair()}
     */
    public MigrationResult migrate() {
        MigrateResult result;
        try {
            result = flyway().migrate();
        } catch (FlywayException e) {
            throw migrationFailure(e);
        }
        List<AppliedMigration> applied = result.migrations.stream()
                .map(m -> new AppliedMigration(m.version, m.description, m.executionTime))
                .toList();
        String current = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        return new MigrationResult(schema, applied, current);
    }

    /**
     * Checks that the schema's history matches the migrations shipped in this library version:
     * nothing pending, nothing changed after it was applied, nothing unknown.
     *
     * @throws AnalyticsException naming every mismatch, if the check fails
     */
    public void validate() {
        ValidateResult result;
        try {
            result = flyway().validateWithResult();
        } catch (FlywayException e) {
            throw new AnalyticsException("Validating ledger schema \"" + schema + "\" failed", e);
        }
        if (!result.validationSuccessful) {
            throw new AnalyticsException("Ledger schema \"" + schema + "\" does not match this library's migrations: "
                    + describeErrors(result));
        }
    }

    /**
     * Reads where the schema stands against this library's migrations: the version applied last,
     * the migrations still pending and those the history records as failed. The migrations are
     * the ones in this library's jar, so the answer follows the library version on the class path.
     * Nothing is changed.
     *
     * <pre>{@code
     * MigrationHistory history = AnalyticsMigrations.create(dataSource).history();
     * if (!history.failed().isEmpty()) {
     *     log.warn("ledger migrations {} failed; repair() and migrate() again", history.failed());
     * }
     * }</pre>
     *
     * @return the history
     * @throws AnalyticsException if the database fails
     */
    public MigrationHistory history() {
        MigrationInfoService info;
        try {
            info = flyway().info();
        } catch (FlywayException e) {
            throw new AnalyticsException("Reading the migration history of ledger schema \"" + schema + "\" failed", e);
        }
        List<SchemaMigration> pending = new ArrayList<>();
        List<SchemaMigration> failed = new ArrayList<>();
        String currentVersion = null;
        for (MigrationInfo migration : info.all()) {
            if (migration.getVersion() == null) {
                continue; // the schema-creation marker Flyway writes as the history's first row
            }
            SchemaMigration step = new SchemaMigration(migration.getVersion().getVersion(), migration.getDescription());
            MigrationState state = migration.getState();
            if (state.isFailed()) {
                failed.add(step);
            } else if (state == MigrationState.PENDING || state == MigrationState.IGNORED) {
                // IGNORED: older than the newest applied one, yet never applied; a hole in the history.
                pending.add(step);
            } else if (state.isApplied()) {
                currentVersion = step.version();
            }
        }
        return new MigrationHistory(schema, currentVersion, pending, failed);
    }

    /**
     * Removes the records of failed migrations from the schema's history, so that the next
     * {@link #migrate()} applies them again. Only a non-transactional migration leaves such a record:
     * V2, whose {@code CREATE INDEX CONCURRENTLY} was cancelled or lost its connection half-way.
     * Rerunning V2 is safe: it drops any index a failed build left INVALID before building it again.
     * As with Flyway's {@code repair}, the recorded checksums and descriptions of applied migrations
     * are also aligned with this library's (they differ only if a migration file changed after it
     * was applied). Fix the cause of the failure first, or the retry fails the same way.
     *
     * <pre>{@code
     * AnalyticsMigrations migrations = AnalyticsMigrations.create(dataSource);
     * migrations.repair();
     * migrations.migrate();
     * }</pre>
     *
     * @return what was removed and realigned; empty lists when the history needed nothing
     * @throws AnalyticsException if the database fails
     */
    public HistoryRepair repair() {
        RepairResult result;
        try {
            result = flyway().repair();
        } catch (FlywayException e) {
            throw new AnalyticsException(
                    "Repairing the migration history of ledger schema \"" + schema + "\" failed", e);
        }
        return new HistoryRepair(schema, migrations(result.migrationsRemoved), migrations(result.migrationsAligned));
    }

    /**
     * Distributes this migrated schema over a Citus cluster: run it on the coordinator once
     * {@link #migrate()} has brought the schema up to date, before the gateway writes to it (with
     * rows in it, the ledger is copied to the workers in the same transaction, which blocks writes
     * meanwhile, and the coordinator keeps no copy of its own). Running it again does nothing.
     *
     * <p>The ledger is sharded by {@code user_id}, and so is the per-user rollup, co-located with
     * it; the other tables become reference tables, copied to every node. The ledger's unique keys
     * gain {@code user_id}, as Citus requires of a distributed table: a request id is unique per
     * user from then on, not across users (docs/scale-out.md says what that means for a gateway's
     * writes). The five queries and the exports read the distributed ledger and give the answers
     * of a single node. The rollups are built afterwards, by {@code Rollups}, and kept in refresh
     * mode by row-level triggers that record each write on its worker (docs/scale-out.md).
     *
     * <pre>{@code
     * AnalyticsMigrations migrations = AnalyticsMigrations.create(coordinator);
     * migrations.migrate();
     * migrations.distributeOverCitus();
     * }</pre>
     *
     * @return where the tables went
     * @throws AnalyticsException if the database is not a Citus coordinator, the schema is not
     *                            migrated up to this library's latest version, its rollups are
     *                            built (disable them first), the ledger carries triggers of the
     *                            host's, or Citus refuses a step; the schema is then unchanged
     */
    public CitusDistribution distributeOverCitus() {
        String what = "Distributing ledger schema \"" + schema + "\" over Citus";
        MigrationHistory history = history();
        if (history.currentVersion() == null
                || !history.pending().isEmpty()
                || !history.failed().isEmpty()) {
            throw new AnalyticsException(what + " failed: the schema is not up to date with this library's "
                    + "migrations (at version " + history.currentVersion() + ", pending " + history.pending()
                    + ", failed " + history.failed() + "); migrate() it first");
        }
        try (Connection connection = new MigrationConnections(dataSource).getConnection()) {
            if (!CitusLayout.isCitus(connection)) {
                throw new AnalyticsException(what + " failed: database \"" + connection.getCatalog()
                        + "\" has no citus extension; run this on a Citus coordinator");
            }
            if (CitusLayout.isDistributed(connection, schema)) {
                return distribution(false);
            }
            List<String> unplaced = CitusLayout.unplaced(connection, schema);
            if (!unplaced.isEmpty()) {
                throw new AnalyticsException(what + " failed: no place on Citus is defined for tables " + unplaced);
            }
            DistributionCheck check = DistributionCheck.read(connection, schema);
            if (check.rollupsBuilt()) {
                throw new AnalyticsException(what + " failed: the schema's rollups are built, by triggers that Citus"
                        + " does not run on a distributed table. Call Rollups.disable() first (from the command line:"
                        + " analytics rollups disable), and build them again once distributed");
            }
            if (!check.otherTriggers().isEmpty()) {
                throw new AnalyticsException(what + " failed: the ledger has triggers " + check.otherTriggers()
                        + ", and Citus distributes no table with triggers; drop them first");
            }
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL search_path = " + schema);
                for (String sql : CitusLayout.distribution(check.partitioned(), check.rollupTriggers())) {
                    statement.execute(sql);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return distribution(true);
        } catch (SQLException e) {
            throw new AnalyticsException(what + " failed", e);
        }
    }

    private CitusDistribution distribution(boolean changed) {
        return new CitusDistribution(
                schema, CitusLayout.DISTRIBUTION_COLUMN, CitusLayout.DISTRIBUTED, CitusLayout.REFERENCE, changed);
    }

    private static List<SchemaMigration> migrations(List<RepairOutput> outputs) {
        return outputs == null
                ? List.of()
                : outputs.stream()
                        .map(output -> new SchemaMigration(output.version, output.description))
                        .toList();
    }

    /**
     * The failure of {@link #migrate()}, saying what to do when the history records a failed
     * migration: without a repair, every later migrate fails validation.
     */
    private AnalyticsException migrationFailure(FlywayException cause) {
        String message = "Migrating ledger schema \"" + schema + "\" failed";
        AnalyticsException failure = new AnalyticsException(message, cause);
        if (failure.sqlState()
                .filter(state -> state.startsWith("08") || state.startsWith("28") || state.startsWith("3D"))
                .isPresent()) {
            // No connection to read the history on; trying again would only wait as long once more.
            return failure;
        }
        List<SchemaMigration> failed;
        try {
            failed = history().failed();
        } catch (AnalyticsException historyUnreadable) {
            failure.addSuppressed(historyUnreadable);
            return failure;
        }
        if (failed.isEmpty()) {
            return failure;
        }
        return new AnalyticsException(
                message + "; the history records "
                        + failed.stream().map(SchemaMigration::toString).collect(Collectors.joining(", "))
                        + " as failed: once the cause is fixed, call repair() (from the command line: "
                        + "analytics migrate --repair) and migrate again",
                cause);
    }

    private static String describeErrors(ValidateResult result) {
        List<String> errors = new ArrayList<>();
        for (ValidateOutput invalid : result.invalidMigrations) {
            String version = invalid.version == null || invalid.version.isEmpty() ? "" : "V" + invalid.version + " ";
            errors.add(version + invalid.description + ": " + invalid.errorDetails.errorMessage);
        }
        if (errors.isEmpty() && result.errorDetails != null) {
            errors.add(result.errorDetails.errorMessage);
        }
        return String.join("; ", errors);
    }

    // getPluginRegister().getPlugin(...) is deprecated in Flyway 13, but it is the one call that
    // reaches the PostgreSQL settings in every Flyway we support: Flyway 11 (what Spring Boot 3.5
    // and 4.0 manage) lacks the newer getConfigurationExtension(...), and Flyway 13 reads the
    // property given to configuration(Map) only with jackson-databind on the class path.
    @SuppressWarnings("deprecation")
    private Flyway flyway() {
        FluentConfiguration configuration = Flyway.configure(AnalyticsMigrations.class.getClassLoader())
                .dataSource(new MigrationConnections(dataSource))
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .placeholderReplacement(false)
                .validateMigrationNaming(true);
        if (target != null) {
            configuration.target(target);
        }
        // CREATE INDEX CONCURRENTLY waits for every open transaction to end, including the one in
        // which Flyway would hold its transaction-scoped advisory lock: it would wait for itself
        // forever. A session-level lock avoids that.
        configuration
                .getPluginRegister()
                .getPlugin(PostgreSQLConfigurationExtension.class)
                .setTransactionalLock(false);
        return configuration.load();
    }

    /**
     * Checks a schema name the way {@link #withSchema(String)} does, for code that renders SQL
     * against the same schema.
     *
     * @param schema the schema name to check
     * @return {@code schema}, unchanged
     * @throws IllegalArgumentException if it is not a name {@link #withSchema(String)} accepts
     */
    public static String requireSchemaName(String schema) {
        if (schema == null || !SCHEMA_NAME.matcher(schema).matches() || schema.startsWith("pg_")) {
            throw new IllegalArgumentException("schema must be a lower-case PostgreSQL identifier "
                    + "([a-z_][a-z0-9_]{0,62}, not starting with pg_), but was: "
                    + (schema == null ? "null" : "\"" + schema + "\""));
        }
        return schema;
    }
}
