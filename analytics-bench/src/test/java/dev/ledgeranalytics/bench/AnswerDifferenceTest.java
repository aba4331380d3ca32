package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.ProviderCost;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerDifferenceTest {

    private static final CostDistribution EXACT = distribution("0.00100000", "0.00200000");

    @Test
    void equalAnswersAgree() {
        assertThat(AnswerDifference.between(List.of("a", "b"), List.of("a", "b")))
                .isEmpty();
    }

    @Test
    void aDecimalOfAnotherScaleDiffersAndIsNamedByItsPath() {
        assertThat(AnswerDifference.between(
                        List.of(new CostBucket(BigDecimal.ZERO, BigDecimal.ONE, 3, new BigDecimal("0.10"))),
                        List.of(new CostBucket(BigDecimal.ZERO, BigDecimal.ONE, 3, new BigDecimal("0.1")))))
                .hasValue("[0].costSum: 0.10 against 0.1");
    }

    @Test
    void listsOfAnotherLengthDiffer() {
        assertThat(AnswerDifference.between(List.<ProviderCost>of(), List.of(1)))
                .hasValue(": 0 elements against 1");
    }

    @Test
    void percentilesWithinOnePercentAgree() {
        assertThat(AnswerDifference.between(distribution("0.00100990", "0.00198100"), EXACT))
                .isEmpty();
    }

    @Test
    void aPercentileBeyondOnePercentDiffers() {
        assertThat(AnswerDifference.between(distribution("0.00101100", "0.00200000"), EXACT))
                .hasValue("p50 0.00101100 against 0.00100000, beyond 1 %");
    }

    @Test
    void everythingButThePercentilesMustBeIdentical() {
        CostDistribution otherCount = new CostDistribution(
                EXACT.count() + 1,
                EXACT.min(),
                EXACT.max(),
                EXACT.mean(),
                EXACT.p50(),
                EXACT.p90(),
                EXACT.p95(),
                EXACT.p99(),
                EXACT.histogram());

        assertThat(AnswerDifference.between(otherCount, EXACT)).hasValue("count: 11 against 10");
    }

    private static CostDistribution distribution(String p50, String p99) {
        BigDecimal median = new BigDecimal(p50);
        BigDecimal top = new BigDecimal(p99);
        return new CostDistribution(
                10,
                new BigDecimal("0.00050000"),
                new BigDecimal("0.00300000"),
                new BigDecimal("0.00120000"),
                median,
                top,
                top,
                top,
                List.of(new CostBucket(new BigDecimal("0.0005"), new BigDecimal("0.001"), 4, new BigDecimal("0.003"))));
    }
}
