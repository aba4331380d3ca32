package dev.ledgeranalytics.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/** RFC 4180 output: CRLF line ends, fields quoted only when they hold a comma, quote or line break. */
final class CsvWriter {

    private final Writer out;
    private boolean lineStarted;

    CsvWriter(Writer out) {
        this.out = out;
    }

    CsvWriter field(String value) {
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

    CsvWriter row(String... fields) {
        for (String value : fields) {
            field(value);
        }
        return endRow();
    }

    CsvWriter endRow() {
        try {
            out.write("\r\n");
            lineStarted = false;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void flush() {
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
