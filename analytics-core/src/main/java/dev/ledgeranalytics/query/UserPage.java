package dev.ledgeranalytics.query;

import java.util.List;

/**
 * One page of a user breakdown.
 *
 * @param users the users on this page, in the requested order
 * @param next  the opaque cursor of the next page, to pass back unchanged with the same filter
 *              and sort; {@code null} on the last page
 */
public record UserPage(List<UserUsage> users, String next) {

    /** The largest page {@code userBreakdown} returns. */
    public static final int MAX_SIZE = 1000;

    /** Copies the users, so the page stays immutable. */
    public UserPage {
        users = List.copyOf(users);
    }

    /**
     * Whether another page follows.
     *
     * @return {@code true} when {@link #next()} is not {@code null}
     */
    public boolean hasNext() {
        return next != null;
    }
}
