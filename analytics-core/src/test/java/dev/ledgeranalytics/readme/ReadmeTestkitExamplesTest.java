package dev.ledgeranalytics.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestLedger;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The seeder and scenario examples of README.md, run as written; ReadmeHostExampleTest checks the text. */
@AnalyticsDatabase
class ReadmeTestkitExamplesTest {

    @Test
    void seedsAndAddsRows(DataSource dataSource) {
        UUID alice = UUID.randomUUID();
        Instant t = Instant.parse("2026-10-15T12:00:00Z");

        // spotless:off
        // README:seeder-example:start
        LedgerSeeder.into(dataSource)
                .rows(1_000_000)
                .between(Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
                .seed(42)
                .rebuildIndexes(true)      // for big loads into a test database
                .load();
        // README:seeder-example:end
        // spotless:on
        // spotless:off
        // README:scenario-example:start
        TestLedger.in(dataSource).row().user(alice).provider("anthropic").vendorCost("0.0025").credits(450).at(t).insert();
        // README:scenario-example:end
        // spotless:on

        LedgerFilter all = LedgerFilter.between(
                        Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
                .anyStatus();
        assertThat(AnalyticsQueries.create(dataSource)
                        .grossMargin(all)
                        .current()
                        .requests())
                .isEqualTo(1_000_001);
    }
}
