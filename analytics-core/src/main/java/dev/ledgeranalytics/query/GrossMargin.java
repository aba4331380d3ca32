package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The KPI cards: totals for the requested period and for the period of equal length just before
 * it, so a card can say "+12 % vs previous 30 days".
 *
 * <p>The changes are relative, {@code (current - previous) / |previous|}, as fractions to six
 * decimals ({@code 0.12} is +12 %); they are {@code null} when the previous value is zero, where
 * no percentage means anything.
 *
 * @param current  the requested period
 * @param previous the period of the same length ending where {@code current} begins
 */
public record GrossMargin(PeriodTotals current, PeriodTotals previous) {

    /** Rejects missing periods. */
    public GrossMargin {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(previous, "previous");
    }

    /**
     * The relative change in the number of requests.
     *
     * @return the change, or {@code null} when the previous period had none
     */
    public BigDecimal requestsChange() {
        return Decimals.relativeChange(BigDecimal.valueOf(current.requests()), BigDecimal.valueOf(previous.requests()));
    }

    /**
     * The relative change in vendor cost.
     *
     * @return the change, or {@code null} when the previous period cost nothing
     */
    public BigDecimal vendorCostChange() {
        return Decimals.relativeChange(current.vendorCost(), previous.vendorCost());
    }

    /**
     * The relative change in revenue.
     *
     * @return the change, or {@code null} when the previous period earned nothing
     */
    public BigDecimal revenueChange() {
        return Decimals.relativeChange(current.revenue(), previous.revenue());
    }

    /**
     * The relative change in gross margin, measured against the previous margin's magnitude, so
     * that a loss turning into a profit reads as a positive change.
     *
     * @return the change, or {@code null} when the previous margin was zero
     */
    public BigDecimal grossMarginChange() {
        return Decimals.relativeChange(current.grossMargin(), previous.grossMargin());
    }
}
