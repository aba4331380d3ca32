package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.Row;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UserBreakdownTest extends LedgerQueryTest {

    private static final LedgerFilter NOVEMBER = LedgerFilter.between(
                    Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"))
            .anyStatus();

    UserBreakdownTest(DataSource dataSource) {
        super(dataSource);
    }

    @BeforeEach
    void ledgerWithTiedUsers() {
        // Seven users: several share a request count, a cost, a margin; one has no revenue at all.
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < 7; u++) {
            UUID user = UUID.fromString("00000000-0000-0000-0000-00000000000" + u);
            for (int r = 0; r <= u % 3; r++) {
                String cost = u == 6 ? "0" : "0.0" + (u % 2 + 1) + "000000";
                String margin = u == 6 ? "0" : (u == 5 ? "-0.00500000" : "0.00" + (u % 3 + 1) + "00000");
                rows.add(Row.at("2026-11-0" + (u + 1) + "T0" + r + ":00:00Z", cost, margin)
                        .user(user)
                        .tokens(100 * (u % 2), 10, 1));
            }
        }
        ledger.insert(rows);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(UserSort.class)
    void pagesThroughEveryUserOnceInTheOrderOfTheSortWithTiesBrokenByUserId(UserSort sort) {
        List<UserUsage> expected = Oracle.users(ledger.readBack(), NOVEMBER, sort);

        List<UserUsage> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            UserPage page = queries.userBreakdown(NOVEMBER, sort, 2, cursor);
            paged.addAll(page.users());
            cursor = page.next();
            pages++;
        } while (cursor != null);

        assertThat(paged).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void reportsEachUsersTotalsAndActivitySpan() {
        UserPage page = queries.userBreakdown(
                NOVEMBER.users(UUID.fromString("00000000-0000-0000-0000-000000000002")),
                UserSort.REQUESTS_DESC,
                10,
                null);

        assertThat(page.hasNext()).isFalse();
        assertThat(page.users()).singleElement().satisfies(user -> {
            assertThat(user.requests()).isEqualTo(3);
            assertThat(user.inputTokens()).isZero();
            assertThat(user.outputTokens()).isEqualTo(30);
            assertThat(user.totalTokens()).isEqualTo(30);
            assertThat(user.vendorCost()).isEqualTo(new BigDecimal("0.03000000"));
            assertThat(user.grossMargin()).isEqualTo(new BigDecimal("0.00900000"));
            assertThat(user.revenue()).isEqualTo(new BigDecimal("0.03900000"));
            assertThat(user.marginRatio()).isEqualTo(new BigDecimal("0.230769"));
            assertThat(user.firstRequest()).isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
            assertThat(user.lastRequest()).isEqualTo(Instant.parse("2026-11-03T02:00:00Z"));
        });
    }

    @Test
    void aUserWithoutRevenueHasNoMarginRatioAndSortsLowest() {
        List<UserUsage> ascending = queries.userBreakdown(NOVEMBER, UserSort.MARGIN_RATIO_ASC, 1000, null)
                .users();

        assertThat(ascending.get(0).userId()).isEqualTo(UUID.fromString("00000000-0000-0000-0000-000000000006"));
        assertThat(ascending.get(0).marginRatio()).isNull();
        assertThat(ascending.get(1).marginRatio()).isNegative();
    }

    @Test
    void aLastPageThatIsExactlyFullHasNoNextCursor() {
        UserPage all = queries.userBreakdown(NOVEMBER, UserSort.VENDOR_COST_DESC, 7, null);

        assertThat(all.users()).hasSize(7);
        assertThat(all.next()).isNull();
    }

    @Test
    void refusesPageSizesOutsideOneToAThousand() {
        for (int size : new int[] {0, -1, 1001}) {
            assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.REQUESTS_DESC, size, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pageSize")
                    .hasMessageContaining(String.valueOf(size));
        }
        assertThat(queries.userBreakdown(NOVEMBER, UserSort.REQUESTS_DESC, 1000, null)
                        .users())
                .hasSize(7);
    }

    @Test
    void refusesACursorOfAnotherSortOrOneThatWasTamperedWith() {
        String cursor =
                queries.userBreakdown(NOVEMBER, UserSort.REQUESTS_DESC, 2, null).next();
        String forged = Base64.getUrlEncoder().encodeToString("u1;REQUESTS_DESC;x;y".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.REVENUE_DESC, 2, cursor))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cursor")
                .hasMessageContaining("REQUESTS_DESC");
        for (String bad : new String[] {"not base64 !", forged, "", cursor.substring(0, cursor.length() - 3)}) {
            assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, UserSort.REQUESTS_DESC, 2, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cursor");
        }
        assertThatThrownBy(() -> queries.userBreakdown(NOVEMBER, null, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sort");
    }
}
