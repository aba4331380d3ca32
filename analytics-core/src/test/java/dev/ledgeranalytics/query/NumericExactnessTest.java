package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A million requests of a hundred-millionth of a dollar add up to exactly one cent, in every query. */
@AnalyticsDatabase
class NumericExactnessTest {

    private static final BigDecimal ONE_CENT = new BigDecimal("0.01000000");
    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    private final AnalyticsQueries queries;

    NumericExactnessTest(DataSource dataSource) {
        this.queries = AnalyticsQueries.create(dataSource);
    }

    @BeforeAll
    static void aMillionTinyRequests(DataSource dataSource) {
        Ledger ledger = new Ledger(dataSource).withProviders();
        ledger.execute("""
                INSERT INTO analytics.token_usage_ledger (request_id, user_id, model_id, provider_id, vendor_cost,
                    credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens, output_tokens,
                    user_tier, request_type)
                SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000a1', 'gpt-4o',
                       (SELECT id FROM analytics.providers WHERE slug = 'openai'), 0.00000001, 0, 2.00, 0.00000001,
                       'success', timestamptz '2026-11-01 00:00:00+00' + g * interval '2 seconds', 1, 1, 'pro', 'chat'
                FROM generate_series(0, 999999) AS g""");
    }

    @Test
    void grossMarginSumsToExactlyOneCent() {
        PeriodTotals totals = queries.grossMargin(NOVEMBER).current();

        assertThat(totals.requests()).isEqualTo(1_000_000);
        assertThat(totals.vendorCost()).isEqualTo(ONE_CENT);
        assertThat(totals.grossMargin()).isEqualTo(ONE_CENT);
        assertThat(totals.revenue()).isEqualTo(new BigDecimal("0.02000000"));
        assertThat(totals.marginRatio()).isEqualTo(new BigDecimal("0.500000"));
    }

    @Test
    void providerCostAndTrendSumToExactlyOneCent() {
        assertThat(queries.providerCosts(NOVEMBER))
                .singleElement()
                .satisfies(cost -> assertThat(cost.vendorCost()).isEqualTo(ONE_CENT))
                .satisfies(cost -> assertThat(cost.costShare()).isEqualTo(new BigDecimal("1.000000")));
        MarginTrend trend = queries.marginTrend(NOVEMBER, Granularity.DAY, ZoneId.of("UTC"));
        assertThat(trend.buckets().stream().map(TrendBucket::vendorCost).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualTo(ONE_CENT);
        assertThat(trend.buckets().get(0).vendorCost()).isEqualTo(new BigDecimal("0.00043200"));
    }

    @Test
    void costDistributionIsExactToo() {
        CostDistribution distribution = queries.costDistribution(NOVEMBER);

        assertThat(distribution.count()).isEqualTo(1_000_000);
        assertThat(distribution.mean()).isEqualTo(new BigDecimal("0.000000010000"));
        assertThat(distribution.p99()).isEqualTo(new BigDecimal("0.00000001"));
        assertThat(distribution.histogram())
                .singleElement()
                .satisfies(bucket -> assertThat(bucket.costSum()).isEqualTo(ONE_CENT));
        assertThat(queries.userBreakdown(NOVEMBER, UserSort.VENDOR_COST_DESC, 1, null)
                        .users())
                .singleElement()
                .satisfies(user -> assertThat(user.vendorCost()).isEqualTo(ONE_CENT));
    }
}
