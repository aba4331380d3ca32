package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ledgeranalytics.internal.CostBuckets;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every query against the same answers recomputed in plain Java from the rows read back. */
@AnalyticsDatabase
class OracleTest {

    private static List<Row> rows;

    private final DataSource dataSource;
    private final AnalyticsQueries queries;

    OracleTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.queries = AnalyticsQueries.create(dataSource);
    }

    @BeforeAll
    static void seedRandomLedger(DataSource dataSource) {
        Ledger ledger = new Ledger(dataSource).withProviders();
        ledger.insert(RandomLedger.rows(20261125L, 6_000, 60));
        rows = ledger.readBack();
        assertThat(rows).hasSize(6_000);
    }

    static Stream<Arguments> filters() {
        Instant from = Instant.parse("2026-10-01T00:00:00Z");
        Instant to = Instant.parse("2026-10-31T00:00:00Z");
        LedgerFilter month = LedgerFilter.between(from, to);
        return Stream.of(
                Arguments.of("successful requests of 30 days", month),
                Arguments.of("every status", month.anyStatus()),
                Arguments.of(
                        "two providers, failures included", month.anyStatus().providers("openai", "google")),
                Arguments.of(
                        "tiers and request types",
                        month.tiers("pro", "enterprise").requestTypes("chat")),
                Arguments.of("one model", month.models("claude-sonnet-4")),
                Arguments.of(
                        "whole ledger, cancelled only",
                        LedgerFilter.between(RandomLedger.START, RandomLedger.START.plus(RandomLedger.SPAN))
                                .statuses(RequestStatus.CANCELLED)),
                Arguments.of(
                        "an odd range",
                        LedgerFilter.between(from.plusSeconds(3_333), to.minusSeconds(77_777))
                                .anyStatus()),
                Arguments.of("nothing matches", month.requestTypes("image")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void grossMarginMatchesTheOracle(String name, LedgerFilter filter) {
        assertThat(queries.grossMargin(filter)).isEqualTo(Oracle.grossMargin(rows, filter));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void providerCostsMatchTheOracle(String name, LedgerFilter filter) {
        List<ProviderCost> actual = queries.providerCosts(filter);
        Map<String, ProviderCost> bySlug =
                actual.stream().collect(Collectors.toMap(ProviderCost::slug, Function.identity()));

        List<ProviderCost> expected = Oracle.providerCostsWithoutShares(rows, filter, bySlug);

        assertThat(actual)
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("costShare")
                .containsExactlyElementsOf(expected);
        BigDecimal total = Oracle.sum(Oracle.select(rows, filter), Row::vendorCost);
        if (!actual.isEmpty() && total.signum() > 0) {
            assertThat(actual.stream().map(ProviderCost::costShare).reduce(BigDecimal.ZERO, BigDecimal::add))
                    .isEqualByComparingTo("1");
            for (ProviderCost cost : actual) {
                assertThat(cost.costShare().doubleValue())
                        .isCloseTo(
                                cost.vendorCost()
                                        .divide(total, MathContext.DECIMAL128)
                                        .doubleValue(),
                                within(0.000001));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void marginTrendsMatchTheOracleInEveryGranularity(String name, LedgerFilter filter) {
        for (ZoneId zone : List.of(ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"))) {
            for (Granularity granularity : Granularity.values()) {
                MarginTrend trend = queries.marginTrend(filter, granularity, zone);
                Map<Instant, TrendBucket> expected = Oracle.trendTotals(rows, filter, granularity, zone);

                List<TrendBucket> buckets = trend.buckets();
                assertThat(buckets.get(0).start()).isEqualTo(Oracle.bucketStart(filter.from(), granularity, zone));
                assertThat(buckets.get(buckets.size() - 1).end()).isAfterOrEqualTo(filter.to());
                assertThat(buckets.get(buckets.size() - 1).start()).isBefore(filter.to());
                for (int i = 0; i < buckets.size(); i++) {
                    TrendBucket bucket = buckets.get(i);
                    if (i > 0) {
                        assertThat(bucket.start()).isEqualTo(buckets.get(i - 1).end());
                    }
                    TrendBucket oracle = expected.remove(bucket.start());
                    if (oracle == null) {
                        assertThat(bucket.requests())
                                .as("%s %s %s", granularity, zone, bucket.start())
                                .isZero();
                    } else {
                        assertThat(bucket)
                                .as("%s %s", granularity, zone)
                                .usingRecursiveComparison()
                                .ignoringFields("start", "end")
                                .isEqualTo(oracle);
                    }
                }
                assertThat(expected).as("oracle buckets the trend missed").isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void costDistributionsMatchTheOracleOverallAndPerModel(String name, LedgerFilter filter) throws SQLException {
        assertDistribution(queries.costDistribution(filter), Oracle.select(rows, filter), filter, null);

        Map<String, List<Row>> byModel =
                Oracle.select(rows, filter).stream().collect(Collectors.groupingBy(Row::model));
        List<ModelCostDistribution> perModel = queries.costDistributionByModel(filter);
        assertThat(perModel)
                .extracting(ModelCostDistribution::modelId)
                .containsExactlyElementsOf(byModel.keySet().stream().sorted().toList());
        for (ModelCostDistribution model : perModel) {
            assertDistribution(model.distribution(), byModel.get(model.modelId()), filter, model.modelId());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void userBreakdownPagesMatchTheOracle(String name, LedgerFilter filter) {
        for (UserSort sort : List.of(
                UserSort.GROSS_MARGIN_DESC,
                UserSort.MARGIN_RATIO_ASC,
                UserSort.LAST_REQUEST_DESC,
                UserSort.TOKENS_ASC)) {
            List<UserUsage> paged = new ArrayList<>();
            String cursor = null;
            do {
                UserPage page = queries.userBreakdown(filter, sort, 7, cursor);
                paged.addAll(page.users());
                cursor = page.next();
            } while (cursor != null);

            assertThat(paged).as(sort.name()).containsExactlyElementsOf(Oracle.users(rows, filter, sort));
        }
    }

    private void assertDistribution(CostDistribution actual, List<Row> selected, LedgerFilter filter, String model)
            throws SQLException {
        if (selected == null || selected.isEmpty()) {
            assertThat(actual.count()).isZero();
            return;
        }
        List<BigDecimal> sorted =
                selected.stream().map(Row::vendorCost).sorted().toList();
        assertThat(actual.count()).isEqualTo(sorted.size());
        assertThat(actual.min()).isEqualTo(sorted.get(0));
        assertThat(actual.max()).isEqualTo(sorted.get(sorted.size() - 1));
        assertThat(actual.mean()).isEqualTo(Oracle.mean(sorted));
        assertThat(actual.p50()).isEqualByComparingTo(Oracle.percentile(sorted, 0.50));
        assertThat(actual.p90()).isEqualByComparingTo(Oracle.percentile(sorted, 0.90));
        assertThat(actual.p95()).isEqualByComparingTo(Oracle.percentile(sorted, 0.95));
        assertThat(actual.p99()).isEqualByComparingTo(Oracle.percentile(sorted, 0.99));

        double[] postgres = postgresPercentileCont(filter, model);
        assertThat(actual.p50().doubleValue()).isCloseTo(postgres[0], within(1e-12));
        assertThat(actual.p99().doubleValue()).isCloseTo(postgres[3], within(1e-12));

        Map<BigDecimal, Long> countsByLower = new java.util.TreeMap<>();
        for (BigDecimal cost : sorted) {
            BigDecimal lower = CostBuckets.BAR_EDGES.stream()
                    .filter(edge -> edge.compareTo(cost) <= 0)
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
            countsByLower.merge(lower, 1L, Long::sum);
        }
        assertThat(actual.histogram().stream()
                        .filter(b -> b.count() > 0)
                        .collect(Collectors.toMap(CostBucket::lower, CostBucket::count)))
                .isEqualTo(countsByLower);
        assertThat(actual.histogram().stream().map(CostBucket::costSum).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(Oracle.sum(selected, Row::vendorCost));
    }

    /** PostgreSQL's own percentile_cont, in double precision: the semantics we promise to follow. */
    private double[] postgresPercentileCont(LedgerFilter filter, String model) throws SQLException {
        String sql = """
                SELECT percentile_cont(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY l.vendor_cost)
                FROM analytics.token_usage_ledger l JOIN analytics.providers p ON p.id = l.provider_id
                WHERE l.created_at >= ? AND l.created_at < ? AND l.status::text = ANY (?)
                  AND (?::text[] IS NULL OR p.slug = ANY (?)) AND (?::text[] IS NULL OR l.model_id = ANY (?))
                  AND (?::text[] IS NULL OR l.user_tier = ANY (?)) AND (?::text[] IS NULL OR l.request_type = ANY (?))
                  AND (?::uuid[] IS NULL OR l.user_id = ANY (?))""";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, filter.from().atOffset(java.time.ZoneOffset.UTC));
            statement.setObject(2, filter.to().atOffset(java.time.ZoneOffset.UTC));
            statement.setArray(
                    3,
                    connection.createArrayOf(
                            "text",
                            filter.statuses().stream()
                                    .map(s -> s.name().toLowerCase(java.util.Locale.ROOT))
                                    .toArray()));
            setTexts(
                    connection,
                    statement,
                    4,
                    filter.providers() == null
                            ? null
                            : filter.providers().stream().toList());
            setTexts(
                    connection,
                    statement,
                    6,
                    model != null
                            ? List.of(model)
                            : filter.models() == null
                                    ? null
                                    : filter.models().stream().toList());
            setTexts(
                    connection,
                    statement,
                    8,
                    filter.tiers() == null ? null : filter.tiers().stream().toList());
            setTexts(
                    connection,
                    statement,
                    10,
                    filter.requestTypes() == null
                            ? null
                            : filter.requestTypes().stream().toList());
            java.sql.Array users = filter.users() == null
                    ? null
                    : connection.createArrayOf("uuid", filter.users().toArray(UUID[]::new));
            statement.setArray(12, users);
            statement.setArray(13, users);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                Double[] values = (Double[]) rs.getArray(1).getArray();
                return new double[] {values[0], values[1], values[2], values[3]};
            }
        }
    }

    private static void setTexts(Connection connection, PreparedStatement statement, int index, List<String> values)
            throws SQLException {
        java.sql.Array array = values == null ? null : connection.createArrayOf("text", values.toArray());
        statement.setArray(index, array);
        statement.setArray(index + 1, array);
    }
}
