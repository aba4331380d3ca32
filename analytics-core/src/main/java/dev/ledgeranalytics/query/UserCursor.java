package dev.ledgeranalytics.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The position after the last user of a page: the sort it belongs to, the sort key values of
 * that user and the user's id. Encoded as URL-safe Base64 so hosts can put it in a query string;
 * opaque to them, and checked on the way back in.
 */
record UserCursor(UserSort sort, List<Object> keys, UUID lastUser) {

    private static final String VERSION = "u1";

    /**
     * Longer than any cursor {@link #encode()} writes (a sort name, two keys and a user id), and
     * short enough that a forged one is refused before it costs anything: a key of 200,000 digits
     * took the database 10 s to compare.
     */
    private static final int MAX_LENGTH = 1_024;

    /** More digits than any total of the ledger's money or tokens, or a margin ratio, has. */
    private static final int MAX_KEY_DIGITS = 100;

    UserCursor {
        keys = List.copyOf(keys);
    }

    String encode() {
        StringBuilder text = new StringBuilder(VERSION).append(';').append(sort.name());
        for (Object key : keys) {
            text.append(';').append(key);
        }
        text.append(';').append(lastUser);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor back, checking it was made for {@code sort}.
     *
     * @param keyTypes the classes of the sort's key values, in order
     * @throws IllegalArgumentException if {@code cursor} is not such a cursor
     */
    static UserCursor decode(String cursor, UserSort sort, List<Class<?>> keyTypes) {
        if (cursor.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("cursor is not a cursor of a " + sort + " user breakdown: "
                    + cursor.length() + " characters long, more than the " + MAX_LENGTH + " any cursor has");
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = text.split(";", -1);
            if (parts.length != keyTypes.size() + 3 || !parts[0].equals(VERSION)) {
                throw new IllegalArgumentException("malformed");
            }
            if (!parts[1].equals(sort.name())) {
                throw new IllegalArgumentException("cursor was made for sort " + parts[1] + ", not " + sort);
            }
            List<Object> keys = new ArrayList<>();
            for (int i = 0; i < keyTypes.size(); i++) {
                keys.add(parse(parts[i + 2], keyTypes.get(i)));
            }
            String user = parts[parts.length - 1];
            // UUID.fromString accepts shortened groups; a cursor we wrote never has them.
            if (!UUID.fromString(user).toString().equals(user)) {
                throw new IllegalArgumentException("malformed user id");
            }
            return new UserCursor(sort, keys, UUID.fromString(user));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new IllegalArgumentException(
                    "cursor is not a cursor of a " + sort + " user breakdown: \"" + cursor + "\" (" + e.getMessage()
                            + ")",
                    e);
        }
    }

    private static Object parse(String value, Class<?> type) {
        if (type == Long.class) {
            return Long.valueOf(value);
        }
        if (type == BigDecimal.class) {
            BigDecimal key = new BigDecimal(value);
            if (key.precision() > MAX_KEY_DIGITS || Math.abs(key.scale()) > MAX_KEY_DIGITS) {
                throw new IllegalArgumentException("key has more than " + MAX_KEY_DIGITS + " digits: " + value);
            }
            return key;
        }
        if (type == Instant.class) {
            Instant key = Instant.parse(value);
            LedgerFilter.requireWithinSupportedRange("key", key);
            return key;
        }
        if (type == Boolean.class) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException("not a boolean: " + value);
            }
            return Boolean.valueOf(value);
        }
        throw new IllegalStateException("no cursor encoding for " + type);
    }
}
