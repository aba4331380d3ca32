package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testing.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class CostDistributionTest extends LedgerQueryTest {

    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    CostDistributionTest(DataSource dataSource) {
        super(dataSource);
    }

    @Test
    void computesExactPercentilesByInterpolatingBetweenRanks() {
        // Costs 0.001 .. 0.010: n = 10, so p50 sits halfway between the 5th and 6th, p90 at 0.1 of the way from the
        // 9th.
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            rows.add(Row.at(
                    "2026-11-02T00:00:00Z",
                    BigDecimal.valueOf(i).movePointLeft(3).setScale(8).toPlainString(),
                    "0"));
        }
        ledger.insert(rows);

        CostDistribution distribution = queries.costDistribution(NOVEMBER);

        assertThat(distribution.count()).isEqualTo(10);
        assertThat(distribution.min()).isEqualTo(new BigDecimal("0.00100000"));
        assertThat(distribution.max()).isEqualTo(new BigDecimal("0.01000000"));
        assertThat(distribution.mean()).isEqualTo(new BigDecimal("0.005500000000"));
        assertThat(distribution.p50()).isEqualTo(new BigDecimal("0.00550000"));
        assertThat(distribution.p90()).isEqualTo(new BigDecimal("0.00910000"));
        assertThat(distribution.p95()).isEqualTo(new BigDecimal("0.00955000"));
        assertThat(distribution.p99()).isEqualTo(new BigDecimal("0.00991000"));
    }

    @Test
    void keepsTheDigitsInterpolationNeedsBeyondTheLedgersEight() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0.00000001", "0"), Row.at("2026-11-02T00:00:00Z", "0.00000002", "0"));

        CostDistribution distribution = queries.costDistribution(NOVEMBER);

        assertThat(distribution.p50()).isEqualTo(new BigDecimal("0.000000015"));
        assertThat(distribution.p99()).isEqualTo(new BigDecimal("0.0000000199"));
    }

    @Test
    void histogramIsLogSpacedAndHasNoGapsBetweenTheCheapestAndDearestBucket() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0", "0"),
                Row.at("2026-11-02T00:00:00Z", "0.00000001", "0"),
                Row.at("2026-11-02T00:00:00Z", "0.00000004", "0"),
                Row.at("2026-11-02T00:00:00Z", "0.00000005", "0"),
                Row.at("2026-11-02T00:00:00Z", "0.00000030", "0"));

        List<CostBucket> histogram = queries.costDistribution(NOVEMBER).histogram();

        assertThat(histogram)
                .extracting(CostBucket::lower)
                .containsExactly(
                        new BigDecimal("0E-8"),
                        new BigDecimal("0.00000001"),
                        new BigDecimal("0.00000002"),
                        new BigDecimal("0.00000005"),
                        new BigDecimal("0.00000010"),
                        new BigDecimal("0.00000020"));
        assertThat(histogram)
                .extracting(CostBucket::upper)
                .containsExactly(
                        new BigDecimal("0.00000001"),
                        new BigDecimal("0.00000002"),
                        new BigDecimal("0.00000005"),
                        new BigDecimal("0.00000010"),
                        new BigDecimal("0.00000020"),
                        new BigDecimal("0.00000050"));
        assertThat(histogram).extracting(CostBucket::count).containsExactly(1L, 1L, 1L, 1L, 0L, 1L);
        assertThat(histogram)
                .extracting(CostBucket::costSum)
                .containsExactly(
                        new BigDecimal("0E-8"),
                        new BigDecimal("0.00000001"),
                        new BigDecimal("0.00000004"),
                        new BigDecimal("0.00000005"),
                        new BigDecimal("0E-8"),
                        new BigDecimal("0.00000030"));
    }

    @Test
    void theDearestPossibleRequestFallsInTheLastBucket() {
        ledger.insert(Row.at("2026-11-02T00:00:00Z", "99.99999999", "0"));

        assertThat(queries.costDistribution(NOVEMBER).histogram())
                .singleElement()
                .satisfies(bucket -> {
                    assertThat(bucket.lower()).isEqualTo(new BigDecimal("50.00000000"));
                    assertThat(bucket.upper()).isEqualTo(new BigDecimal("100.00000000"));
                });
    }

    @Test
    void everyBarHoldsItsLowerEdgeAndNotItsUpperOne() {
        // The bars are found in double precision; each edge and the cost just below it must still land exactly.
        List<BigDecimal> edges = List.of(
                        "0.00000001",
                        "0.00000002",
                        "0.00000005",
                        "0.00000010",
                        "0.00000020",
                        "0.00000050",
                        "0.00000100",
                        "0.00000200",
                        "0.00000500",
                        "0.00001000",
                        "0.00002000",
                        "0.00005000",
                        "0.00010000",
                        "0.00020000",
                        "0.00050000",
                        "0.00100000",
                        "0.00200000",
                        "0.00500000",
                        "0.01000000",
                        "0.02000000",
                        "0.05000000",
                        "0.10000000",
                        "0.20000000",
                        "0.50000000",
                        "1.00000000",
                        "2.00000000",
                        "5.00000000",
                        "10.00000000",
                        "20.00000000",
                        "50.00000000")
                .stream()
                .map(BigDecimal::new)
                .toList();
        List<Row> rows = new ArrayList<>();
        for (BigDecimal edge : edges) {
            rows.add(Row.at("2026-11-02T00:00:00Z", edge.toPlainString(), "0"));
            rows.add(Row.at(
                    "2026-11-02T00:00:00Z",
                    edge.subtract(new BigDecimal("0.00000001")).toPlainString(),
                    "0"));
        }
        rows.add(Row.at("2026-11-02T00:00:00Z", "99.99999999", "0"));
        ledger.insert(rows);

        List<CostBucket> histogram = queries.costDistribution(NOVEMBER).histogram();

        assertThat(histogram).hasSize(edges.size() + 1);
        for (CostBucket bar : histogram) {
            long inside = rows.stream()
                    .map(Row::vendorCost)
                    .filter(cost -> cost.compareTo(bar.lower()) >= 0 && cost.compareTo(bar.upper()) < 0)
                    .count();
            assertThat(bar.count())
                    .as("costs in [%s, %s)", bar.lower(), bar.upper())
                    .isEqualTo(inside);
        }
    }

    @Test
    void splitsByModelWhenAsked() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0.00100000", "0").model("gpt-4o"),
                Row.at("2026-11-02T00:00:00Z", "0.00300000", "0").model("gpt-4o"),
                Row.at("2026-11-02T00:00:00Z", "0.05000000", "0")
                        .model("claude-opus-4")
                        .provider("anthropic"));

        List<ModelCostDistribution> byModel = queries.costDistributionByModel(NOVEMBER);

        assertThat(byModel).extracting(ModelCostDistribution::modelId).containsExactly("claude-opus-4", "gpt-4o");
        CostDistribution gpt = byModel.get(1).distribution();
        assertThat(gpt.count()).isEqualTo(2);
        assertThat(gpt.p50()).isEqualTo(new BigDecimal("0.00200000"));
        assertThat(gpt.mean()).isEqualTo(new BigDecimal("0.002000000000"));
        assertThat(byModel.get(0).distribution().p99()).isEqualTo(new BigDecimal("0.05000000"));
    }

    @Test
    void anEmptySelectionHasACountOfZeroAndNoStatistics() {
        CostDistribution distribution = queries.costDistribution(NOVEMBER);

        assertThat(distribution.count()).isZero();
        assertThat(distribution.min()).isNull();
        assertThat(distribution.p50()).isNull();
        assertThat(distribution.histogram()).isEmpty();
        assertThat(queries.costDistributionByModel(NOVEMBER)).isEmpty();
    }
}
