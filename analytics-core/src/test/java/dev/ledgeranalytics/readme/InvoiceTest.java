package dev.ledgeranalytics.readme;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The testkit example of README.md, run as written. */
// spotless:off
// README:testkit-example:start
@AnalyticsDatabase
class InvoiceTest {
    @Test
    void startsWithAnEmptyLedger(DataSource dataSource) {
        assertThat(LedgerDsl.using(dataSource).fetchCount(TOKEN_USAGE_LEDGER)).isZero();
    }
}
// README:testkit-example:end
// spotless:on
