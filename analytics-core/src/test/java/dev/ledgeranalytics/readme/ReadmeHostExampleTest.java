package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.MigrationResult;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The examples in README.md are this code, {@link InvoiceTest} and the testkit examples, compiled and run. */
class ReadmeHostExampleTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path THIS_SOURCE =
            Path.of("src/test/java/dev/ledgeranalytics/readme/ReadmeHostExampleTest.java");
    private static final Path MIGRATIONS_TEST = Path.of("src/test/java/dev/ledgeranalytics/schema/MigrationsTest.java");

    static GrossMargin hostStartUp(DataSource dataSource, Instant now) {
        // spotless:off
        // README:host-example:start
        MigrationResult result = AnalyticsMigrations.create(dataSource) // the host's pooled DataSource
                .withSchema("analytics")                                 // the default; any schema name works
                .migrate();                                              // idempotent: safe on every start-up

        AnalyticsQueries queries = AnalyticsQueries.create(dataSource)
                .withSchema(result.schema())
                .withStatementTimeout(Duration.ofSeconds(10));
        LedgerFilter last30Days = LedgerFilter.between(now.minus(Duration.ofDays(30)), now);

        GrossMargin kpi = queries.grossMargin(last30Days);               // with the previous 30 days
        MarginTrend daily = queries.marginTrend(last30Days, Granularity.DAY, ZoneId.of("America/New_York"));
        UserPage topUsers = queries.userBreakdown(last30Days, UserSort.GROSS_MARGIN_DESC, 50, null);
        // README:host-example:end
        // spotless:on
        assertThat(daily.buckets()).hasSizeBetween(30, 31);
        assertThat(topUsers.users()).isEmpty();
        return kpi;
    }

    static Rollups rollupsExample(DataSource dataSource, ScheduledExecutorService scheduler) {
        // spotless:off
        // README:rollups-example:start
        Rollups rollups = Rollups.create(dataSource);   // .withSchema(...) like the queries
        rollups.refresh();                              // the first call builds them from the whole ledger
        scheduler.scheduleWithFixedDelay(rollups::refresh, 1, 1, TimeUnit.MINUTES);
        // README:rollups-example:end
        // spotless:on
        return rollups;
    }

    @Test
    void theRollupsExampleBuildsThemAndSchedulesRefreshes() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (TestDatabase database = TestDatabase.migrated()) {
            TestLedger.in(database.dataSource())
                    .row()
                    .at(Instant.parse("2026-11-20T10:07:00Z"))
                    .vendorCost("0.00250000")
                    .insert();
            Rollups rollups = rollupsExample(database.dataSource(), scheduler);
            assertThat(rollups.status().built()).isTrue();
            assertThat(rollups.status().pendingQuarterHours()).isZero();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void theExampleRunsOnAFreshDatabaseAndAgainOnTheMigratedOne() {
        try (TestDatabase database = TestDatabase.empty()) {
            Instant now = Instant.parse("2026-11-25T12:00:00Z");
            assertThat(hostStartUp(database.dataSource(), now).current().requests())
                    .isZero();
            assertThat(hostStartUp(database.dataSource(), now).previous().requests())
                    .isZero();
        }
    }

    @Test
    void theReadmeShowsExactlyTheseExamples() throws IOException {
        String readme = Files.readString(README)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));

        assertThat(readme).contains(example(THIS_SOURCE, "host-example"));
        assertThat(readme).contains(example(THIS_SOURCE, "rollups-example"));
        assertThat(readme).contains(example(MIGRATIONS_TEST, "flyway-example"));
        assertThat(readme).contains(example(THIS_SOURCE.resolveSibling("InvoiceTest.java"), "testkit-example"));
        assertThat(readme)
                .contains(example(THIS_SOURCE.resolveSibling("ReadmeTestkitExamplesTest.java"), "seeder-example"));
        assertThat(readme)
                .contains(example(THIS_SOURCE.resolveSibling("ReadmeTestkitExamplesTest.java"), "scenario-example"));
    }

    /** The lines between a source file's README markers, stripped of indentation. */
    /** The file's lines, stripped and without blank ones, so that indentation cannot hide an example. */
    static String strippedLines(Path file) throws IOException {
        return Files.readString(file)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));
    }

    static String example(Path source, String name) throws IOException {
        String text = Files.readString(source);
        String example = text.substring(
                text.indexOf("// README:" + name + ":start"), text.indexOf("// README:" + name + ":end"));
        List<String> lines = example.lines()
                .skip(1)
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
        assertThat(lines).as(name).isNotEmpty();
        return String.join("\n", lines);
    }
}
