package dev.ledgeranalytics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every dashboard query's answer for some filters, by a name that says which call gave it: all
 * five queries, the user breakdown's second page included, so that two ways of reading compare
 * in one assertion.
 *
 * @param answers each answer by the call that gave it, in call order
 */
public record DashboardAnswers(Map<String, Object> answers) {

    /** Calls every query for each filter; trends by day in New York and by week in Kathmandu (+05:45). */
    public static DashboardAnswers of(AnalyticsQueries queries, List<LedgerFilter> filters) {
        Map<String, Object> answers = new LinkedHashMap<>();
        for (LedgerFilter filter : filters) {
            answers.put("grossMargin, " + filter, queries.grossMargin(filter));
            answers.put("providerCosts, " + filter, queries.providerCosts(filter));
            answers.put(
                    "marginTrend by day in New York, " + filter,
                    queries.marginTrend(filter, Granularity.DAY, ZoneId.of("America/New_York")));
            answers.put(
                    "marginTrend by week in Kathmandu, " + filter,
                    queries.marginTrend(filter, Granularity.WEEK, ZoneId.of("Asia/Kathmandu")));
            answers.put("costDistribution, " + filter, queries.costDistribution(filter));
            answers.put("costDistributionByModel, " + filter, queries.costDistributionByModel(filter));
            UserPage first = queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, null);
            answers.put("userBreakdown, " + filter, first);
            if (first.next() != null) {
                answers.put(
                        "userBreakdown's second page, " + filter,
                        queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 5, first.next()));
            }
        }
        return new DashboardAnswers(answers);
    }

    /**
     * Asserts that these answers, read through the rollups, equal {@code exact}, read from the
     * ledger alone: identical, but for the cost distribution's percentiles, which are within 1 %.
     */
    public void assertEquivalentTo(DashboardAnswers exact, String context) {
        assertThat(answers.keySet()).as(context).containsExactlyElementsOf(exact.answers.keySet());
        answers.forEach((call, answer) -> {
            Object expected = exact.answers.get(call);
            if (answer instanceof CostDistribution distribution) {
                try {
                    CostDistributions.assertEquivalent(distribution, (CostDistribution) expected);
                } catch (AssertionError e) {
                    throw new AssertionError(context + ": " + call + ": " + e.getMessage(), e);
                }
            } else {
                assertThat(answer).as("%s: %s", context, call).isEqualTo(expected);
            }
        });
    }
}
