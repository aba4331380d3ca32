package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testing.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class ProviderCostTest extends LedgerQueryTest {

    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    ProviderCostTest(DataSource dataSource) {
        super(dataSource);
    }

    @Test
    void sortsByCostDescendingWithNamesFromTheProvidersTable() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0.10000000", "0.05000000").tokens(10, 1, 1),
                Row.at("2026-11-03T00:00:00Z", "0.20000000", "0.05000000").tokens(20, 2, 2),
                Row.at("2026-11-02T00:00:00Z", "0.60000000", "-0.10000000")
                        .provider("anthropic")
                        .tokens(30, 3, 3),
                Row.at("2026-11-02T00:00:00Z", "0.10000000", "0.10000000")
                        .provider("google")
                        .tokens(40, 4, 4));

        List<ProviderCost> costs = queries.providerCosts(NOVEMBER);

        assertThat(costs).extracting(ProviderCost::slug).containsExactly("anthropic", "openai", "google");
        ProviderCost openai = costs.get(1);
        assertThat(openai.displayName()).isEqualTo("OpenAI");
        assertThat(openai.requests()).isEqualTo(2);
        assertThat(openai.inputTokens()).isEqualTo(30);
        assertThat(openai.outputTokens()).isEqualTo(3);
        assertThat(openai.vendorCost()).isEqualTo(new BigDecimal("0.30000000"));
        assertThat(openai.revenue()).isEqualTo(new BigDecimal("0.40000000"));
        assertThat(openai.grossMargin()).isEqualTo(new BigDecimal("0.10000000"));
        assertThat(costs.get(0).grossMargin()).isEqualTo(new BigDecimal("-0.10000000"));
        assertThat(costs)
                .extracting(ProviderCost::costShare)
                .containsExactly(new BigDecimal("0.600000"), new BigDecimal("0.300000"), new BigDecimal("0.100000"));
    }

    @Test
    void sharesThatRoundUnevenlyStillAddUpToExactlyOne() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "1.00000000", "0"),
                Row.at("2026-11-02T00:00:00Z", "1.00000000", "0").provider("anthropic"),
                Row.at("2026-11-02T00:00:00Z", "1.00000000", "0").provider("google"));

        List<ProviderCost> costs = queries.providerCosts(NOVEMBER);

        assertThat(costs).extracting(ProviderCost::slug).containsExactly("anthropic", "google", "openai");
        assertThat(costs)
                .extracting(ProviderCost::costShare)
                .containsExactly(new BigDecimal("0.333334"), new BigDecimal("0.333333"), new BigDecimal("0.333333"));
        assertThat(costs.stream().map(ProviderCost::costShare).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("1");
    }

    @Test
    void freeRequestsHaveNoCostShare() {
        ledger.insert(Row.at("2026-11-02T00:00:00Z", "0", "0.01000000"));

        assertThat(queries.providerCosts(NOVEMBER))
                .singleElement()
                .satisfies(cost -> assertThat(cost.costShare()).isNull())
                .satisfies(cost -> assertThat(cost.revenue()).isEqualTo(new BigDecimal("0.01000000")));
    }

    @Test
    void leavesOutProvidersWithoutMatchingRequests() {
        ledger.insert(Row.at("2026-10-31T23:59:59Z", "1.00000000", "0").provider("mistral"));

        assertThat(queries.providerCosts(NOVEMBER)).isEmpty();
        assertThat(queries.providerCosts(NOVEMBER.providers(List.of()))).isEmpty();
    }
}
