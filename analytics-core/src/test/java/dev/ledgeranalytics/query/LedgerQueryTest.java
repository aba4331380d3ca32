package dev.ledgeranalytics.query;

import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;

/** What the hand-written query fixtures share: a migrated database, emptied before each test. */
@AnalyticsDatabase
abstract class LedgerQueryTest {

    final Ledger ledger;
    final AnalyticsQueries queries;

    LedgerQueryTest(DataSource dataSource) {
        this.ledger = new Ledger(dataSource);
        this.queries = AnalyticsQueries.create(dataSource);
    }

    @BeforeEach
    void emptyLedger() {
        ledger.execute("TRUNCATE analytics.token_usage_ledger, analytics.providers");
        ledger.withProviders();
    }
}
