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
    void aMissingPrivilegeSaysWhereTheGrantsAreListedOnce() {
        SQLException denied = new SQLException("ERROR: permission denied for table rollup_state", "42501");

        AnalyticsException inner = new AnalyticsException("Computing the gross margin failed", denied);
        AnalyticsException outer = new AnalyticsException("Exporting users failed", inner);

        assertThat(inner)
                .hasMessage("Computing the gross margin failed: ERROR: permission denied for table rollup_state"
                        + " (the connected role lacks a privilege: the owner, writer and reader roles and their"
                        + " grants are in docs/roles.md; AnalyticsGrants applies them)");
        assertThat(outer.getMessage()).isEqualTo("Exporting users failed: " + inner.getMessage());
        assertThat(outer.sqlState()).contains("42501");
        assertThat(new AnalyticsException("failed", new SQLException("timeout", "57014")))
                .hasMessage("failed: timeout");
    }

    @Test
    void hasNoSqlStateWhenTheDatabaseReportedNone() {
        assertThat(new AnalyticsException("failed", new IllegalStateException("boom")).sqlState())
                .isEmpty();
        assertThat(new AnalyticsException("schema mismatch").sqlState()).isEmpty();
    }
}
