package dev.ledgeranalytics.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Internal API. RFC 4180 output: CRLF line ends, fields quoted only when they hold a comma, quote
 * or line break.
 */
public final class CsvWriter {

    private final Writer out;
    private boolean lineStarted;

    public CsvWriter(Writer out) {
        this.out = out;
    }

    public CsvWriter field(String value) {
        try {
            if (lineStarted) {
                out.write(',');
            }
            lineStarted = true;
            if (value == null) {
                return this;
            }
            if (needsQuotes(value)) {
                out.write('"');
                out.write(value.replace("\"", "\"\""));
                out.write('"');
            } else {
                out.write(value);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CsvWriter row(String... fields) {
        for (String value : fields) {
            field(value);
        }
        return endRow();
    }

    public CsvWriter endRow() {
        try {
            out.write("\r\n");
            lineStarted = false;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}
