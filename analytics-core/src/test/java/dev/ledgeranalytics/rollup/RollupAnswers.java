package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.testing.CostDistributions;
import java.time.ZoneId;
import javax.sql.DataSource;

/**
 * Asserts that every query answers the same through the rollups as from the ledger alone:
 * identical records, but for the cost distribution's percentiles (see {@link CostDistributions}).
 */
final class RollupAnswers {

    private final AnalyticsQueries viaRollups;
    private final AnalyticsQueries raw;

    RollupAnswers(DataSource dataSource) {
        this.viaRollups = AnalyticsQueries.create(dataSource);
        this.raw = viaRollups.withRawReads();
    }

    AnalyticsQueries viaRollups() {
        return viaRollups;
    }

    AnalyticsQueries raw() {
        return raw;
    }

    /** All five queries, the user breakdown's second page included when there is one. */
    void assertSame(
            String context, LedgerFilter filter, Granularity granularity, ZoneId zone, UserSort sort, int pageSize) {
        String where = context + "; " + filter;
        assertThat(viaRollups.grossMargin(filter)).as("grossMargin, %s", where).isEqualTo(raw.grossMargin(filter));
        assertThat(viaRollups.providerCosts(filter))
                .as("providerCosts, %s", where)
                .isEqualTo(raw.providerCosts(filter));
        assertThat(viaRollups.marginTrend(filter, granularity, zone))
                .as("marginTrend by %s in %s, %s", granularity, zone, where)
                .isEqualTo(raw.marginTrend(filter, granularity, zone));
        try {
            CostDistributions.assertEquivalent(viaRollups.costDistribution(filter), raw.costDistribution(filter));
        } catch (AssertionError e) {
            throw new AssertionError("costDistribution, " + where + ": " + e.getMessage(), e);
        }
        UserPage first = viaRollups.userBreakdown(filter, sort, pageSize, null);
        assertThat(first)
                .as("userBreakdown by %s, %d a page, %s", sort, pageSize, where)
                .isEqualTo(raw.userBreakdown(filter, sort, pageSize, null));
        if (first.next() != null) {
            assertThat(viaRollups.userBreakdown(filter, sort, pageSize, first.next()))
                    .as("userBreakdown's second page by %s, %d a page, %s", sort, pageSize, where)
                    .isEqualTo(raw.userBreakdown(filter, sort, pageSize, first.next()));
        }
    }
}
