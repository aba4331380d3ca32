package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.internal.Slice;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a query sums: {@code metrics} over the rows of {@code slice}, per bucket {@code
 * [boundaries[i], boundaries[i + 1])} (numbered from 1) and per value of {@code keys}.
 *
 * @param boundaries the bucket boundaries, at least two, strictly ascending
 * @param keys       the dimensions to group by, in the order of their columns
 * @param metrics    the metrics to sum
 * @param slice      the rows
 */
public record SumsRequest(List<Instant> boundaries, List<Dimension> keys, Set<Metric> metrics, Slice slice) {

    /** Checks the boundaries and copies the collections. */
    public SumsRequest {
        boundaries = List.copyOf(boundaries);
        for (int i = 1; i < boundaries.size(); i++) {
            if (!boundaries.get(i - 1).isBefore(boundaries.get(i))) {
                throw new IllegalArgumentException("boundaries must ascend strictly, but were " + boundaries);
            }
        }
        if (boundaries.size() < 2) {
            throw new IllegalArgumentException("at least one bucket is needed, but boundaries were " + boundaries);
        }
        keys = List.copyOf(keys);
        metrics = Collections.unmodifiableSet(EnumSet.copyOf(metrics));
    }

    /** The first instant any bucket holds. */
    public Instant from() {
        return boundaries.get(0);
    }

    /** The instant after the last any bucket holds. */
    public Instant to() {
        return boundaries.get(boundaries.size() - 1);
    }
}
