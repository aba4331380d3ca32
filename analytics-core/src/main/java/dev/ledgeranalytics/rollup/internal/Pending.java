package dev.ledgeranalytics.rollup.internal;

import java.time.Instant;
import java.util.Collection;
import java.util.NavigableSet;

/**
 * What the rollups lack for one query's range, in the query's snapshot: the writes no refresh has
 * applied, and how far past the range's end the ledger is empty.
 *
 * @param recomputed quarter hours an update or delete touched: the rollups' sums of them are
 *                   wrong until a refresh, and only the ledger answers them
 * @param inserted   quarter hours inserts alone touched: their rollups hold every row but the new
 *                   ones, which the writers copied into {@link NewRows}
 * @param to         the range's end
 * @param emptyUntil the ledger holds no row in {@code [to, emptyUntil)}
 */
record Pending(NavigableSet<Instant> recomputed, NavigableSet<Instant> inserted, Instant to, Instant emptyUntil) {

    /**
     * Where the range may be taken to end when summed from {@code grains}: the furthest end of a
     * bucket of one of them that holds {@code to} and ends where the ledger is still empty. The
     * sums up to there are the sums up to {@code to}, and a range that ends "now" becomes whole
     * quarter hours, hours or a day that the rollups answer.
     */
    Instant end(Collection<Grain> grains) {
        Instant end = to;
        for (Grain grain : grains) {
            Instant ceiling = grain.ceiling(to);
            if (ceiling.isAfter(end) && !ceiling.isAfter(emptyUntil)) {
                end = ceiling;
            }
        }
        return end;
    }

    /** Whether inserts no refresh has added touched {@code [from, to)}, quarter hours apart. */
    boolean insertedIn(Instant from, Instant to) {
        Instant first = inserted.ceiling(Grain.QUARTER_HOUR.floor(from));
        return first != null && first.isBefore(to);
    }
}
