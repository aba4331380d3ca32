package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.migration.AnalyticsGrants;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * README's Roles section is this code, compiled and run with the roles docs/roles.md sets up, and
 * docs/roles.md lists exactly the statements {@link AnalyticsGrants} applies for them.
 */
class ReadmeRolesExampleTest {

    private static final Path THIS_SOURCE =
            Path.of("src/test/java/dev/ledgeranalytics/readme/ReadmeRolesExampleTest.java");

    static void grants(DataSource dataSource) {
        // spotless:off
        // README:grants-example:start
        AnalyticsGrants.create(dataSource)   // connected as the ledger's owner, the role that migrates
                .withWriter("gateway")       // the gateway: inserts and updates ledger rows
                .withReader("dashboard")     // the dashboard: queries, CSV export, verification
                .apply();                    // one transaction; idempotent: again after each upgrade
        // README:grants-example:end
        // spotless:on
    }

    @Test
    void theRolesOfTheDocsGetTheDocumentedStatementsAndTheDashboardQueries() throws IOException {
        try (TestDatabase database = TestDatabase.empty()) {
            execute(
                    database.dataSource(),
                    "CREATE ROLE ledger_owner LOGIN; CREATE ROLE gateway LOGIN; CREATE ROLE dashboard LOGIN;"
                            + " GRANT CREATE ON DATABASE " + database.name() + " TO ledger_owner");
            try {
                DataSource owner = as(database, "ledger_owner");
                AnalyticsMigrations.create(owner).migrate();
                String statements =
                        AnalyticsGrants.create(owner)
                                .withWriter("gateway")
                                .withReader("dashboard")
                                .statements()
                                .stream()
                                .map(statement -> statement + ";")
                                .collect(Collectors.joining("\n"));

                grants(owner);

                assertThat(Files.readString(Path.of("..", "docs", "roles.md")))
                        .contains("BEGIN;\n" + statements + "\nCOMMIT;\n");
                LedgerFilter november = LedgerFilter.between(
                        Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
                assertThat(AnalyticsQueries.create(as(database, "dashboard"))
                                .grossMargin(november)
                                .current()
                                .requests())
                        .isZero();
            } finally {
                execute(
                        database.dataSource(),
                        "DROP OWNED BY ledger_owner; DROP OWNED BY gateway; DROP OWNED BY dashboard;"
                                + " DROP ROLE ledger_owner, gateway, dashboard");
            }
        }
    }

    @Test
    void theReadmeShowsThisExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"))
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));

        assertThat(readme).contains(ReadmeHostExampleTest.example(THIS_SOURCE, "grants-example"));
    }

    private static DataSource as(TestDatabase database, String role) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.jdbcUrl());
        dataSource.setUser(role);
        return dataSource;
    }

    private static void execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
