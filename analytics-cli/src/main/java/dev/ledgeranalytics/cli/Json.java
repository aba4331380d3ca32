package dev.ledgeranalytics.cli;

import java.util.Iterator;
import java.util.Map;

/**
 * A minimal JSON writer for the CLI's machine output: strings escaped as RFC 8259 requires, so
 * that index predicates and database messages with quotes or control characters stay valid.
 * Values are {@code null}, {@link Boolean}, {@link Number}, {@link CharSequence}, {@link Map} (of
 * string keys, written in iteration order) and {@link Iterable}; anything else is written as its
 * {@code toString()}.
 */
final class Json {

    private Json() {}

    static String write(Object value) {
        StringBuilder json = new StringBuilder();
        write(value, json);
        return json.toString();
    }

    private static void write(Object value, StringBuilder json) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            json.append(value);
        } else if (value instanceof Map<?, ?> map) {
            json.append('{');
            Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<?, ?> entry = entries.next();
                string(String.valueOf(entry.getKey()), json);
                json.append(':');
                write(entry.getValue(), json);
                json.append(entries.hasNext() ? "," : "");
            }
            json.append('}');
        } else if (value instanceof Iterable<?> items) {
            json.append('[');
            Iterator<?> iterator = items.iterator();
            while (iterator.hasNext()) {
                write(iterator.next(), json);
                json.append(iterator.hasNext() ? "," : "");
            }
            json.append(']');
        } else {
            string(value.toString(), json);
        }
    }

    private static void string(String value, StringBuilder json) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
