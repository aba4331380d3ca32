package dev.ledgeranalytics.rollup.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;

/**
 * Cuts a query's buckets into the pieces rollups can answer and the pieces only the
 * ledger can: whole clean buckets of the coarsest grain that fits, then finer grains towards the
 * edges, and the ledger itself for what no grain covers (sub-quarter-hour edges, and quarter
 * hours with changes no refresh has applied yet).
 */
final class Cover {

    /**
     * A stretch {@code [from, to)} of one query bucket, read from the rollups at a grain, or from
     * the ledger when {@code grain} is {@code null}.
     *
     * @param grain  the rollup grain, or {@code null} for the ledger
     * @param from   the first instant, included
     * @param to     the last instant, excluded
     * @param bucket the 1-based number of the query bucket the stretch belongs to
     */
    record Piece(Grain grain, Instant from, Instant to, int bucket) {}

    private final List<Grain> grains;
    private final NavigableSet<Instant> changedQuarterHours;
    private final List<Piece> pieces = new ArrayList<>();

    private Cover(Set<Grain> grains, NavigableSet<Instant> changedQuarterHours) {
        this.grains = grains.stream().sorted(Comparator.reverseOrder()).toList();
        this.changedQuarterHours = changedQuarterHours;
    }

    /**
     * The pieces of buckets {@code [boundaries[i], boundaries[i + 1])}, numbered from 1.
     *
     * @param boundaries          the bucket boundaries, ascending
     * @param grains              the grains the rollup table keeps
     * @param changedQuarterHours quarter hours whose rollups are stale, to be read from the ledger
     * @return the pieces, adjacent pieces of one grain and bucket merged
     */
    static List<Piece> of(List<Instant> boundaries, Set<Grain> grains, NavigableSet<Instant> changedQuarterHours) {
        Cover cover = new Cover(grains, changedQuarterHours);
        for (int i = 0; i + 1 < boundaries.size(); i++) {
            cover.cover(boundaries.get(i), boundaries.get(i + 1), 0, i + 1);
        }
        return List.copyOf(cover.pieces);
    }

    /**
     * The rollup pieces with each stretch of adjacent pieces of one grain merged into one run,
     * across buckets: one range scan each. Their bucket is 0: a run's rows are numbered by their
     * start.
     *
     * @param pieces pieces read from the rollups, in order
     * @return the runs, in order
     */
    static List<Piece> runs(List<Piece> pieces) {
        List<Piece> runs = new ArrayList<>();
        for (Piece piece : pieces) {
            Piece previous = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (previous != null
                    && previous.grain() == piece.grain()
                    && previous.to().equals(piece.from())) {
                runs.set(runs.size() - 1, new Piece(piece.grain(), previous.from(), piece.to(), 0));
            } else {
                runs.add(new Piece(piece.grain(), piece.from(), piece.to(), 0));
            }
        }
        return List.copyOf(runs);
    }

    private void cover(Instant from, Instant to, int level, int bucket) {
        if (!from.isBefore(to)) {
            return;
        }
        if (level == grains.size()) {
            add(null, from, to, bucket);
            return;
        }
        Grain grain = grains.get(level);
        Instant first = grain.ceiling(from);
        Instant last = grain.floor(to);
        if (!first.isBefore(last)) {
            cover(from, to, level + 1, bucket);
            return;
        }
        cover(from, first, level + 1, bucket);
        // Clean stretches in one step each: a year's trend by New York days is 8,760 whole hours.
        for (Instant start = first; start.isBefore(last); ) {
            Instant changed = changedQuarterHours.ceiling(start);
            Instant clean = changed == null || !changed.isBefore(last) ? last : grain.floor(changed);
            if (start.isBefore(clean)) {
                add(grain, start, clean, bucket);
                start = clean;
            } else {
                Instant end = grain.next(start);
                cover(start, end, level + 1, bucket);
                start = end;
            }
        }
        cover(last, to, level + 1, bucket);
    }

    private void add(Grain grain, Instant from, Instant to, int bucket) {
        if (!pieces.isEmpty()) {
            Piece previous = pieces.get(pieces.size() - 1);
            if (previous.grain() == grain
                    && previous.bucket() == bucket
                    && previous.to().equals(from)) {
                pieces.set(pieces.size() - 1, new Piece(grain, previous.from(), to, bucket));
                return;
            }
        }
        pieces.add(new Piece(grain, from, to, bucket));
    }
}
