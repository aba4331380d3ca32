package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The library's rounding rules, in one place. Sums are never rounded: they come from SQL
 * NUMERIC as they are. Only quotients need a scale; they get {@value #RATIO_SCALE} decimal places,
 * rounded half-even, which keeps a margin or a share exact to a ten-thousandth of a percent.
 */
final class Decimals {

    static final int RATIO_SCALE = 6;

    /** The scale of a mean cost: four digits below the ledger's eight. */
    static final int MEAN_SCALE = 12;

    private Decimals() {}

    /** {@code numerator / denominator}, or {@code null} when the denominator is zero. */
    static BigDecimal ratio(BigDecimal numerator, BigDecimal denominator) {
        if (denominator.signum() == 0) {
            return null;
        }
        return numerator.divide(denominator, RATIO_SCALE, RoundingMode.HALF_EVEN);
    }

    /** {@code (current - previous) / |previous|}, or {@code null} when there was nothing before. */
    static BigDecimal relativeChange(BigDecimal current, BigDecimal previous) {
        if (previous.signum() == 0) {
            return null;
        }
        return current.subtract(previous).divide(previous.abs(), RATIO_SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * Each part's share of the total at {@value #RATIO_SCALE} decimals, apportioned by largest
     * remainder so that the shares add up to exactly 1. Parts must not be negative.
     *
     * @return the shares in the order of {@code parts}, or {@code null} for each when the total is zero
     */
    static List<BigDecimal> shares(List<BigDecimal> parts) {
        BigDecimal total = parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        if (total.signum() == 0) {
            return new ArrayList<>(java.util.Collections.nCopies(parts.size(), null));
        }
        BigDecimal unit = BigDecimal.ONE.movePointLeft(RATIO_SCALE);
        List<BigDecimal> floors = new ArrayList<>();
        List<BigDecimal> remainders = new ArrayList<>();
        for (BigDecimal part : parts) {
            BigDecimal exact = part.divide(total, RATIO_SCALE + 12, RoundingMode.DOWN);
            BigDecimal floor = exact.setScale(RATIO_SCALE, RoundingMode.DOWN);
            floors.add(floor);
            remainders.add(exact.subtract(floor));
        }
        BigDecimal assigned = floors.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        BigInteger missingUnits =
                BigDecimal.ONE.subtract(assigned).movePointRight(RATIO_SCALE).toBigIntegerExact();
        List<Integer> byRemainder = IntStream.range(0, parts.size())
                .boxed()
                .sorted(Comparator.comparing((Integer i) -> remainders.get(i))
                        .reversed()
                        .thenComparing(i -> i))
                .toList();
        List<BigDecimal> shares = new ArrayList<>(floors);
        for (int k = 0; k < missingUnits.intValueExact(); k++) {
            int i = byRemainder.get(k);
            shares.set(i, shares.get(i).add(unit));
        }
        return shares;
    }
}
