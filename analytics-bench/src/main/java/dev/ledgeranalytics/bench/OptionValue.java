package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict parsing of the command line's values: all of the text matches, or it is refused. */
final class OptionValue {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([smhd])");

    private OptionValue() {}

    /**
     * Parses a whole number of seconds, minutes, hours or days, such as {@code 30s}, {@code 5m},
     * {@code 2h} or {@code 3d}.
     *
     * @throws IllegalArgumentException naming the value if it is anything else
     */
    static Duration duration(String text) {
        Matcher matcher = match(DURATION, text, "duration", "a whole number of s, m, h or d, such as 30s, 5m or 3d");
        long count = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(count);
            case "m" -> Duration.ofMinutes(count);
            case "h" -> Duration.ofHours(count);
            default -> Duration.ofDays(count);
        };
    }

    /**
     * Matches the whole of {@code text}, trimmed and lower-cased, against {@code pattern}.
     *
     * @throws IllegalArgumentException "{@code name} must be {@code expected}, but was ...", if it does not
     */
    static Matcher match(Pattern pattern, String text, String name, String expected) {
        Matcher matcher = pattern.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(name + " must be " + expected + ", but was \"" + text + "\"");
        }
        return matcher;
    }

    /**
     * Checks that {@code value} lies in {@code [min, max]}.
     *
     * @throws IllegalArgumentException "{@code name} must be between ... and ..., but was ...", if not
     */
    static void requireBetween(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", but was " + value);
        }
    }
}
