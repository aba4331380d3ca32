package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import java.time.ZoneId;

/**
 * The five dashboard queries as the benchmark calls them, each with the seed report's target
 * and "acceptable" limit at 100k rows where it states one.
 */
enum DashboardQuery {
    GROSS_MARGIN("grossMargin", "Gross Margin KPI", "50–200", 500) {
        @Override
        Object run(AnalyticsQueries queries, LedgerFilter filter) {
            return queries.grossMargin(filter);
        }
    },
    PROVIDER_COSTS("providerCosts", "Provider Cost Breakdown", "100–300", 700) {
        @Override
        Object run(AnalyticsQueries queries, LedgerFilter filter) {
            return queries.providerCosts(filter);
        }
    },
    MARGIN_TREND("marginTrend", "Margin Trend (30 days)", "200–500", 1000) {
        @Override
        Object run(AnalyticsQueries queries, LedgerFilter filter) {
            return queries.marginTrend(filter, Granularity.DAY, TREND_ZONE);
        }
    },
    COST_DISTRIBUTION("costDistribution", "Cost Distribution", "300–600", 1200) {
        @Override
        Object run(AnalyticsQueries queries, LedgerFilter filter) {
            return queries.costDistribution(filter);
        }
    },
    USER_BREAKDOWN("userBreakdown", null, null, null) {
        @Override
        Object run(AnalyticsQueries queries, LedgerFilter filter) {
            return queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, USER_PAGE, null);
        }
    };

    /** A zone with DST, as a dashboard in New York would ask for daily buckets. */
    static final ZoneId TREND_ZONE = ZoneId.of("America/New_York");
    /** The first page of the per-user table, as a dashboard shows it. */
    static final int USER_PAGE = 50;

    private final String method;
    private final String seedName;
    private final String seedTarget;
    private final Integer seedAcceptableMs;

    DashboardQuery(String method, String seedName, String seedTarget, Integer seedAcceptableMs) {
        this.method = method;
        this.seedName = seedName;
        this.seedTarget = seedTarget;
        this.seedAcceptableMs = seedAcceptableMs;
    }

    /** Runs the query; the result is returned so that no step of reading it can be skipped. */
    abstract Object run(AnalyticsQueries queries, LedgerFilter filter);

    /** The {@code AnalyticsQueries} method, as the report names the row. */
    String method() {
        return method;
    }

    /** The rollups' target for a year at ten million rows: p95 in milliseconds. */
    int rollupTargetMs() {
        return this == USER_BREAKDOWN ? 100 : 50;
    }

    /** The seed report's name for the query, or {@code null} where it states no target. */
    String seedName() {
        return seedName;
    }

    /** The seed report's target in milliseconds, such as {@code 50–200}, or {@code null}. */
    String seedTarget() {
        return seedTarget;
    }

    /** The seed report's "acceptable" limit in milliseconds, or {@code null}. */
    Integer seedAcceptableMs() {
        return seedAcceptableMs;
    }
}
