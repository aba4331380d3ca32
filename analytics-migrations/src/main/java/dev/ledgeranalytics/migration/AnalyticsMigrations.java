package dev.ledgeranalytics.migration;

import dev.ledgeranalytics.AnalyticsException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
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

    private AnalyticsMigrations(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
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
        return new AnalyticsMigrations(dataSource, requireSchemaName(schema));
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
     * @return what was applied and the version the schema is now at
     * @throws AnalyticsException if a migration fails or the schema's history does not match ours
     */
    public MigrationResult migrate() {
        MigrateResult result;
        try {
            result = flyway().migrate();
        } catch (FlywayException e) {
            throw new AnalyticsException("Migrating ledger schema \"" + schema + "\" failed", e);
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
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .placeholderReplacement(false)
                .validateMigrationNaming(true);
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
