package dev.ledgeranalytics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.CostDistribution;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.List;

/** Compares a cost distribution read through the rollups with the exact one. */
public final class CostDistributions {

    /** The rollups' percentiles promise this relative error at most. */
    public static final BigDecimal TOLERANCE = new BigDecimal("0.01");

    private CostDistributions() {}

    /** Everything identical, but the percentiles, which are within {@link #TOLERANCE} of the exact ones. */
    public static void assertEquivalent(CostDistribution fromRollups, CostDistribution exact) {
        assertThat(fromRollups.count()).isEqualTo(exact.count());
        assertThat(fromRollups.min()).isEqualTo(exact.min());
        assertThat(fromRollups.max()).isEqualTo(exact.max());
        assertThat(fromRollups.mean()).isEqualTo(exact.mean());
        assertThat(fromRollups.histogram()).isEqualTo(exact.histogram());
        List<BigDecimal> estimated =
                Arrays.asList(fromRollups.p50(), fromRollups.p90(), fromRollups.p95(), fromRollups.p99());
        List<BigDecimal> expected = Arrays.asList(exact.p50(), exact.p90(), exact.p95(), exact.p99());
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) == null) {
                assertThat(estimated.get(i)).isNull();
            } else {
                assertThat(relativeError(estimated.get(i), expected.get(i)))
                        .as("percentile %d: %s against %s", i, estimated.get(i), expected.get(i))
                        .isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    public static BigDecimal relativeError(BigDecimal estimate, BigDecimal exact) {
        if (exact.signum() == 0) {
            return estimate.signum() == 0 ? BigDecimal.ZERO : BigDecimal.ONE;
        }
        return estimate.subtract(exact).abs().divide(exact, MathContext.DECIMAL64);
    }
}
