package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.ReplicatedDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read-replica examples of README.md and docs/scale-out.md are this code, the retry of
 * {@code ReplicaConflictTest} and the lag queries of the guide, compiled and run against a
 * primary with a streaming replica.
 */
class ReadmeReplicaExampleTest {

    private static final Path THIS_SOURCE =
            Path.of("src/test/java/dev/ledgeranalytics/readme/ReadmeReplicaExampleTest.java");
    private static final Path GUIDE = Path.of("..", "docs", "scale-out.md");

    /** What the host builds from its two data sources. */
    record Routes(AnalyticsQueries dashboard, CsvExporter exports, Rollups rollups) {}

    static Routes routes(DataSource primary, DataSource replica) {
        // spotless:off
        // README:replica-example:start
        AnalyticsMigrations.create(primary).migrate();                  // schema changes: on the primary
        Rollups rollups = Rollups.create(primary);                      // builds and refreshes: on the primary

        AnalyticsQueries dashboard = AnalyticsQueries.create(replica)   // the dashboard's reads: on the replica
                .withStatementTimeout(Duration.ofSeconds(10));
        CsvExporter exports = CsvExporter.create(replica);              // so are the exports
        // README:replica-example:end
        // spotless:on
        return new Routes(dashboard, exports, rollups);
    }

    @BeforeAll
    static void needsAPrimaryWithAReplica() {
        ReplicatedDatabase.assumeAvailable();
    }

    @Test
    void theRoutingExampleReadsOnTheReplicaWhatThePrimaryWroteAndRefreshed() {
        try (ReplicatedDatabase database = ReplicatedDatabase.migrated()) {
            Instant at = Instant.parse("2026-11-20T10:07:00Z");
            TestLedger.in(database.primary())
                    .row()
                    .at(at)
                    .vendorCost("0.00250000")
                    .insert();
            LedgerFilter november =
                    LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

            Routes routes = routes(database.primary(), database.replica());
            routes.rollups().refresh();
            database.awaitReplay();

            assertThat(Rollups.create(database.replica()).status().built()).isTrue();
            assertThat(routes.dashboard().grossMargin(november))
                    .isEqualTo(AnalyticsQueries.create(database.primary()).grossMargin(november));
            assertThat(routes.dashboard().grossMargin(november).current().requests())
                    .isOne();
            StringWriter csv = new StringWriter();
            assertThat(routes.exports().exportLedger(november, csv)).isOne();
            assertThat(csv.toString()).contains("2026-11-20T10:07:00Z");
        }
    }

    /** The guide's first SQL block (on the replica's lag) runs on the replica, its second on the primary. */
    @Test
    void theGuidesLagQueriesRunWhereItSays() throws IOException, SQLException {
        List<String> queries = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(GUIDE))
                .results()
                .map(block -> block.group(1))
                .toList();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(2);

        try (ReplicatedDatabase database = ReplicatedDatabase.migrated()) {
            assertThat(firstRow(database.replica(), queries.get(0))).startsWith("t|");
            assertThat(firstRow(database.primary(), queries.get(1))).contains("|streaming|");
        }
    }

    @Test
    void theReadmeAndTheGuideShowTheseExamples() throws IOException {
        String example = ReadmeHostExampleTest.example(THIS_SOURCE, "replica-example");
        String retry = ReadmeHostExampleTest.example(
                Path.of("src/test/java/dev/ledgeranalytics/replica/ReplicaConflictTest.java"), "retry-example");

        assertThat(ReadmeHostExampleTest.strippedLines(Path.of("..", "README.md")))
                .contains(example);
        assertThat(ReadmeHostExampleTest.strippedLines(GUIDE)).contains(example).contains(retry);
    }

    /** The first row a query returns, its columns as text joined by {@code |}. */
    private static String firstRow(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as(sql).isTrue();
            StringBuilder row = new StringBuilder();
            for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                row.append(column > 1 ? "|" : "").append(rows.getString(column));
            }
            return row.toString();
        }
    }
}
