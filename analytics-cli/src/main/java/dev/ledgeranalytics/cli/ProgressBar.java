package dev.ledgeranalytics.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar with the rate, redrawn in place on the terminal; thread-safe. */
final class ProgressBar {

    private static final int WIDTH = 40;

    private final PrintWriter out;
    private final long total;
    private final boolean indexesFollow;
    private final long started = System.nanoTime();
    private long lastDrawn;
    private boolean finished;

    ProgressBar(PrintWriter out, long total, boolean indexesFollow) {
        this.out = out;
        this.total = total;
        this.indexesFollow = indexesFollow;
    }

    synchronized void update(long done) {
        long now = System.nanoTime();
        if (done < total && now - lastDrawn < 100_000_000L) {
            return;
        }
        lastDrawn = now;
        int filled = (int) (WIDTH * Math.min(done, total) / Math.max(1, total));
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        out.printf(
                Locale.ROOT,
                "\rSeeding  [%s%s] %3d %%  %s rows  %s rows/s ",
                "█".repeat(filled),
                "·".repeat(WIDTH - filled),
                100 * Math.min(done, total) / Math.max(1, total),
                Format.count(done),
                Format.count((long) (done / seconds)));
        if (done >= total && !finished) {
            finished = true;
            out.println();
            if (indexesFollow) {
                out.println("Building the indexes and keys...");
            }
        }
        out.flush();
    }

    synchronized void done() {
        if (!finished) {
            finished = true;
            out.println();
        }
        out.flush();
    }
}
