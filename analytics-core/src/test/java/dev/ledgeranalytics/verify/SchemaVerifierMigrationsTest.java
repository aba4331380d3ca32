package dev.ledgeranalytics.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.verify.Finding.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verifier compares the schema's history with the migrations in the library's jar. The
 * expected versions come from the history a fresh migration wrote, never from a list in the test,
 * so that the tests hold as migrations are added.
 */
class SchemaVerifierMigrationsTest {

    private TestDatabase database;
    private Sql sql;
    private List<Migration> libraryMigrations;

    record Migration(String version, String description) {
        String named() {
            return "V" + version + " (" + description + ")";
        }
    }

    @BeforeEach
    void migrate() throws SQLException {
        database = TestDatabase.migrated();
        sql = new Sql(database.dataSource());
        libraryMigrations = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT version, description FROM analytics.analytics_schema_history "
                                + "WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                libraryMigrations.add(new Migration(rs.getString(1), rs.getString(2)));
            }
        }
        assertThat(libraryMigrations).hasSizeGreaterThanOrEqualTo(3);
    }

    @AfterEach
    void drop() {
        database.close();
    }

    @Test
    void aSchemaWhoseHistoryLacksTheLastMigrationIsBrokenNamingIt() throws SQLException {
        Migration last = libraryMigrations.get(libraryMigrations.size() - 1);
        Migration before = libraryMigrations.get(libraryMigrations.size() - 2);
        sql.execute("DELETE FROM analytics.analytics_schema_history WHERE version = '" + last.version() + "'");

        VerificationReport report = SchemaVerifier.verify(database.dataSource(), "analytics");

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings())
                .containsExactly(new Finding(
                        Status.BROKEN,
                        Kind.MIGRATIONS_PENDING,
                        "analytics_schema_history",
                        "the schema is at version " + before.version() + ", behind this library: " + last.named()
                                + " is not applied; run `analytics migrate` (or AnalyticsMigrations.migrate())"));
        assertThat(report.plans()).as("not asked for on a BROKEN schema").isEmpty();
    }

    @Test
    void aMigrationMissingFromTheMiddleOfTheHistoryIsNamedToo() throws SQLException {
        Migration skipped = libraryMigrations.get(1);
        sql.execute("DELETE FROM analytics.analytics_schema_history WHERE version = '" + skipped.version() + "'");

        VerificationReport report = SchemaVerifier.verify(database.dataSource(), "analytics");

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.MIGRATIONS_PENDING);
            assertThat(finding.message()).contains(skipped.named() + " is not applied");
        });
    }

    @Test
    void aSchemaBehindByEveryMigrationAfterTheFirstNamesThemAll() throws SQLException {
        Migration first = libraryMigrations.get(0);
        sql.execute("DELETE FROM analytics.analytics_schema_history WHERE version <> '" + first.version() + "'");

        VerificationReport report = SchemaVerifier.verify(database.dataSource(), "analytics");

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.MIGRATIONS_PENDING);
            assertThat(finding.message()).startsWith("the schema is at version " + first.version() + ", behind");
            for (Migration missing : libraryMigrations.subList(1, libraryMigrations.size())) {
                assertThat(finding.message()).contains(missing.named());
            }
            assertThat(finding.message()).doesNotContain(first.named());
        });
    }

    @Test
    void aMigrationRecordedAsFailedIsBrokenWithTheRepairCommand() throws SQLException {
        Migration failed = libraryMigrations.get(1);
        sql.execute(
                "UPDATE analytics.analytics_schema_history SET success = false WHERE version = '" + failed.version()
                        + "'",
                "DELETE FROM analytics.analytics_schema_history WHERE installed_rank > "
                        + "(SELECT installed_rank FROM analytics.analytics_schema_history WHERE version = '"
                        + failed.version() + "')");

        VerificationReport report = SchemaVerifier.verify(database.dataSource(), "analytics");

        assertThat(report.status()).isEqualTo(Status.BROKEN);
        assertThat(report.findings()).first().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.MIGRATION_FAILED);
            assertThat(finding.subject()).isEqualTo("V" + failed.version());
            assertThat(finding.message())
                    .startsWith("migration " + failed.named() + " failed half-way")
                    .contains("analytics migrate --repair", "AnalyticsMigrations.repair()");
        });
        assertThat(report.findings())
                .extracting(Finding::kind)
                .containsExactly(Kind.MIGRATION_FAILED, Kind.MIGRATIONS_PENDING);
    }
}
