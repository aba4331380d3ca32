package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the readers, writers and refreshes of one load run measure, from their own threads.
 * It also keeps the run's clock: the current phase, when each phase started, and the minute of
 * the run since the writers started, for the timeline.
 */
final class LoadRecorder {

    /** How many failure messages to keep per role: enough to see the cause, never a flood. */
    static final int KEPT_FAILURES = 3;

    /** One cell of the latency table. */
    record Cell(Phase phase, DashboardQuery query, QueryRange range) {}

    /**
     * One scheduled refresh.
     *
     * @param phase        the phase it started in
     * @param minute       the minute of the run it started in
     * @param took         how long it took
     * @param quarterHours quarter hours it applied
     * @param pending      quarter hours waiting for it, as {@code Rollups.status()} said just before
     * @param lag          how long the oldest of those writes had waited then
     */
    record Refresh(Phase phase, int minute, Duration took, long quarterHours, long pending, Duration lag) {}

    private volatile Phase phase = Phase.IDLE;
    private final Map<Phase, Long> phaseStarts = Collections.synchronizedMap(new EnumMap<>(Phase.class));
    private volatile long end;

    private final Map<Cell, Samples> reads = new ConcurrentHashMap<>();
    private final Map<Cell, LongAdder> answeredByLedger = new ConcurrentHashMap<>();
    private final Map<Integer, Samples> readsByMinute = new ConcurrentHashMap<>();
    private final Map<Phase, Samples> inserts = new ConcurrentHashMap<>();
    private final Map<Phase, LongAdder> lateInserts = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> insertsByMinute = new ConcurrentHashMap<>();
    private final List<Refresh> refreshes = Collections.synchronizedList(new ArrayList<>());
    private final Map<LoadRole, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<LoadRole, List<String>> failureMessages = new ConcurrentHashMap<>();

    LoadRecorder() {
        phaseStarts.put(Phase.IDLE, System.nanoTime());
    }

    void enter(Phase next) {
        phaseStarts.put(next, System.nanoTime());
        phase = next;
    }

    /** Marks the end of the last phase: nothing recorded afterwards counts. */
    void finish() {
        end = System.nanoTime();
    }

    Phase phase() {
        return phase;
    }

    /** How long a phase lasted, from its start to the next one's or to {@link #finish()}. */
    Duration length(Phase of) {
        Long start = phaseStarts.get(of);
        if (start == null) {
            return Duration.ZERO;
        }
        long stop = end;
        for (Phase later : Phase.values()) {
            Long laterStart = phaseStarts.get(later);
            if (later.compareTo(of) > 0 && laterStart != null) {
                stop = laterStart;
                break;
            }
        }
        return Duration.ofNanos(stop - start);
    }

    /** Whole minutes since the writers started; negative before. */
    int minute() {
        Long load = phaseStarts.get(Phase.LOAD);
        return load == null ? -1 : (int) ((System.nanoTime() - load) / 60_000_000_000L);
    }

    void read(Phase in, DashboardQuery query, QueryRange range, long nanos, boolean byLedgerAlone) {
        Cell cell = new Cell(in, query, range);
        reads.computeIfAbsent(cell, c -> new Samples()).add(nanos);
        if (byLedgerAlone) {
            answeredByLedger.computeIfAbsent(cell, c -> new LongAdder()).increment();
        }
        int minute = minute();
        if (in != Phase.IDLE && minute >= 0) {
            readsByMinute.computeIfAbsent(minute, m -> new Samples()).add(nanos);
        }
    }

    void inserted(Phase in, long nanos, boolean late) {
        inserts.computeIfAbsent(in, p -> new Samples()).add(nanos);
        if (late) {
            lateInserts.computeIfAbsent(in, p -> new LongAdder()).increment();
        }
        insertsByMinute
                .computeIfAbsent(Math.max(0, minute()), m -> new LongAdder())
                .increment();
    }

    void refreshed(Refresh refresh) {
        refreshes.add(refresh);
    }

    void failed(LoadRole role, Exception failure) {
        failures.computeIfAbsent(role, r -> new LongAdder()).increment();
        List<String> messages =
                failureMessages.computeIfAbsent(role, r -> Collections.synchronizedList(new ArrayList<>()));
        synchronized (messages) {
            if (messages.size() < KEPT_FAILURES) {
                messages.add(failure.toString());
            }
        }
    }

    Timing reads(Cell cell) {
        Samples samples = reads.get(cell);
        return samples == null ? null : samples.timing();
    }

    long answeredByLedger(Cell cell) {
        LongAdder count = answeredByLedger.get(cell);
        return count == null ? 0 : count.sum();
    }

    Timing readsIn(int minute) {
        Samples samples = readsByMinute.get(minute);
        return samples == null ? null : samples.timing();
    }

    Timing inserts(Phase in) {
        Samples samples = inserts.get(in);
        return samples == null ? null : samples.timing();
    }

    long insertCount(Phase in) {
        Samples samples = inserts.get(in);
        return samples == null ? 0 : samples.size();
    }

    long lateCount(Phase in) {
        LongAdder count = lateInserts.get(in);
        return count == null ? 0 : count.sum();
    }

    /** Rows inserted per minute of the run, by minute. */
    Map<Integer, Long> insertsByMinute() {
        Map<Integer, Long> counts = new TreeMap<>();
        insertsByMinute.forEach((minute, count) -> counts.put(minute, count.sum()));
        return counts;
    }

    List<Refresh> refreshes() {
        synchronized (refreshes) {
            return List.copyOf(refreshes);
        }
    }

    long failures(LoadRole role) {
        LongAdder count = failures.get(role);
        return count == null ? 0 : count.sum();
    }

    List<String> failureMessages(LoadRole role) {
        List<String> messages = failureMessages.get(role);
        if (messages == null) {
            return List.of();
        }
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }
}
