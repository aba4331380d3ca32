package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.MigrationHistory;
import dev.ledgeranalytics.migration.SchemaMigration;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The README's sections on timeouts and on a failed migration are this code, compiled and run. */
class ReadmeOperationsExamplesTest {

    private static final Path THIS_SOURCE =
            Path.of("src/test/java/dev/ledgeranalytics/readme/ReadmeOperationsExamplesTest.java");

    static AnalyticsQueries timeouts(DataSource dataSource) {
        // README:timeouts-example:start
        String url = "jdbc:postgresql://db:5432/gateway"
                + "?connectTimeout=10&loginTimeout=20&socketTimeout=60"; // seconds; give it to your pool
        AnalyticsQueries queries = AnalyticsQueries.create(dataSource) // a pool over that URL
                .withStatementTimeout(Duration.ofSeconds(30)); // the server cancels first, cleanly
        // README:timeouts-example:end
        PGSimpleDataSource parsed = new PGSimpleDataSource();
        parsed.setUrl(url);
        assertThat(parsed.getConnectTimeout()).isEqualTo(10);
        assertThat(parsed.getLoginTimeout()).isEqualTo(20);
        assertThat(parsed.getSocketTimeout()).isEqualTo(60);
        return queries;
    }

    static MigrationHistory repair(DataSource dataSource) {
        // README:repair-example:start
        AnalyticsMigrations migrations = AnalyticsMigrations.create(dataSource);
        MigrationHistory history = migrations.history(); // history.failed(): [V2 (ledger indexes)]
        migrations.repair(); // forgets the failed run; V2 drops what it left
        migrations.migrate(); // and builds the indexes again
        // README:repair-example:end
        return history;
    }

    @Test
    void theTimeoutsExampleSetsAllThreeAndQueries() {
        try (TestDatabase database = TestDatabase.migrated()) {
            Instant now = Instant.parse("2026-11-25T12:00:00Z");

            AnalyticsQueries queries = timeouts(database.dataSource());

            assertThat(queries.grossMargin(LedgerFilter.between(now.minus(Duration.ofDays(30)), now))
                            .current()
                            .requests())
                    .isZero();
        }
    }

    @Test
    void theRepairExampleHealsAnInterruptedIndexBuild() throws SQLException {
        try (TestDatabase database = TestDatabase.empty()) {
            try (Connection connection = database.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("""
                        CREATE FUNCTION public.refuse_index_builds() RETURNS event_trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            IF current_query() LIKE 'CREATE INDEX CONCURRENTLY%' THEN
                                RAISE EXCEPTION 'interrupted';
                            END IF;
                        END $$""");
                statement.execute("CREATE EVENT TRIGGER refuse_index_builds ON ddl_command_start "
                        + "WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.refuse_index_builds()");
                assertThatThrownBy(AnalyticsMigrations.create(database.dataSource())::migrate)
                        .isInstanceOf(AnalyticsException.class)
                        .hasMessageContaining("interrupted");
                statement.execute("DROP EVENT TRIGGER refuse_index_builds");
            }

            MigrationHistory before = repair(database.dataSource());

            assertThat(before.failed()).containsExactly(new SchemaMigration("2", "ledger indexes"));
            assertThat(AnalyticsMigrations.create(database.dataSource())
                            .history()
                            .upToDate())
                    .isTrue();
        }
    }

    @Test
    void theReadmeShowsTheseExamples() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"))
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));

        assertThat(readme).contains(ReadmeHostExampleTest.example(THIS_SOURCE, "timeouts-example"));
        assertThat(readme).contains(ReadmeHostExampleTest.example(THIS_SOURCE, "repair-example"));
    }
}
