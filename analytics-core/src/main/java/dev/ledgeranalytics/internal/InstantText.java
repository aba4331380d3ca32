package dev.ledgeranalytics.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Function;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Internal API. An instant column as text written by PostgreSQL exactly as {@link
 * DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes the instant in a zone: {@code
 * 2026-11-03T05:00:00.123456+05:30}, a fraction without trailing zeros, {@code Z} for a zero
 * offset, the seconds of an offset that has them (local mean time, before 1900), {@code +} before
 * years past 9999 and java.time's year numbers before year 1 (1 BC is year 0).
 *
 * <p>The offsets are java.time's, not those of PostgreSQL's time zone database, whose zone names
 * and version can differ from the JVM's: the zone's transitions are rendered into the statement as
 * an array, and each row's offset is a binary search in it ({@code width_bucket}). A zone whose
 * daylight saving rules go on for ever repeats its transitions every 400 years (146,097 days, a
 * whole number of weeks), so the array holds 400 years of them after its last change of rules,
 * and a later instant is looked up as many 400-year cycles earlier.
 *
 * <p>The text itself is the server's {@code timestamp} output (ISO date style, which the driver
 * requires), with a {@code T}: cheaper per row than {@code to_char} by half.
 */
final class InstantText {

    /** The Gregorian calendar's cycle: the same weekdays on the same dates again. */
    private static final Duration CYCLE = Duration.ofDays(146_097);

    /** Instants between these two have a local year of 1 to 9999 in every zone (offsets stay within ±18 hours). */
    private static final String FOUR_DIGIT_YEARS =
            "{0} >= '0001-01-02 00:00:00+00'::timestamptz AND {0} < '9999-12-31 00:00:00+00'::timestamptz";

    private static final DateTimeFormatter UTC_TEXT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss'+00'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private InstantText() {}

    /** The text of {@code instant} in {@code zone}; {@code null} where it is null, {@code infinity} where it is. */
    static Field<String> of(Field<?> instant, ZoneId zone) {
        Field<?> utc = DSL.field("({0} AT TIME ZONE 'UTC')", Object.class, instant);
        Transitions transitions = Transitions.of(zone);
        if (transitions.list.isEmpty()) {
            ZoneOffset offset = zone.getRules().getOffset(Instant.EPOCH);
            Field<?> local = offset.getTotalSeconds() == 0
                    ? utc
                    : DSL.field("({0} + {1}::interval)", Object.class, utc, DSL.inline(seconds(offset)));
            return text(instant, local, DSL.inline(offset.getId()));
        }
        Field<Integer> index = DSL.field(
                "(width_bucket({0}, {1}::timestamptz[]) + 1)",
                Integer.class,
                transitions.folded(instant),
                DSL.inline(array(transitions.list, t -> UTC_TEXT.format(t.getInstant()))));
        Field<?> local = DSL.field(
                "({0} + ({1}::interval[])[{2}])",
                Object.class, utc, DSL.inline(array(transitions.offsets(), InstantText::seconds)), index);
        Field<?> offsetId = DSL.field(
                "({0}::text[])[{1}]", Object.class, DSL.inline(array(transitions.offsets(), ZoneOffset::getId)), index);
        return text(instant, local, offsetId);
    }

    /**
     * The text of a local date-time and its offset. The common case first, which is all but the
     * first and last day of PostgreSQL's four-digit years: the timestamp's own text with a
     * {@code T}. The rest is the timestamp's text made into java.time's: {@code +} before a
     * five-digit year, and a year before 1 counted as java.time counts it.
     */
    private static Field<String> text(Field<?> instant, Field<?> local, Field<?> offsetId) {
        return DSL.field(
                "CASE WHEN " + FOUR_DIGIT_YEARS + " THEN replace({1}::text, ' ', 'T') || {2}"
                        + " WHEN NOT isfinite({0}) THEN {0}::text"
                        + " WHEN {1} >= '10000-01-01'::timestamp THEN '+' || replace({1}::text, ' ', 'T') || {2}"
                        + " WHEN {1} >= '0001-01-01'::timestamp THEN replace({1}::text, ' ', 'T') || {2}"
                        + " ELSE {3} || replace(substr({1}::text, 5, length({1}::text) - 7), ' ', 'T') || {2} END",
                String.class,
                instant,
                local,
                offsetId,
                DSL.field(
                        "CASE WHEN left({0}::text, 4) = '0001' THEN '0000'"
                                + " ELSE '-' || lpad((left({0}::text, 4)::int - 1)::text, 4, '0') END",
                        String.class, local));
    }

    private static String seconds(ZoneOffset offset) {
        return offset.getTotalSeconds() + " seconds";
    }

    private static <T> String array(List<T> elements, Function<T, String> text) {
        StringJoiner array = new StringJoiner(",", "{", "}");
        elements.forEach(element -> array.add('"' + text.apply(element) + '"'));
        return array.toString();
    }

    /**
     * A zone's transitions up to {@code end}, and where its 400-year cycle starts, if its rules
     * repeat for ever ({@code null} otherwise).
     */
    private record Transitions(List<ZoneOffsetTransition> list, Instant cycleStart, Instant end) {

        static Transitions of(ZoneId zone) {
            var rules = zone.getRules();
            List<ZoneOffsetTransition> history = rules.getTransitions();
            List<ZoneOffsetTransitionRule> forever = rules.getTransitionRules();
            Instant cycleStart = null;
            Instant end = Instant.MAX;
            if (!forever.isEmpty()) {
                // From the second new year after the last explicit transition the rules alone decide.
                int lastYear = history.isEmpty()
                        ? 0
                        : history.get(history.size() - 1).getDateTimeBefore().getYear();
                cycleStart = LocalDate.of(lastYear + 2, 1, 1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
                end = cycleStart.plus(CYCLE);
            }
            List<ZoneOffsetTransition> list = new ArrayList<>();
            for (ZoneOffsetTransition next = rules.nextTransition(Instant.MIN);
                    next != null && next.getInstant().isBefore(end);
                    next = rules.nextTransition(next.getInstant())) {
                list.add(next);
            }
            return new Transitions(list, cycleStart, end);
        }

        /** The offset before the first transition, then the offset after each. */
        List<ZoneOffset> offsets() {
            List<ZoneOffset> offsets = new ArrayList<>();
            offsets.add(list.get(0).getOffsetBefore());
            list.forEach(transition -> offsets.add(transition.getOffsetAfter()));
            return offsets;
        }

        /** The instant to look the offset up for: as many cycles earlier as put it before {@code end}. */
        Field<?> folded(Field<?> instant) {
            if (cycleStart == null) {
                return instant;
            }
            // In UTC timestamps, where subtracting whole days is exact whatever the session's time zone.
            return DSL.field(
                    "CASE WHEN {0} < {1}::timestamptz THEN {0} ELSE (({0} AT TIME ZONE 'UTC') - floor(extract(epoch"
                            + " FROM ({0} AT TIME ZONE 'UTC') - {2}::timestamp) / {3})::int * {4}::interval)"
                            + " AT TIME ZONE 'UTC' END",
                    Object.class,
                    instant,
                    DSL.inline(UTC_TEXT.format(end)),
                    DSL.inline(UTC_TEXT.format(cycleStart).replace("+00", "")),
                    DSL.inline(CYCLE.toSeconds()),
                    DSL.inline(CYCLE.toDays() + " days"));
        }
    }
}
