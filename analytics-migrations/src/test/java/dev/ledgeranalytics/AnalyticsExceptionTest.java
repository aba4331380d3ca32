package dev.ledgeranalytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class AnalyticsExceptionTest {

    @Test
    void takesTheSqlStateFromTheFirstSqlExceptionInTheCauseChain() {
        SQLException timeout = new SQLException("canceling statement due to statement timeout", "57014");
        RuntimeException wrapper = new RuntimeException("query failed", timeout);

        AnalyticsException e = new AnalyticsException("Computing gross margin failed", wrapper);

        assertThat(e.sqlState()).contains("57014");
        assertThat(e).hasMessage("Computing gross margin failed: query failed").hasCause(wrapper);
    }

    @Test
    void hasNoSqlStateWhenTheDatabaseReportedNone() {
        assertThat(new AnalyticsException("failed", new IllegalStateException("boom")).sqlState())
                .isEmpty();
        assertThat(new AnalyticsException("schema mismatch").sqlState()).isEmpty();
    }
}
