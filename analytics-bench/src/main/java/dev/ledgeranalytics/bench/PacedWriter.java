package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One writer of a load run: single-row INSERTs, each committed on its own, on a fixed schedule,
 * as requests reach a gateway whether or not the database keeps up. A writer that falls behind
 * its schedule inserts without pause until it has caught up, so the achieved rate shows what
 * the database could take.
 */
final class PacedWriter implements Runnable {

    private final Connection connection;
    private final LoadRows rows;
    private final long intervalNanos;
    private final long offsetNanos;
    private final AtomicBoolean running;
    private final LoadRecorder recorder;
    private long inserted;

    /**
     * @param connection its own connection, in auto-commit
     * @param rows       what it inserts
     * @param rate       rows per second this writer aims at
     * @param offset     where in its interval it starts, between 0 and 1, so that writers take turns
     * @param running    cleared to stop it
     * @param recorder   where it records every insert and failure
     */
    PacedWriter(
            Connection connection,
            LoadRows rows,
            double rate,
            double offset,
            AtomicBoolean running,
            LoadRecorder recorder) {
        this.connection = connection;
        this.rows = rows;
        this.intervalNanos = (long) (1e9 / rate);
        this.offsetNanos = (long) (offset * intervalNanos);
        this.running = running;
        this.recorder = recorder;
    }

    @Override
    public void run() {
        try (PreparedStatement insert = connection.prepareStatement(LoadRows.INSERT)) {
            long start = System.nanoTime() + offsetNanos;
            for (long n = 0; running.get(); n++) {
                long wait = start + n * intervalNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Phase phase = recorder.phase();
                long begin = System.nanoTime();
                try {
                    boolean late = rows.bindNext(insert, Instant.now());
                    insert.executeUpdate();
                    inserted++;
                    recorder.inserted(phase, System.nanoTime() - begin, late);
                } catch (SQLException e) {
                    recorder.failed(LoadRole.WRITER, e);
                }
            }
        } catch (SQLException e) {
            recorder.failed(LoadRole.WRITER, e);
        }
    }

    /** Rows this writer inserted and saw committed; read once its thread has ended. */
    long inserted() {
        return inserted;
    }
}
