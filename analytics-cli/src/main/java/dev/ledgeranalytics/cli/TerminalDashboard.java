package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.PeriodTotals;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserUsage;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The dashboard as text for a terminal: KPI cards, bars and a block-character chart. */
final class TerminalDashboard {

    private static final String[] BLOCKS = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    private static final int BAR_WIDTH = 30;
    private static final int CHART_HEIGHT = 8;

    private TerminalDashboard() {}

    static void print(Dashboard dashboard, PrintWriter out) {
        PeriodTotals current = dashboard.kpis().current();
        out.printf(
                Locale.ROOT,
                "%nLedger Analytics  %s to %s (%s), statuses %s%n",
                Format.minute(current.from(), dashboard.zone()),
                Format.minute(current.to(), dashboard.zone()),
                dashboard.zone(),
                dashboard.filter().statuses().toString().toLowerCase(Locale.ROOT));
        kpis(dashboard.kpis(), out);
        providers(dashboard.providers(), out);
        trend(dashboard, out);
        costs(dashboard.costs(), out);
        users(dashboard, out);
        out.flush();
    }

    private static void kpis(GrossMargin kpis, PrintWriter out) {
        PeriodTotals now = kpis.current();
        out.printf(
                Locale.ROOT,
                "%n== Key figures (change vs previous %s) ==%n",
                Format.duration(
                        Duration.between(kpis.previous().from(), kpis.previous().to())));
        card(out, "Revenue", Format.usd(now.revenue()), kpis.revenueChange());
        card(out, "Vendor cost", Format.usd(now.vendorCost()), kpis.vendorCostChange());
        card(
                out,
                "Gross margin",
                Format.usd(now.grossMargin()) + "  (" + Format.percent(now.marginRatio()) + ")",
                kpis.grossMarginChange());
        card(out, "Requests", Format.count(now.requests()), kpis.requestsChange());
        out.printf(
                Locale.ROOT,
                "  %-14s %s in, %s out; %s credits%n",
                "Tokens",
                Format.count(now.inputTokens()),
                Format.count(now.outputTokens()),
                Format.count(now.credits()));
    }

    private static void card(PrintWriter out, String label, String value, BigDecimal change) {
        out.printf(Locale.ROOT, "  %-14s %-28s %s%n", label, value, Format.change(change));
    }

    private static void providers(List<ProviderCost> providers, PrintWriter out) {
        out.printf(Locale.ROOT, "%n== Cost per provider ==%n");
        if (providers.isEmpty()) {
            out.println("  no requests");
            return;
        }
        out.printf(
                Locale.ROOT, "  %-12s %12s %14s %14s  %s%n", "provider", "requests", "cost", "margin", "share of cost");
        for (ProviderCost provider : providers) {
            out.printf(
                    Locale.ROOT,
                    "  %-12s %12s %14s %14s  %s %s%n",
                    provider.slug(),
                    Format.count(provider.requests()),
                    Format.usd(provider.vendorCost()),
                    Format.usd(provider.grossMargin()),
                    bar(provider.costShare()),
                    Format.percent(provider.costShare()));
        }
    }

    private static void trend(Dashboard dashboard, PrintWriter out) {
        List<TrendBucket> buckets = dashboard.trend().buckets();
        out.printf(
                Locale.ROOT,
                "%n== Gross margin per %s ==%n",
                dashboard.trend().granularity().name().toLowerCase(Locale.ROOT));
        BigDecimal max = buckets.stream()
                .map(TrendBucket::grossMargin)
                .map(BigDecimal::abs)
                .reduce(BigDecimal.ZERO, BigDecimal::max);
        if (max.signum() == 0) {
            out.println("  no margin in this range");
            return;
        }
        for (int row = CHART_HEIGHT; row >= 1; row--) {
            StringBuilder line = new StringBuilder(
                    row == CHART_HEIGHT ? String.format(Locale.ROOT, "%12s ┤", Format.usd(max)) : "             │");
            for (TrendBucket bucket : buckets) {
                int eighths = bucket.grossMargin().signum() <= 0
                        ? 0
                        : bucket.grossMargin()
                                .multiply(BigDecimal.valueOf(CHART_HEIGHT * 8L))
                                .divide(max, 0, RoundingMode.HALF_UP)
                                .intValue();
                line.append(BLOCKS[Math.max(0, Math.min(8, eighths - (row - 1) * 8))]);
            }
            out.println(line);
        }
        out.printf(Locale.ROOT, "%12s └%s%n", "$0.00", "─".repeat(buckets.size()));
        out.printf(
                Locale.ROOT,
                "%14s%s … %s (%d buckets)%n",
                "",
                Format.day(buckets.get(0).start(), dashboard.zone()),
                Format.day(buckets.get(buckets.size() - 1).start(), dashboard.zone()),
                buckets.size());
    }

    private static void costs(CostDistribution costs, PrintWriter out) {
        out.printf(Locale.ROOT, "%n== Cost per request ==%n");
        if (costs.count() == 0) {
            out.println("  no requests");
            return;
        }
        out.printf(
                Locale.ROOT,
                "  %s requests; mean %s; p50 %s; p90 %s; p95 %s; p99 %s; max %s%n",
                Format.count(costs.count()),
                Format.usdPrecise(costs.mean()),
                Format.usdPrecise(costs.p50()),
                Format.usdPrecise(costs.p90()),
                Format.usdPrecise(costs.p95()),
                Format.usdPrecise(costs.p99()),
                Format.usdPrecise(costs.max()));
        long most =
                costs.histogram().stream().mapToLong(CostBucket::count).max().orElse(1);
        for (CostBucket bucket : costs.histogram()) {
            BigDecimal share =
                    BigDecimal.valueOf(bucket.count()).divide(BigDecimal.valueOf(most), 6, RoundingMode.HALF_EVEN);
            out.printf(
                    Locale.ROOT,
                    "  %13s – %-13s %s %s%n",
                    bucket.lower().stripTrailingZeros().toPlainString(),
                    bucket.upper().stripTrailingZeros().toPlainString(),
                    bar(share),
                    Format.count(bucket.count()));
        }
    }

    private static void users(Dashboard dashboard, PrintWriter out) {
        out.printf(Locale.ROOT, "%n== Top %d users by gross margin ==%n", Dashboard.TOP_USERS);
        if (dashboard.topUsers().isEmpty()) {
            out.println("  no requests");
            return;
        }
        out.printf(
                Locale.ROOT,
                "  %-36s %10s %12s %12s %9s  %s%n",
                "user",
                "requests",
                "revenue",
                "margin",
                "margin %",
                "last request");
        for (UserUsage user : dashboard.topUsers()) {
            out.printf(
                    Locale.ROOT,
                    "  %-36s %10s %12s %12s %9s  %s%n",
                    user.userId(),
                    Format.count(user.requests()),
                    Format.usd(user.revenue()),
                    Format.usd(user.grossMargin()),
                    Format.percent(user.marginRatio()),
                    Format.minute(user.lastRequest(), dashboard.zone()));
        }
    }

    /** A horizontal bar of {@value #BAR_WIDTH} cells for a fraction, in eighths of a cell. */
    static String bar(BigDecimal fraction) {
        if (fraction == null) {
            return " ".repeat(BAR_WIDTH);
        }
        int eighths = fraction.multiply(BigDecimal.valueOf(BAR_WIDTH * 8L))
                .setScale(0, RoundingMode.HALF_UP)
                .intValue();
        eighths = Math.max(0, Math.min(BAR_WIDTH * 8, eighths));
        String[] partial = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
        String bar = "█".repeat(eighths / 8) + partial[eighths % 8];
        return bar + " ".repeat(BAR_WIDTH - bar.length());
    }
}
