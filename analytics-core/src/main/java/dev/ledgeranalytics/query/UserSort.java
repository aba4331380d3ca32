package dev.ledgeranalytics.query;

/**
 * The order of a user breakdown. Ties are broken by user id, in the same direction, so that
 * pages never repeat or skip a user. Users without revenue have no margin ratio and sort as
 * the lowest ratio.
 */
public enum UserSort {
    /** Fewest requests first. */
    REQUESTS_ASC,
    /** Most requests first. */
    REQUESTS_DESC,
    /** Fewest input plus output tokens first. */
    TOKENS_ASC,
    /** Most input plus output tokens first. */
    TOKENS_DESC,
    /** Cheapest first. */
    VENDOR_COST_ASC,
    /** Most expensive first. */
    VENDOR_COST_DESC,
    /** Least revenue first. */
    REVENUE_ASC,
    /** Most revenue first. */
    REVENUE_DESC,
    /** Lowest gross margin (largest loss) first. */
    GROSS_MARGIN_ASC,
    /** Highest gross margin first. */
    GROSS_MARGIN_DESC,
    /** Lowest margin ratio first. */
    MARGIN_RATIO_ASC,
    /** Highest margin ratio first. */
    MARGIN_RATIO_DESC,
    /** Earliest first request first. */
    FIRST_REQUEST_ASC,
    /** Latest first request first. */
    FIRST_REQUEST_DESC,
    /** Least recently active first. */
    LAST_REQUEST_ASC,
    /** Most recently active first. */
    LAST_REQUEST_DESC;

    boolean descending() {
        return name().endsWith("_DESC");
    }
}
