package dev.ledgeranalytics.rollup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.rollup.internal.Cover.Piece;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CoverTest {

    private static final Set<Grain> ALL = EnumSet.allOf(Grain.class);

    @Test
    void grainsCutUtcBucketsWeeksFromMonday() {
        Instant t = Instant.parse("2026-11-25T10:07:31Z"); // a Wednesday
        assertThat(Grain.QUARTER_HOUR.floor(t)).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(Grain.HOUR.ceiling(t)).isEqualTo(Instant.parse("2026-11-25T11:00:00Z"));
        assertThat(Grain.DAY.floor(t)).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThat(Grain.WEEK.floor(t)).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(Grain.WEEK.next(Instant.parse("2026-11-23T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(Grain.MONTH.floor(t)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(Grain.MONTH.next(Instant.parse("2026-12-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(Grain.DAY.ceiling(Instant.parse("2026-11-25T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThat(Grain.SIX_HOURS.floor(t)).isEqualTo(Instant.parse("2026-11-25T06:00:00Z"));
        assertThat(Grain.SIX_HOURS.next(Instant.parse("2026-11-25T18:00:00Z")))
                .isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
        assertThat(Grain.QUARTER.floor(t)).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
        assertThat(Grain.QUARTER.floor(Instant.parse("2026-03-31T23:59:59Z")))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Grain.QUARTER.next(Instant.parse("2026-10-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void aYearIsMonthsInTheMiddleAndFinerGrainsTowardsOddEdges() {
        Instant from = Instant.parse("2025-11-25T10:07:00Z");
        Instant to = Instant.parse("2026-11-25T15:00:00Z");

        List<Piece> pieces = Cover.of(List.of(from, to), ALL, new TreeSet<>());

        assertThat(pieces.get(0)).isEqualTo(new Piece(null, from, Instant.parse("2025-11-25T10:15:00Z"), 1));
        assertThat(pieces)
                .filteredOn(piece -> piece.grain() == Grain.QUARTER)
                .containsExactly(new Piece(
                        Grain.QUARTER,
                        Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2026-10-01T00:00:00Z"),
                        1));
        assertThat(pieces)
                .filteredOn(piece -> piece.grain() == Grain.MONTH)
                .containsExactly(
                        new Piece(
                                Grain.MONTH,
                                Instant.parse("2025-12-01T00:00:00Z"),
                                Instant.parse("2026-01-01T00:00:00Z"),
                                1),
                        new Piece(
                                Grain.MONTH,
                                Instant.parse("2026-10-01T00:00:00Z"),
                                Instant.parse("2026-11-01T00:00:00Z"),
                                1));
        assertThat(pieces)
                .filteredOn(piece -> piece.grain() == Grain.SIX_HOURS)
                .containsExactly(
                        new Piece(
                                Grain.SIX_HOURS,
                                Instant.parse("2025-11-25T12:00:00Z"),
                                Instant.parse("2025-11-26T00:00:00Z"),
                                1),
                        new Piece(
                                Grain.SIX_HOURS,
                                Instant.parse("2026-11-25T00:00:00Z"),
                                Instant.parse("2026-11-25T12:00:00Z"),
                                1));
        assertThat(pieces.get(pieces.size() - 1))
                .isEqualTo(new Piece(Grain.HOUR, Instant.parse("2026-11-25T12:00:00Z"), to, 1));
        assertContiguous(pieces, List.of(from, to));
    }

    @Test
    void withoutQuartersAYearIsMonthsInTheMiddle() {
        Instant from = Instant.parse("2025-11-25T10:07:00Z");
        Instant to = Instant.parse("2026-11-25T15:00:00Z");

        List<Piece> pieces = Cover.of(
                List.of(from, to), EnumSet.of(Grain.QUARTER_HOUR, Grain.HOUR, Grain.DAY, Grain.MONTH), new TreeSet<>());

        assertThat(pieces)
                .filteredOn(piece -> piece.grain() == Grain.MONTH)
                .singleElement()
                .isEqualTo(new Piece(
                        Grain.MONTH, Instant.parse("2025-12-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"), 1));
        assertThat(pieces.get(pieces.size() - 1).grain()).isEqualTo(Grain.HOUR);
        assertContiguous(pieces, List.of(from, to));
    }

    @Test
    void changedQuarterHoursAndTheBucketsHoldingThemAreReadFromTheLedger() {
        Instant from = Instant.parse("2026-10-01T00:00:00Z");
        Instant to = Instant.parse("2026-11-01T00:00:00Z");
        Instant changed = Instant.parse("2026-10-14T09:30:00Z");

        List<Piece> pieces = Cover.of(List.of(from, to), ALL, new TreeSet<>(List.of(changed)));

        assertThat(pieces).doesNotContain(new Piece(Grain.MONTH, from, to, 1));
        assertThat(pieces).contains(new Piece(null, changed, changed.plus(Duration.ofMinutes(15)), 1));
        assertThat(pieces)
                .filteredOn(piece -> piece.grain() != null)
                .noneMatch(piece -> !piece.from().isAfter(changed) && piece.to().isAfter(changed));
        assertContiguous(pieces, List.of(from, to));
    }

    @Test
    void withoutFineGrainsTheEdgesAreReadFromTheLedger() {
        Instant from = Instant.parse("2026-10-03T05:45:00Z");
        Instant to = Instant.parse("2026-10-09T18:15:00Z");

        List<Piece> pieces =
                Cover.of(List.of(from, to), EnumSet.of(Grain.DAY, Grain.WEEK, Grain.MONTH), new TreeSet<>());

        // No whole month or ISO week (Monday to Monday) fits between a Saturday and the Friday after.
        assertThat(pieces)
                .containsExactly(
                        new Piece(null, from, Instant.parse("2026-10-04T00:00:00Z"), 1),
                        new Piece(
                                Grain.DAY,
                                Instant.parse("2026-10-04T00:00:00Z"),
                                Instant.parse("2026-10-09T00:00:00Z"),
                                1),
                        new Piece(null, Instant.parse("2026-10-09T00:00:00Z"), to, 1));
    }

    @Test
    void randomBucketsAreCoveredExactlyOnceWhateverChanged() {
        Random random = new Random(15);
        for (int round = 0; round < 500; round++) {
            Instant start = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(86_400 * 300));
            List<Instant> boundaries = new ArrayList<>(List.of(start));
            for (int i = 0; i < 1 + random.nextInt(5); i++) {
                boundaries.add(
                        boundaries.get(i).plusSeconds(1 + random.nextInt(86_400 * (random.nextBoolean() ? 2 : 60))));
            }
            TreeSet<Instant> changed = new TreeSet<>();
            for (int i = 0; i < random.nextInt(4); i++) {
                changed.add(Grain.QUARTER_HOUR.floor(start.plusSeconds(random.nextInt(86_400 * 90))));
            }
            Set<Grain> grains = EnumSet.noneOf(Grain.class);
            for (Grain grain : Grain.values()) {
                if (random.nextBoolean()) {
                    grains.add(grain);
                }
            }

            List<Piece> pieces = Cover.of(boundaries, grains, changed);

            assertContiguous(pieces, boundaries);
            for (Piece piece : pieces) {
                if (piece.grain() != null) {
                    assertThat(grains).contains(piece.grain());
                    assertThat(piece.grain().floor(piece.from())).isEqualTo(piece.from());
                    assertThat(piece.grain().floor(piece.to())).isEqualTo(piece.to());
                    Instant inside = changed.ceiling(piece.from());
                    assertThat(inside == null || !inside.isBefore(piece.to()))
                            .as("%s holds a changed quarter hour", piece)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void aYearOfNewYorkDaysIsReadAsOneRunOfHoursWhateverTheDaysAre() {
        ZoneId newYork = ZoneId.of("America/New_York");
        List<Instant> boundaries = new ArrayList<>();
        for (int day = 0; day <= 365; day++) {
            boundaries.add(LocalDate.of(2025, 12, 1)
                    .plusDays(day)
                    .atStartOfDay(newYork)
                    .toInstant());
        }
        Set<Grain> grains = EnumSet.of(Grain.QUARTER_HOUR, Grain.HOUR, Grain.DAY);

        List<Piece> pieces = Cover.of(boundaries, grains, new TreeSet<>());
        List<Piece> runs = Cover.runs(pieces);

        assertThat(pieces)
                .hasSize(365)
                .allSatisfy(piece -> assertThat(piece.grain()).isEqualTo(Grain.HOUR));
        assertThat(runs).containsExactly(new Piece(Grain.HOUR, boundaries.get(0), boundaries.get(365), 0));

        // A changed quarter hour splits the run: its hour is read in quarter hours and from the ledger.
        Instant changed = Instant.parse("2026-03-08T06:45:00Z");
        List<Piece> around = Cover.runs(Cover.of(boundaries, grains, new TreeSet<>(List.of(changed))).stream()
                .filter(piece -> piece.grain() != null)
                .toList());

        assertThat(around)
                .containsExactly(
                        new Piece(Grain.HOUR, boundaries.get(0), Instant.parse("2026-03-08T06:00:00Z"), 0),
                        new Piece(
                                Grain.QUARTER_HOUR,
                                Instant.parse("2026-03-08T06:00:00Z"),
                                Instant.parse("2026-03-08T06:45:00Z"),
                                0),
                        new Piece(Grain.HOUR, Instant.parse("2026-03-08T07:00:00Z"), boundaries.get(365), 0));
    }

    /**
     * Every local hour, day, week and month of every zone starts on a UTC quarter hour since
     * 1980, which is what lets the quarter-hour rollups answer trends in any zone.
     */
    @Test
    void everyZonesOffsetsSince1980AreWholeQuarterHours() {
        Instant since = Instant.parse("1980-01-01T00:00:00Z");
        for (String id : ZoneId.getAvailableZoneIds()) {
            ZoneRules rules = ZoneId.of(id).getRules();
            assertThat(rules.getOffset(since).getTotalSeconds() % 900).as(id).isZero();
            for (ZoneOffsetTransition transition = rules.nextTransition(since);
                    transition != null && transition.getInstant().isBefore(Instant.parse("2040-01-01T00:00:00Z"));
                    transition = rules.nextTransition(transition.getInstant())) {
                ZoneOffset after = transition.getOffsetAfter();
                assertThat(after.getTotalSeconds() % 900)
                        .as(id + " at " + transition)
                        .isZero();
            }
        }
    }

    /** The pieces of each bucket follow each other without gap or overlap from its start to its end. */
    private static void assertContiguous(List<Piece> pieces, List<Instant> boundaries) {
        int i = 0;
        for (int bucket = 1; bucket < boundaries.size(); bucket++) {
            Instant at = boundaries.get(bucket - 1);
            while (i < pieces.size() && pieces.get(i).bucket() == bucket) {
                assertThat(pieces.get(i).from()).isEqualTo(at);
                assertThat(pieces.get(i).to()).isAfter(at);
                at = pieces.get(i).to();
                i++;
            }
            assertThat(at).as("end of bucket %d", bucket).isEqualTo(boundaries.get(bucket));
        }
        assertThat(i).isEqualTo(pieces.size());
    }
}
