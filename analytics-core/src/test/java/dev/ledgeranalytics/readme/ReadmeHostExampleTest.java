package dev.ledgeranalytics.readme;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.MigrationResult;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** The host example in README.md is this code, compiled and run. */
class ReadmeHostExampleTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path THIS_SOURCE = Path.of("src/test/java/dev/ledgeranalytics/readme/ReadmeHostExampleTest.java");

    static long hostStartUp(DataSource dataSource) {
        // README:host-example:start
        MigrationResult result = AnalyticsMigrations.create(dataSource) // the host's pooled DataSource
                .withSchema("analytics")                                 // the default; any schema name works
                .migrate();                                              // idempotent: safe on every start-up

        DSLContext ledger = LedgerDsl.using(dataSource, result.schema());
        long requests = ledger.fetchCount(TOKEN_USAGE_LEDGER);
        // README:host-example:end
        return requests;
    }

    @Test
    void theExampleRunsOnAFreshDatabaseAndAgainOnTheMigratedOne() {
        try (TestDatabase database = TestDatabase.empty()) {
            assertThat(hostStartUp(database.dataSource())).isZero();
            assertThat(hostStartUp(database.dataSource())).isZero();
        }
    }

    @Test
    void theReadmeShowsExactlyThisExample() throws IOException {
        String source = Files.readString(THIS_SOURCE);
        String example = source.substring(source.indexOf("// README:host-example:start"), source.indexOf("// README:host-example:end"));
        List<String> lines = example.lines().skip(1).map(String::strip).filter(line -> !line.isEmpty()).toList();

        String readme = Files.readString(README).lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.joining("\n"));

        assertThat(lines).isNotEmpty();
        assertThat(readme).contains(String.join("\n", lines));
    }
}
