package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Cursors come back from a host's query string: whatever they hold is refused before it reaches the database. */
@AnalyticsDatabase
class ForgedCursorTest {

    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
    private static final String USER = "00000000-0000-0000-0000-000000000001";

    private final AnalyticsQueries queries;

    ForgedCursorTest(DataSource dataSource) {
        this.queries = AnalyticsQueries.create(dataSource);
    }

    private static String cursor(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyOfTwoHundredThousandDigitsIsRefusedNamingTheCursor() {
        String huge = cursor("u1;GROSS_MARGIN_DESC;" + "9".repeat(200_000) + ";" + USER);

        assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.GROSS_MARGIN_DESC, 50, huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cursor ")
                .hasMessageContaining("characters long");
    }

    @Test
    void aKeyWithMoreDigitsThanAnyTotalIsRefusedEvenInAShortCursor() {
        String longKey = cursor("u1;REVENUE_ASC;" + "1".repeat(101) + ";" + USER);
        String hugeExponent = cursor("u1;REVENUE_ASC;1E+999999999;" + USER);

        for (String forged : new String[] {longKey, hugeExponent}) {
            assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.REVENUE_ASC, 50, forged))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("cursor ")
                    .hasMessageContaining("digits");
        }
    }

    @Test
    void anInstantKeyOfTheYearOneBillionIsRefusedAsAnIllegalArgument() {
        String farFuture = cursor("u1;LAST_REQUEST_DESC;+1000000000-01-01T00:00:00Z;" + USER);
        String beyondInstants = cursor("u1;FIRST_REQUEST_ASC;+1000000001-01-01T00:00:00Z;" + USER);

        assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.LAST_REQUEST_DESC, 50, farFuture))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cursor ")
                .hasMessageContaining("key must lie between");
        assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.FIRST_REQUEST_ASC, 50, beyondInstants))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cursor ");
    }
}
