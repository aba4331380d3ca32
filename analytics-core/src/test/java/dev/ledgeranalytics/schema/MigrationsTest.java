package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.AppliedMigration;
import dev.ledgeranalytics.migration.MigrationResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class MigrationsTest {

    private final TestDatabase database = TestDatabase.empty();

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void migratesAnEmptyDatabaseAndReportsWhatWasApplied() {
        MigrationResult result =
                AnalyticsMigrations.create(database.dataSource()).migrate();

        assertThat(result.schema()).isEqualTo("analytics");
        assertThat(result.applied())
                .extracting(AppliedMigration::version, AppliedMigration::description)
                .containsExactly(
                        tuple("1", "ledger tables"),
                        tuple("2", "ledger indexes"),
                        tuple("3", "rollups"),
                        tuple("4", "rollup upkeep in library"),
                        tuple("5", "covering index token parts"),
                        tuple("6", "partitioned ledger"),
                        tuple("7", "retention boundary"),
                        tuple("8", "change log kept whole by vacuum"),
                        tuple("9", "rollup new rows"),
                        tuple("10", "new rows read by queries"),
                        tuple("11", "rollup layout"),
                        tuple("12", "user rollup by gross margin"));
        assertThat(result.currentVersion()).isEqualTo("12");
        SeedSchema.assertCatalogMatches(new Catalog(database.dataSource(), "analytics"));
    }

    @Test
    void aSecondRunAppliesNothingAndValidates() {
        AnalyticsMigrations migrations = AnalyticsMigrations.create(database.dataSource());
        migrations.migrate();

        MigrationResult second = migrations.migrate();

        assertThat(second.applied()).isEmpty();
        assertThat(second.currentVersion()).isEqualTo("12");
        assertThatNoException().isThrownBy(migrations::validate);
    }

    @Test
    void validateReportsASchemaThatWasNeverMigrated() {
        assertThatThrownBy(
                        () -> AnalyticsMigrations.create(database.dataSource()).validate())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("does not match this library's migrations")
                .hasMessageContaining("Schema \"analytics\" doesn't exist yet");
    }

    @Test
    void validateNamesEachPendingMigration() {
        hostRunFlywayOnOurLocation().target("1").load().migrate();

        assertThatThrownBy(
                        () -> AnalyticsMigrations.create(database.dataSource()).validate())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("V2 ledger indexes")
                .hasMessageContaining("pending");
    }

    @Test
    void coexistsWithTheHostsOwnFlywayHistoryAndLedgerTable() throws SQLException {
        Flyway host = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("classpath:db/host/migration")
                .load();
        host.migrate();

        AnalyticsMigrations.create(database.dataSource()).migrate();

        assertThat(host.migrate().migrationsExecuted).isZero();
        assertThatNoException().isThrownBy(host::validate);
        assertThat(queryLong("SELECT tokens FROM public.token_usage_ledger WHERE account = 'host-row'"))
                .isEqualTo(42);
        assertThat(queryLong("SELECT count(*) FROM public.flyway_schema_history WHERE success AND version IS NOT NULL"))
                .isEqualTo(2);
        assertThat(
                        queryLong(
                                "SELECT count(*) FROM analytics.analytics_schema_history WHERE success AND version IS NOT NULL"))
                .isEqualTo(12);
        SeedSchema.assertCatalogMatches(new Catalog(database.dataSource(), "analytics"));
    }

    @Test
    void theHostsFlywayRunsUnchangedAfterOurs() throws SQLException {
        AnalyticsMigrations.create(database.dataSource()).migrate();

        Flyway host = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("classpath:db/host/migration")
                .load();

        assertThat(host.migrate().migrationsExecuted).isEqualTo(2);
        assertThat(queryLong("SELECT count(*) FROM public.token_usage_ledger")).isEqualTo(1);
        assertThat(AnalyticsMigrations.create(database.dataSource()).migrate().applied())
                .isEmpty();
    }

    @Test
    void rebuildsAnIndexThatAFailedConcurrentBuildLeftInvalid() throws SQLException {
        hostRunFlywayOnOurLocation().target("1").load().migrate();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            // What an interrupted CREATE INDEX CONCURRENTLY leaves behind: the index exists but is INVALID.
            statement.execute("CREATE INDEX idx_token_usage_success ON analytics.token_usage_ledger (created_at)");
            statement.execute("UPDATE pg_index SET indisvalid = false "
                    + "WHERE indexrelid = 'analytics.idx_token_usage_success'::regclass");
        }

        AnalyticsMigrations.create(database.dataSource()).migrate();

        SeedSchema.assertCatalogMatches(new Catalog(database.dataSource(), "analytics"));
    }

    @Test
    void hostsThatRunFlywayThemselvesGetTheSameSchema() {
        hostRunFlywayOnOurLocation().load().migrate();

        SeedSchema.assertCatalogMatches(new Catalog(database.dataSource(), "analytics"));
        assertThatNoException().isThrownBy(AnalyticsMigrations.create(database.dataSource())::validate);
    }

    /** The configuration the README gives hosts that run Flyway themselves; ReadmeHostExampleTest checks the text. */
    @SuppressWarnings("deprecation") // see AnalyticsMigrations: the one call Flyway 11 to 13 all have
    private FluentConfiguration hostRunFlywayOnOurLocation() {
        DataSource dataSource = database.dataSource();
        // README:flyway-example:start
        FluentConfiguration analytics = Flyway.configure()
                .dataSource(dataSource)
                .locations(AnalyticsMigrations.LOCATION) // classpath:db/analytics/migration
                .schemas(AnalyticsMigrations.DEFAULT_SCHEMA) // or your schema name
                .table(AnalyticsMigrations.HISTORY_TABLE); // analytics_schema_history
        analytics
                .getPluginRegister()
                .getPlugin(PostgreSQLConfigurationExtension.class)
                .setTransactionalLock(false);
        // README:flyway-example:end
        return analytics;
    }

    @Test
    void installsIntoACustomSchema() {
        MigrationResult result = AnalyticsMigrations.create(database.dataSource())
                .withSchema("billing_ledger")
                .migrate();

        assertThat(result.schema()).isEqualTo("billing_ledger");
        assertThat(new Catalog(database.dataSource(), "analytics").tables()).isEmpty();
        SeedSchema.assertCatalogMatches(new Catalog(database.dataSource(), "billing_ledger"));
    }

    @Test
    void rejectsSchemaNamesThatAreNotPlainLowerCaseIdentifiers() {
        AnalyticsMigrations migrations = AnalyticsMigrations.create(database.dataSource());
        for (String bad :
                new String[] {"Analytics", "1ledger", "pg_ledger", "a-b", "x\"; DROP TABLE y; --", "", "a".repeat(64)
                }) {
            assertThatThrownBy(() -> migrations.withSchema(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("schema")
                    .hasMessageContaining("\"" + bad + "\"");
        }
        assertThatThrownBy(() -> migrations.withSchema(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> AnalyticsMigrations.create(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSource");
    }

    @Test
    void aDatabaseFailureSurfacesWithItsSqlState() {
        PGSimpleDataSource missing = new PGSimpleDataSource();
        missing.setURL(database.jdbcUrl().replace("/" + database.name() + "?", "/no_such_database?"));

        assertThatThrownBy(() -> AnalyticsMigrations.create(missing).migrate())
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("Migrating ledger schema \"analytics\" failed")
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("3D000"));
    }

    private long queryLong(String sql) throws SQLException {
        DataSource dataSource = database.dataSource();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
