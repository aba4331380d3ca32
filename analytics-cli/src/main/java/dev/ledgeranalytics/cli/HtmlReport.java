package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.PeriodTotals;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * The dashboard as one self-contained HTML file: inline CSS and SVG charts, no scripts, nothing
 * fetched from anywhere. Written as well-formed XHTML so that any XML parser can check it.
 */
final class HtmlReport {

    private static final String[] PALETTE = {"#3b6fd6", "#e07b39", "#2e9e6b", "#b04fc4", "#c9a227", "#5a6270"};

    private HtmlReport() {}

    static String render(Dashboard dashboard) {
        PeriodTotals current = dashboard.kpis().current();
        StringBuilder html = new StringBuilder(32_768);
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>Ledger Analytics — ")
                .append(escape(Format.day(current.from(), dashboard.zone())))
                .append(" to ")
                .append(escape(Format.day(current.to(), dashboard.zone())))
                .append("</title>\n<style>\n")
                .append(
                        "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;")
                .append("color:#1d2430;background:#f6f7f9}h1{font-size:1.5rem;margin-bottom:.25rem}")
                .append(
                        ".sub{color:#5a6270;margin-top:0}section{background:#fff;border-radius:10px;padding:1.25rem 1.5rem;")
                .append("margin:1.25rem 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{font-size:1.1rem;margin-top:0}")
                .append(".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:1rem}")
                .append(
                        ".card{border:1px solid #e3e6eb;border-radius:8px;padding:.75rem 1rem}.card .label{color:#5a6270;font-size:.85rem}")
                .append(
                        ".card .value{font-size:1.4rem;font-weight:600;margin:.25rem 0}.up{color:#2e9e6b}.down{color:#c0392b}")
                .append(
                        "table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:right;padding:.35rem .5rem;")
                .append("border-bottom:1px solid #eef0f3}th:first-child,td:first-child{text-align:left}")
                .append(
                        "td.mono{font-family:ui-monospace,monospace;font-size:.8rem}svg text{font-size:11px;fill:#5a6270}\n")
                .append("</style>\n</head>\n<body>\n<h1>Ledger Analytics</h1>\n<p class=\"sub\">")
                .append(escape(Format.minute(current.from(), dashboard.zone())))
                .append(" to ")
                .append(escape(Format.minute(current.to(), dashboard.zone())))
                .append(" (")
                .append(escape(dashboard.zone().toString()))
                .append("), statuses ")
                .append(escape(dashboard.filter().statuses().toString().toLowerCase(Locale.ROOT)))
                .append("</p>\n");
        kpis(dashboard.kpis(), html);
        providers(dashboard.providers(), html);
        trend(dashboard, html);
        costs(dashboard.costs(), html);
        users(dashboard, html);
        return html.append("</body>\n</html>\n").toString();
    }

    private static void kpis(GrossMargin kpis, StringBuilder html) {
        PeriodTotals now = kpis.current();
        html.append(
                "<section id=\"kpis\">\n<h2>Key figures, against the previous period of equal length</h2>\n<div class=\"cards\">\n");
        card(html, "Revenue", Format.usd(now.revenue()), kpis.revenueChange());
        card(html, "Vendor cost", Format.usd(now.vendorCost()), kpis.vendorCostChange());
        card(
                html,
                "Gross margin (" + Format.percent(now.marginRatio()) + ")",
                Format.usd(now.grossMargin()),
                kpis.grossMarginChange());
        card(html, "Requests", Format.count(now.requests()), kpis.requestsChange());
        html.append("</div>\n</section>\n");
    }

    private static void card(StringBuilder html, String label, String value, BigDecimal change) {
        String trend = change == null ? "" : change.signum() >= 0 ? "up" : "down";
        html.append("<div class=\"card\"><div class=\"label\">")
                .append(escape(label))
                .append("</div><div class=\"value\">")
                .append(escape(value))
                .append("</div><div class=\"")
                .append(trend)
                .append("\">")
                .append(escape(Format.change(change)))
                .append(" vs previous</div></div>\n");
    }

    private static void providers(List<ProviderCost> providers, StringBuilder html) {
        html.append("<section id=\"providers\">\n<h2>Cost per provider</h2>\n");
        int rowHeight = 26;
        int width = 640;
        html.append(
                svgOpen(width, Math.max(1, providers.size()) * rowHeight + 10, "Share of vendor cost per provider"));
        for (int i = 0; i < providers.size(); i++) {
            ProviderCost provider = providers.get(i);
            double share =
                    provider.costShare() == null ? 0 : provider.costShare().doubleValue();
            int y = 5 + i * rowHeight;
            html.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\">%s</text>", y + 16, escape(provider.slug())))
                    .append(String.format(
                            Locale.ROOT,
                            "<rect x=\"110\" y=\"%d\" width=\"%.1f\" height=\"18\" rx=\"3\" fill=\"%s\"/>",
                            y + 3,
                            share * 440,
                            PALETTE[i % PALETTE.length]))
                    .append(String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
                            116 + share * 440,
                            y + 16,
                            escape(Format.percent(provider.costShare()))));
        }
        html.append("</svg>\n<table><thead><tr><th>Provider</th><th>Requests</th><th>Tokens in</th><th>Tokens out</th>")
                .append(
                        "<th>Vendor cost</th><th>Revenue</th><th>Gross margin</th><th>Share</th></tr></thead><tbody>\n");
        for (ProviderCost provider : providers) {
            html.append("<tr><td>")
                    .append(escape(provider.displayName()))
                    .append("</td><td>")
                    .append(Format.count(provider.requests()))
                    .append("</td><td>")
                    .append(Format.count(provider.inputTokens()))
                    .append("</td><td>")
                    .append(Format.count(provider.outputTokens()))
                    .append("</td><td>")
                    .append(escape(Format.usd(provider.vendorCost())))
                    .append("</td><td>")
                    .append(escape(Format.usd(provider.revenue())))
                    .append("</td><td>")
                    .append(escape(Format.usd(provider.grossMargin())))
                    .append("</td><td>")
                    .append(escape(Format.percent(provider.costShare())))
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table>\n</section>\n");
    }

    private static void trend(Dashboard dashboard, StringBuilder html) {
        List<TrendBucket> buckets = dashboard.trend().buckets();
        html.append("<section id=\"trend\">\n<h2>Revenue, cost and gross margin per ")
                .append(dashboard.trend().granularity().name().toLowerCase(Locale.ROOT))
                .append("</h2>\n");
        int width = 960;
        int height = 260;
        int left = 70;
        int bottom = 230;
        BigDecimal max =
                buckets.stream().map(TrendBucket::revenue).reduce(BigDecimal.ONE.movePointLeft(8), BigDecimal::max);
        html.append(svgOpen(width, height, "Revenue, vendor cost and gross margin over time"));
        html.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c9ced6\"/>",
                        left,
                        bottom,
                        width - 10,
                        bottom))
                .append(String.format(
                        Locale.ROOT,
                        "<text x=\"0\" y=\"20\">%s</text><text x=\"0\" y=\"%d\">$0</text>\n",
                        escape(Format.usd(max)),
                        bottom));
        double step = (width - left - 10.0) / buckets.size();
        String[] series = {"revenue", "vendor cost", "gross margin"};
        String[] colours = {PALETTE[0], PALETTE[1], PALETTE[2]};
        for (int s = 0; s < series.length; s++) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < buckets.size(); i++) {
                TrendBucket bucket = buckets.get(i);
                BigDecimal value = s == 0 ? bucket.revenue() : s == 1 ? bucket.vendorCost() : bucket.grossMargin();
                double y = bottom - value.divide(max, 6, RoundingMode.HALF_EVEN).doubleValue() * (bottom - 20);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + step * (i + 0.5), y));
            }
            html.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(colours[s])
                    .append("\" points=\"")
                    .append(points.toString().strip())
                    .append("\"/>\n")
                    .append(String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" style=\"fill:%s\">%s</text>\n",
                            left + 10 + s * 110,
                            height - 5,
                            colours[s],
                            series[s]));
        }
        html.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                left,
                bottom + 14,
                escape(Format.day(buckets.get(0).start(), dashboard.zone())),
                width - 10,
                bottom + 14,
                escape(Format.day(buckets.get(buckets.size() - 1).start(), dashboard.zone()))));
        html.append("</svg>\n</section>\n");
    }

    private static void costs(CostDistribution costs, StringBuilder html) {
        html.append("<section id=\"costs\">\n<h2>Vendor cost per request</h2>\n");
        if (costs.count() == 0) {
            html.append("<p>No requests in this range.</p>\n</section>\n");
            return;
        }
        html.append("<p>")
                .append(Format.count(costs.count()))
                .append(" requests; mean ")
                .append(escape(Format.usdPrecise(costs.mean())))
                .append(", median ")
                .append(escape(Format.usdPrecise(costs.p50())))
                .append(", p90 ")
                .append(escape(Format.usdPrecise(costs.p90())))
                .append(", p95 ")
                .append(escape(Format.usdPrecise(costs.p95())))
                .append(", p99 ")
                .append(escape(Format.usdPrecise(costs.p99())))
                .append(", max ")
                .append(escape(Format.usdPrecise(costs.max())))
                .append(".</p>\n");
        List<CostBucket> histogram = costs.histogram();
        int width = 960;
        int height = 240;
        int bottom = 200;
        long most = histogram.stream().mapToLong(CostBucket::count).max().orElse(1);
        double step = (width - 20.0) / histogram.size();
        html.append(svgOpen(width, height, "Histogram of vendor cost per request, log-spaced buckets"));
        for (int i = 0; i < histogram.size(); i++) {
            CostBucket bucket = histogram.get(i);
            double barHeight = (bottom - 10) * (double) bucket.count() / most;
            html.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s to %s: %s requests</title></rect>\n",
                    10 + step * i + 1,
                    bottom - barHeight,
                    Math.max(1, step - 2),
                    barHeight,
                    PALETTE[0],
                    escape(bucket.lower().stripTrailingZeros().toPlainString()),
                    escape(bucket.upper().stripTrailingZeros().toPlainString()),
                    Format.count(bucket.count())));
            if (i % 2 == 0) {
                html.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\">$%s</text>\n",
                        10 + step * i,
                        bottom + 16 + (i % 4 == 0 ? 0 : 14),
                        escape(bucket.lower().stripTrailingZeros().toPlainString())));
            }
        }
        html.append("</svg>\n</section>\n");
    }

    private static void users(Dashboard dashboard, StringBuilder html) {
        html.append(
                        "<section id=\"users\">\n<h2>Top users by gross margin</h2>\n<table><thead><tr><th>User</th><th>Requests</th>")
                .append(
                        "<th>Revenue</th><th>Vendor cost</th><th>Gross margin</th><th>Margin</th><th>Last request</th></tr></thead><tbody>\n");
        for (UserUsage user : dashboard.topUsers()) {
            html.append("<tr><td class=\"mono\">")
                    .append(user.userId())
                    .append("</td><td>")
                    .append(Format.count(user.requests()))
                    .append("</td><td>")
                    .append(escape(Format.usd(user.revenue())))
                    .append("</td><td>")
                    .append(escape(Format.usd(user.vendorCost())))
                    .append("</td><td>")
                    .append(escape(Format.usd(user.grossMargin())))
                    .append("</td><td>")
                    .append(escape(Format.percent(user.marginRatio())))
                    .append("</td><td>")
                    .append(escape(Format.minute(user.lastRequest(), dashboard.zone())))
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table>\n</section>\n");
    }

    private static String svgOpen(int width, int height, String title) {
        return String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\">"
                        + "<title>%s</title>\n",
                width,
                height,
                escape(title));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
