package com.example.gateway;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

// README:boot-controller:start
@RestController
class DashboardController {

    private final AnalyticsQueries queries; // from the starter

    DashboardController(AnalyticsQueries queries) {
        this.queries = queries;
    }

    record Dashboard(
            GrossMargin kpis,
            List<ProviderCost> providers,
            MarginTrend trend,
            CostDistribution costs,
            UserPage topUsers) {}

    @GetMapping("/dashboard")
    Dashboard dashboard(
            @RequestParam Instant from, @RequestParam Instant to, @RequestParam(defaultValue = "UTC") String zone) {
        LedgerFilter range = LedgerFilter.between(from, to);
        return new Dashboard(
                queries.grossMargin(range),
                queries.providerCosts(range),
                queries.marginTrend(range, Granularity.DAY, zone),
                queries.costDistribution(range),
                queries.userBreakdown(range, UserSort.GROSS_MARGIN_DESC, 10, null));
    }

    /** The library names the parameter and value of a bad request, such as a range that ends before it starts. */
    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
// README:boot-controller:end
