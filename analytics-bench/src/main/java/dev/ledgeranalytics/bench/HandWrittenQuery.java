package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.PeriodTotals;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserUsage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * For each dashboard query, the SQL a careful engineer would write by hand for its answer over
 * successful requests, on the same ledger and its indexes: plain aggregates, {@code status =
 * 'success'}, no layer in between. Each reduces its answer and the library's to the same lines,
 * so that a run checks the two agree before it compares their times.
 */
enum HandWrittenQuery {
    GROSS_MARGIN(DashboardQuery.GROSS_MARGIN, """
            SELECT created_at >= ? AS current, count(*), sum(input_tokens), sum(cached_input_tokens),
                   sum(output_tokens), sum(reasoning_tokens), sum(vendor_cost), sum(gross_margin_usd),
                   sum(credits_deducted)
            FROM analytics.token_usage_ledger
            WHERE created_at >= ? AND created_at < ? AND status = 'success'
            GROUP BY 1 ORDER BY 1 DESC""") {
        @Override
        List<String> answer(Connection connection, LedgerFilter filter) throws SQLException {
            Instant previous = filter.from().minus(Duration.between(filter.from(), filter.to()));
            List<String> lines = rows(connection, sql(), 9, filter.from(), previous, filter.to());
            List<String> periods = new ArrayList<>();
            for (String period : new String[] {"t", "f"}) {
                periods.add(lines.stream()
                        .filter(line -> line.startsWith(period + " "))
                        .map(line -> line.substring(2))
                        .findFirst()
                        .orElse("0 0 0 0 0 0 0 0"));
            }
            return periods;
        }

        @Override
        List<String> answer(Object library) {
            GrossMargin margin = (GrossMargin) library;
            return List.of(totals(margin.current()), totals(margin.previous()));
        }

        private static String totals(PeriodTotals t) {
            if (t.requests() == 0) {
                return "0 0 0 0 0 0 0 0";
            }
            return line(
                    t.requests(),
                    t.inputTokens(),
                    t.cachedInputTokens(),
                    t.outputTokens(),
                    t.reasoningTokens(),
                    t.vendorCost(),
                    t.grossMargin(),
                    t.credits());
        }
    },

    PROVIDER_COSTS(DashboardQuery.PROVIDER_COSTS, """
            SELECT p.slug, s.requests, s.input_tokens, s.cached_input_tokens, s.output_tokens,
                   s.reasoning_tokens, s.vendor_cost, s.gross_margin
            FROM (SELECT provider_id, count(*) AS requests, sum(input_tokens) AS input_tokens,
                         sum(cached_input_tokens) AS cached_input_tokens, sum(output_tokens) AS output_tokens,
                         sum(reasoning_tokens) AS reasoning_tokens, sum(vendor_cost) AS vendor_cost,
                         sum(gross_margin_usd) AS gross_margin
                  FROM analytics.token_usage_ledger
                  WHERE created_at >= ? AND created_at < ? AND status = 'success'
                  GROUP BY provider_id) s
            JOIN analytics.providers p ON p.id = s.provider_id
            ORDER BY s.vendor_cost DESC, p.slug""") {
        @Override
        List<String> answer(Connection connection, LedgerFilter filter) throws SQLException {
            return rows(connection, sql(), 8, filter.from(), filter.to());
        }

        @Override
        List<String> answer(Object library) {
            List<String> lines = new ArrayList<>();
            for (Object element : (List<?>) library) {
                ProviderCost p = (ProviderCost) element;
                lines.add(line(
                        p.slug(),
                        p.requests(),
                        p.inputTokens(),
                        p.cachedInputTokens(),
                        p.outputTokens(),
                        p.reasoningTokens(),
                        p.vendorCost(),
                        p.grossMargin()));
            }
            return lines;
        }
    },

    MARGIN_TREND(DashboardQuery.MARGIN_TREND, """
            SELECT date_trunc('day', created_at, 'America/New_York') AS day, count(*), sum(vendor_cost),
                   sum(gross_margin_usd)
            FROM analytics.token_usage_ledger
            WHERE created_at >= ? AND created_at < ? AND status = 'success'
            GROUP BY 1 ORDER BY 1""") {
        @Override
        List<String> answer(Connection connection, LedgerFilter filter) throws SQLException {
            List<String> lines = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, sql(), filter.from(), filter.to());
                    ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    lines.add(line(
                            rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getBigDecimal(3), rs.getBigDecimal(4)));
                }
            }
            return lines;
        }

        @Override
        List<String> answer(Object library) {
            List<String> lines = new ArrayList<>();
            for (TrendBucket bucket : ((MarginTrend) library).buckets()) {
                if (bucket.requests() > 0) {
                    lines.add(line(bucket.start(), bucket.requests(), bucket.vendorCost(), bucket.grossMargin()));
                }
            }
            return lines;
        }
    },

    COST_DISTRIBUTION(DashboardQuery.COST_DISTRIBUTION, """
            SELECT count(*), min(vendor_cost), max(vendor_cost), sum(vendor_cost),
                   percentile_cont(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY vendor_cost)
            FROM analytics.token_usage_ledger
            WHERE created_at >= ? AND created_at < ? AND status = 'success';
            SELECT width_bucket(vendor_cost::float8, '{0, 1e-8, 2e-8, 5e-8, 1e-7, 2e-7, 5e-7, 1e-6, 2e-6, 5e-6,
                   1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2,
                   5, 10, 20, 50}'::float8[]) AS bar, count(*), sum(vendor_cost)
            FROM analytics.token_usage_ledger
            WHERE created_at >= ? AND created_at < ? AND status = 'success'
            GROUP BY 1 ORDER BY 1""") {
        @Override
        List<String> answer(Connection connection, LedgerFilter filter) throws SQLException {
            String[] statements = sql().split(";\n");
            List<String> lines = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, statements[0], filter.from(), filter.to());
                    ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return lines;
                }
                Double[] percentiles = (Double[]) rs.getArray(5).getArray();
                lines.add(line(
                        rs.getLong(1),
                        rs.getBigDecimal(2),
                        rs.getBigDecimal(3),
                        rs.getBigDecimal(4),
                        nine(percentiles[0]),
                        nine(percentiles[1]),
                        nine(percentiles[2]),
                        nine(percentiles[3])));
            }
            try (PreparedStatement statement = prepare(connection, statements[1], filter.from(), filter.to());
                    ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    lines.add(line(rs.getLong(2), rs.getBigDecimal(3)));
                }
            }
            return lines;
        }

        @Override
        List<String> answer(Object library) {
            CostDistribution d = (CostDistribution) library;
            List<String> lines = new ArrayList<>();
            if (d.count() == 0) {
                return lines;
            }
            BigDecimal sum = d.histogram().stream().map(CostBucket::costSum).reduce(BigDecimal.ZERO, BigDecimal::add);
            lines.add(line(
                    d.count(),
                    d.min(),
                    d.max(),
                    sum,
                    nine(d.p50().doubleValue()),
                    nine(d.p90().doubleValue()),
                    nine(d.p95().doubleValue()),
                    nine(d.p99().doubleValue())));
            for (CostBucket bucket : d.histogram()) {
                if (bucket.count() > 0) {
                    lines.add(line(bucket.count(), bucket.costSum()));
                }
            }
            return lines;
        }

        /** Nine significant digits: PostgreSQL's percentile_cont interpolates in double precision. */
        private static BigDecimal nine(double value) {
            return new BigDecimal(value).round(new MathContext(9));
        }
    },

    USER_BREAKDOWN(DashboardQuery.USER_BREAKDOWN, """
            SELECT user_id, count(*), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens),
                   sum(reasoning_tokens), sum(vendor_cost), sum(gross_margin_usd) AS gross_margin,
                   min(created_at), max(created_at)
            FROM analytics.token_usage_ledger
            WHERE created_at >= ? AND created_at < ? AND status = 'success'
            GROUP BY user_id ORDER BY gross_margin DESC, user_id DESC LIMIT 51""") {
        @Override
        List<String> answer(Connection connection, LedgerFilter filter) throws SQLException {
            List<String> lines = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, sql(), filter.from(), filter.to());
                    ResultSet rs = statement.executeQuery()) {
                while (rs.next() && lines.size() < DashboardQuery.USER_PAGE) {
                    lines.add(line(
                            rs.getObject(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getBigDecimal(7),
                            rs.getBigDecimal(8),
                            rs.getTimestamp(9).toInstant(),
                            rs.getTimestamp(10).toInstant()));
                }
            }
            return lines;
        }

        @Override
        List<String> answer(Object library) {
            List<String> lines = new ArrayList<>();
            for (UserUsage u : ((UserPage) library).users()) {
                lines.add(line(
                        u.userId(),
                        u.requests(),
                        u.inputTokens(),
                        u.cachedInputTokens(),
                        u.outputTokens(),
                        u.reasoningTokens(),
                        u.vendorCost(),
                        u.grossMargin(),
                        u.firstRequest(),
                        u.lastRequest()));
            }
            return lines;
        }
    };

    private final DashboardQuery query;
    private final String sql;

    HandWrittenQuery(DashboardQuery query, String sql) {
        this.query = query;
        this.sql = sql;
    }

    /** The library's query this one answers as well. */
    DashboardQuery query() {
        return query;
    }

    /** The statements, separated by {@code ;} and a line break where there are two. */
    String sql() {
        return sql;
    }

    /** Runs the hand-written statements and reduces their answer to lines. */
    abstract List<String> answer(Connection connection, LedgerFilter filter) throws SQLException;

    /** Reduces the library's answer to the same lines. */
    abstract List<String> answer(Object library);

    /** Each row of one statement as a line of its first {@code columns} columns. */
    private static List<String> rows(Connection connection, String sql, int columns, Instant... instants)
            throws SQLException {
        List<String> lines = new ArrayList<>();
        try (PreparedStatement statement = prepare(connection, sql, instants);
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                Object[] values = new Object[columns];
                for (int i = 0; i < columns; i++) {
                    values[i] = rs.getObject(i + 1);
                }
                lines.add(line(values));
            }
        }
        return lines;
    }

    private static PreparedStatement prepare(Connection connection, String sql, Instant... instants)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < instants.length; i++) {
            statement.setTimestamp(i + 1, Timestamp.from(instants[i]));
        }
        return statement;
    }

    /** Values as text, numbers without trailing zeros and booleans as PostgreSQL prints them. */
    private static String line(Object... values) {
        List<String> texts = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof BigDecimal number) {
                texts.add(
                        number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString());
            } else if (value instanceof Boolean flag) {
                texts.add(flag ? "t" : "f");
            } else {
                texts.add(String.valueOf(value));
            }
        }
        return String.join(" ", texts).toLowerCase(Locale.ROOT);
    }
}
