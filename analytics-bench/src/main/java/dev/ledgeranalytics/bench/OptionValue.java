package dev.ledgeranalytics.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict parsing of the command line's values: all of the text matches, or it is refused. */
final class OptionValue {

    private OptionValue() {}

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
