package dev.ledgeranalytics.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The process's standard output as the {@link PrintWriter} picocli wants, keeping the cause of a
 * failed write where PrintWriter keeps only a flag: {@code export} then says "Broken pipe" or "No
 * space left on device" instead of guessing. It writes to the file descriptor itself, not through
 * {@code System.out}, a PrintStream that would swallow the failure before anyone could see it.
 */
final class StandardOutput extends PrintWriter {

    private final FailureKeeper keeper;

    private StandardOutput(FailureKeeper keeper) {
        super(keeper, true);
        this.keeper = keeper;
    }

    static StandardOutput of(OutputStream stream) {
        return new StandardOutput(new FailureKeeper(new OutputStreamWriter(stream, StandardCharsets.UTF_8)));
    }

    /**
     * Whether writing to {@code out} failed, and why, as the error line says it. Flushes {@code out}.
     *
     * @return the message, empty when every write went through
     */
    static Optional<String> failureOf(PrintWriter out) {
        if (!out.checkError()) {
            return Optional.empty();
        }
        Optional<IOException> cause = out instanceof StandardOutput standard
                ? Optional.ofNullable(standard.keeper.failure)
                : Optional.empty();
        return Optional.of("cannot write to standard output"
                + cause.map(e -> ": " + (e.getMessage() == null ? e.toString() : e.getMessage()))
                        .orElse(""));
    }

    private static final class FailureKeeper extends FilterWriter {

        private volatile IOException failure;

        FailureKeeper(Writer out) {
            super(out);
        }

        @Override
        public void write(int c) throws IOException {
            try {
                super.write(c);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            try {
                super.write(buffer, offset, length);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void write(String text, int offset, int length) throws IOException {
            try {
                super.write(text, offset, length);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                super.flush();
            } catch (IOException e) {
                throw keep(e);
            }
        }

        private IOException keep(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }
}
