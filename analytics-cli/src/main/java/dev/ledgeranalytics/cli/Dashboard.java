package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import java.time.ZoneId;
import java.util.List;

/** The five panels of the dashboard for one filter, as the queries return them. */
record Dashboard(
        LedgerFilter filter,
        ZoneId zone,
        GrossMargin kpis,
        List<ProviderCost> providers,
        MarginTrend trend,
        CostDistribution costs,
        List<UserUsage> topUsers) {

    static final int TOP_USERS = 10;

    static Dashboard load(AnalyticsQueries queries, LedgerFilter filter, Granularity granularity, ZoneId zone) {
        return new Dashboard(
                filter,
                zone,
                queries.grossMargin(filter),
                queries.providerCosts(filter),
                queries.marginTrend(filter, granularity, zone),
                queries.costDistribution(filter),
                queries.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, TOP_USERS, null)
                        .users());
    }
}
