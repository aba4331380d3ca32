package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Samples what the run's server processes are doing, twice a second, from {@code
 * pg_stat_activity}: running on a CPU, waiting for a lock, for I/O, or for their client. Where
 * the time of the readers, the writers and the refresh goes under load, and whether they wait
 * for each other.
 */
final class ActivitySampler implements Runnable {

    static final long INTERVAL_MILLIS = 500;

    /**
     * Per phase, role and state, as in {@code readers · Lock:transactionid}.
     *
     * @param phase the phase sampled in
     * @param who   a {@link LoadRole}'s label, or the server process's type (autovacuum worker, ...)
     * @param state {@code CPU} for an active process waiting for nothing, {@code type:event} for an
     *              active one's wait, or the session's state when not active ({@code idle}: waiting
     *              for its client)
     */
    record Key(Phase phase, String who, String state) implements Comparable<Key> {

        @Override
        public int compareTo(Key other) {
            int byPhase = phase.compareTo(other.phase);
            int byWho = byPhase != 0 ? byPhase : who.compareTo(other.who);
            return byWho != 0 ? byWho : state.compareTo(other.state);
        }
    }

    private static final String ACTIVITY = """
            SELECT application_name, backend_type, state, wait_event_type, wait_event FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()""";

    private final Connection connection;
    private final LoadRecorder recorder;
    private final AtomicBoolean running;
    private final Map<Key, LongAdder> samples = new ConcurrentHashMap<>();

    ActivitySampler(Connection connection, LoadRecorder recorder, AtomicBoolean running) {
        this.connection = connection;
        this.recorder = recorder;
        this.running = running;
    }

    @Override
    public void run() {
        try (PreparedStatement activity = connection.prepareStatement(ACTIVITY)) {
            while (running.get()) {
                Phase phase = recorder.phase();
                try (ResultSet rs = activity.executeQuery()) {
                    while (rs.next()) {
                        LoadRole role = LoadRole.of(rs.getString(1));
                        String who = role != null ? role.toString() : rs.getString(2);
                        String state = rs.getString(3);
                        if (role == LoadRole.MONITOR) {
                            continue;
                        }
                        String waitType = rs.getString(4);
                        // A session that is not active waits for its client (Client:ClientRead): its state says more.
                        String what = state != null && !state.equals("active")
                                ? state
                                : waitType != null ? waitType + ":" + rs.getString(5) : "CPU";
                        samples.computeIfAbsent(new Key(phase, who, what), k -> new LongAdder())
                                .increment();
                    }
                }
                Thread.sleep(INTERVAL_MILLIS);
            }
        } catch (SQLException e) {
            recorder.failed(LoadRole.MONITOR, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many times each process was seen in each state, in order of phase, role and state. */
    Map<Key, Long> samples() {
        Map<Key, Long> counts = new TreeMap<>();
        samples.forEach((key, count) -> counts.put(key, count.sum()));
        return counts;
    }
}
