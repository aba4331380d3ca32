package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalsTest {

    @Test
    void sharesAlwaysAddUpToExactlyOneAndStayWithinAUnitOfTheExactShare() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<BigDecimal> parts = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(12); i++) {
                parts.add(BigDecimal.valueOf(random.nextInt(1_000_000), 8));
            }
            if (parts.stream().allMatch(p -> p.signum() == 0)) {
                continue;
            }
            List<BigDecimal> shares = Decimals.shares(parts);
            BigDecimal total = parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);

            assertThat(shares.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("1");
            for (int i = 0; i < parts.size(); i++) {
                BigDecimal exact = parts.get(i).divide(total, 20, java.math.RoundingMode.HALF_EVEN);
                assertThat(shares.get(i).subtract(exact).abs()).isLessThan(new BigDecimal("0.000001"));
                assertThat(shares.get(i).scale()).isEqualTo(6);
            }
        }
    }

    @Test
    void ratiosAndChangesAreUndefinedOverZero() {
        assertThat(Decimals.ratio(BigDecimal.ONE, BigDecimal.ZERO)).isNull();
        assertThat(Decimals.relativeChange(BigDecimal.ONE, BigDecimal.ZERO)).isNull();
        assertThat(Decimals.shares(List.of(BigDecimal.ZERO, BigDecimal.ZERO))).containsExactly(null, null);
    }

    @Test
    void aLossTurningIntoAProfitIsAPositiveChange() {
        assertThat(Decimals.relativeChange(new BigDecimal("5"), new BigDecimal("-10")))
                .isEqualTo(new BigDecimal("1.500000"));
        assertThat(Decimals.relativeChange(new BigDecimal("-20"), new BigDecimal("-10")))
                .isEqualTo(new BigDecimal("-1.000000"));
        assertThat(Decimals.ratio(BigDecimal.ONE, new BigDecimal("3"))).isEqualTo(new BigDecimal("0.333333"));
    }
}
