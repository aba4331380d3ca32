package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.CostDistribution;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a query's answer through the rollups differs from the ledger's own, if it does. The rollups
 * promise identical records, scale included, but for the cost distribution's percentiles, which
 * are within 1 % of the exact ones (docs/rollups.md).
 */
final class AnswerDifference {

    static final BigDecimal PERCENTILE_TOLERANCE = new BigDecimal("0.01");

    /** Enough of a differing value to recognize it. */
    private static final int SHOWN = 400;

    private AnswerDifference() {}

    /**
     * @param viaRollups the answer read through the rollups
     * @param raw        the answer read from the ledger alone
     * @return what differs, or empty if they agree
     */
    static Optional<String> between(Object viaRollups, Object raw) {
        if (viaRollups instanceof CostDistribution estimated && raw instanceof CostDistribution exact) {
            return percentilesAside(estimated, exact);
        }
        return firstDifference("", viaRollups, raw);
    }

    /**
     * The first component, list element or value where the two differ, as in {@code
     * users[12].grossMargin: 1.00000000 against 1.00000001}; walks records and lists, compares
     * anything else with {@code equals}.
     */
    private static Optional<String> firstDifference(String path, Object a, Object b) {
        if (Objects.equals(a, b)) {
            return Optional.empty();
        }
        if (a instanceof Record && b != null && a.getClass() == b.getClass()) {
            for (RecordComponent component : a.getClass().getRecordComponents()) {
                Optional<String> difference = firstDifference(
                        (path.isEmpty() ? "" : path + ".") + component.getName(),
                        value(component, a),
                        value(component, b));
                if (difference.isPresent()) {
                    return difference;
                }
            }
        }
        if (a instanceof List<?> as && b instanceof List<?> bs) {
            for (int i = 0; i < Math.min(as.size(), bs.size()); i++) {
                Optional<String> difference = firstDifference(path + "[" + i + "]", as.get(i), bs.get(i));
                if (difference.isPresent()) {
                    return difference;
                }
            }
            return Optional.of(path + ": " + as.size() + " elements against " + bs.size());
        }
        return Optional.of((path.isEmpty() ? "" : path + ": ") + shown(a) + " against " + shown(b));
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Reading " + component + " of a query's answer failed", e);
        }
    }

    private static Optional<String> percentilesAside(CostDistribution estimated, CostDistribution exact) {
        CostDistribution withExactPercentiles = new CostDistribution(
                estimated.count(),
                estimated.min(),
                estimated.max(),
                estimated.mean(),
                exact.p50(),
                exact.p90(),
                exact.p95(),
                exact.p99(),
                estimated.histogram());
        if (!withExactPercentiles.equals(exact)) {
            return firstDifference("", withExactPercentiles, exact);
        }
        List<String> names = List.of("p50", "p90", "p95", "p99");
        List<BigDecimal> estimates = Arrays.asList(estimated.p50(), estimated.p90(), estimated.p95(), estimated.p99());
        List<BigDecimal> exacts = Arrays.asList(exact.p50(), exact.p90(), exact.p95(), exact.p99());
        for (int i = 0; i < names.size(); i++) {
            BigDecimal estimate = estimates.get(i);
            BigDecimal expected = exacts.get(i);
            boolean agree = expected == null
                    ? estimate == null
                    : estimate != null && relativeError(estimate, expected).compareTo(PERCENTILE_TOLERANCE) <= 0;
            if (!agree) {
                return Optional.of(names.get(i) + " " + estimate + " against " + expected + ", beyond 1 %");
            }
        }
        return Optional.empty();
    }

    private static BigDecimal relativeError(BigDecimal estimate, BigDecimal exact) {
        if (exact.signum() == 0) {
            return estimate.signum() == 0 ? BigDecimal.ZERO : BigDecimal.ONE;
        }
        return estimate.subtract(exact).abs().divide(exact.abs(), MathContext.DECIMAL64);
    }

    private static String shown(Object answer) {
        String text = String.valueOf(answer);
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
    }
}
