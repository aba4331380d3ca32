package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.PeriodTotals;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The queries' answers recomputed in plain Java from rows read back from the database: BigDecimal
 * arithmetic, java.time calendars, no SQL. Deliberately written differently from the library.
 */
public final class Oracle {

    private Oracle() {}

    public static boolean matches(Row row, LedgerFilter filter, Instant from, Instant to) {
        return !row.createdAt().isBefore(from)
                && row.createdAt().isBefore(to)
                && filter.statuses().contains(row.status())
                && (filter.providers() == null || filter.providers().contains(row.provider()))
                && (filter.models() == null || filter.models().contains(row.model()))
                && (filter.users() == null || filter.users().contains(row.user()))
                && (filter.tiers() == null || filter.tiers().contains(row.tier()))
                && (filter.requestTypes() == null || filter.requestTypes().contains(row.requestType()));
    }

    public static List<Row> select(List<Row> rows, LedgerFilter filter) {
        return rows.stream()
                .filter(row -> matches(row, filter, filter.from(), filter.to()))
                .toList();
    }

    public static BigDecimal sum(List<Row> rows, Function<Row, BigDecimal> value) {
        BigDecimal total = new BigDecimal("0.00000000");
        for (Row row : rows) {
            total = total.add(value.apply(row));
        }
        return total;
    }

    public static PeriodTotals totals(List<Row> all, LedgerFilter filter, Instant from, Instant to) {
        List<Row> rows =
                all.stream().filter(row -> matches(row, filter, from, to)).toList();
        BigDecimal revenue = sum(rows, Row::revenue);
        BigDecimal margin = sum(rows, Row::grossMargin);
        return new PeriodTotals(
                from,
                to,
                rows.size(),
                rows.stream().mapToLong(Row::inputTokens).sum(),
                rows.stream().mapToLong(Row::cachedInputTokens).sum(),
                rows.stream().mapToLong(Row::outputTokens).sum(),
                rows.stream().mapToLong(Row::reasoningTokens).sum(),
                sum(rows, Row::vendorCost),
                revenue,
                margin,
                revenue.signum() == 0 ? null : margin.divide(revenue, 6, RoundingMode.HALF_EVEN),
                rows.stream().mapToLong(Row::credits).sum());
    }

    public static GrossMargin grossMargin(List<Row> all, LedgerFilter filter) {
        Instant previousFrom = filter.from().minusNanos(ChronoUnit.NANOS.between(filter.from(), filter.to()));
        return new GrossMargin(
                totals(all, filter, filter.from(), filter.to()), totals(all, filter, previousFrom, filter.from()));
    }

    /** Provider costs without shares (checked separately), most expensive first, ties by slug. */
    public static List<ProviderCost> providerCostsWithoutShares(
            List<Row> all, LedgerFilter filter, Map<String, ProviderCost> namesBySlug) {
        Map<String, List<Row>> bySlug = select(all, filter).stream().collect(Collectors.groupingBy(Row::provider));
        return bySlug.entrySet().stream()
                .map(e -> {
                    ProviderCost named = namesBySlug.get(e.getKey());
                    List<Row> rows = e.getValue();
                    return new ProviderCost(
                            named.providerId(),
                            e.getKey(),
                            named.displayName(),
                            rows.size(),
                            rows.stream().mapToLong(Row::inputTokens).sum(),
                            rows.stream().mapToLong(Row::cachedInputTokens).sum(),
                            rows.stream().mapToLong(Row::outputTokens).sum(),
                            rows.stream().mapToLong(Row::reasoningTokens).sum(),
                            sum(rows, Row::vendorCost),
                            sum(rows, Row::revenue),
                            sum(rows, Row::grossMargin),
                            null);
                })
                .sorted(Comparator.comparing(ProviderCost::vendorCost)
                        .reversed()
                        .thenComparing(ProviderCost::slug))
                .toList();
    }

    /** The bucket start of an instant, computed from calendar fields rather than by stepping. */
    public static Instant bucketStart(Instant instant, Granularity granularity, ZoneId zone) {
        ZonedDateTime local = instant.atZone(zone);
        LocalDate date = local.toLocalDate();
        return switch (granularity) {
            case HOUR -> {
                // The start of the elapsed hour that contains the instant, aligned to the zone's local hours.
                ZonedDateTime start = local.withMinute(0).withSecond(0).withNano(0);
                yield start.toInstant();
            }
            case DAY -> date.atStartOfDay(zone).toInstant();
            case WEEK ->
                date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                        .atStartOfDay(zone)
                        .toInstant();
            case MONTH -> date.withDayOfMonth(1).atStartOfDay(zone).toInstant();
        };
    }

    /** Per bucket start: requests, revenue, cost, margin; only non-empty buckets. */
    public static Map<Instant, TrendBucket> trendTotals(
            List<Row> all, LedgerFilter filter, Granularity granularity, ZoneId zone) {
        Map<Instant, List<Row>> byBucket = new TreeMap<>();
        for (Row row : select(all, filter)) {
            byBucket.computeIfAbsent(bucketStart(row.createdAt(), granularity, zone), k -> new ArrayList<>())
                    .add(row);
        }
        Map<Instant, TrendBucket> totals = new TreeMap<>();
        byBucket.forEach((start, rows) -> totals.put(
                start,
                new TrendBucket(
                        start,
                        start.plusSeconds(1),
                        rows.size(),
                        sum(rows, Row::revenue),
                        sum(rows, Row::vendorCost),
                        sum(rows, Row::grossMargin))));
        return totals;
    }

    /** percentile_cont by its textbook definition over the sorted costs. */
    public static BigDecimal percentile(List<BigDecimal> sortedCosts, double fraction) {
        BigDecimal h = new BigDecimal(Double.toString(fraction)).multiply(BigDecimal.valueOf(sortedCosts.size() - 1L));
        int lower = h.setScale(0, RoundingMode.FLOOR).intValueExact();
        int upper = h.setScale(0, RoundingMode.CEILING).intValueExact();
        BigDecimal weight = h.subtract(BigDecimal.valueOf(lower));
        return sortedCosts.get(lower).add(weight.multiply(sortedCosts.get(upper).subtract(sortedCosts.get(lower))));
    }

    public static BigDecimal mean(List<BigDecimal> costs) {
        BigDecimal total = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        return total.divide(BigDecimal.valueOf(costs.size()), 12, RoundingMode.HALF_EVEN);
    }

    /** The user breakdown's full order for a sort, every user of the filter. */
    public static List<UserUsage> users(List<Row> all, LedgerFilter filter, UserSort sort) {
        Map<java.util.UUID, List<Row>> byUser = select(all, filter).stream().collect(Collectors.groupingBy(Row::user));
        List<UserUsage> users = new ArrayList<>();
        byUser.forEach((user, rows) -> {
            BigDecimal revenue = sum(rows, Row::revenue);
            BigDecimal margin = sum(rows, Row::grossMargin);
            users.add(new UserUsage(
                    user,
                    rows.size(),
                    rows.stream().mapToLong(Row::inputTokens).sum(),
                    rows.stream().mapToLong(Row::cachedInputTokens).sum(),
                    rows.stream().mapToLong(Row::outputTokens).sum(),
                    rows.stream().mapToLong(Row::reasoningTokens).sum(),
                    sum(rows, Row::vendorCost),
                    revenue,
                    margin,
                    revenue.signum() == 0 ? null : margin.divide(revenue, 6, RoundingMode.HALF_EVEN),
                    rows.stream()
                            .map(Row::createdAt)
                            .min(Comparator.naturalOrder())
                            .orElseThrow(),
                    rows.stream()
                            .map(Row::createdAt)
                            .max(Comparator.naturalOrder())
                            .orElseThrow()));
        });
        Comparator<UserUsage> byKey = switch (sort) {
            case REQUESTS_ASC, REQUESTS_DESC -> Comparator.comparingLong(UserUsage::requests);
            case TOKENS_ASC, TOKENS_DESC -> Comparator.comparingLong(UserUsage::totalTokens);
            case VENDOR_COST_ASC, VENDOR_COST_DESC -> Comparator.comparing(UserUsage::vendorCost);
            case REVENUE_ASC, REVENUE_DESC -> Comparator.comparing(UserUsage::revenue);
            case GROSS_MARGIN_ASC, GROSS_MARGIN_DESC -> Comparator.comparing(UserUsage::grossMargin);
            // Exact ratio, not the rounded one: two users may round alike but still differ.
            case MARGIN_RATIO_ASC, MARGIN_RATIO_DESC ->
                Comparator.comparing((UserUsage u) -> u.revenue().signum() != 0)
                        .thenComparing(u -> u.revenue().signum() == 0
                                ? BigDecimal.ZERO
                                : u.grossMargin().divide(u.revenue(), MathContext.DECIMAL128));
            case FIRST_REQUEST_ASC, FIRST_REQUEST_DESC -> Comparator.comparing(UserUsage::firstRequest);
            case LAST_REQUEST_ASC, LAST_REQUEST_DESC -> Comparator.comparing(UserUsage::lastRequest);
        };
        // PostgreSQL orders uuids by their bytes, which is the order of their hex strings, not UUID.compareTo's.
        Comparator<UserUsage> order = byKey.thenComparing(u -> u.userId().toString());
        users.sort(sort.name().endsWith("_DESC") ? order.reversed() : order);
        return users;
    }
}
