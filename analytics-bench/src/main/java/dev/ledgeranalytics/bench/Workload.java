package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.rollup.RollupStatus;
import dev.ledgeranalytics.rollup.Rollups;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The threads of one load run: readers, writers, the refresh schedule and the activity sampler,
 * each on connections of its own, started and stopped by the run as its phases go. Closing it
 * stops whatever still runs and closes every connection.
 */
final class Workload implements AutoCloseable {

    private final String jdbcUrl;
    private final LoadRecorder recorder;
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicBoolean readersRunning = new AtomicBoolean(true);
    private final AtomicBoolean writersRunning = new AtomicBoolean(true);
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private final List<Thread> readers = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();
    private final Map<UUID, PacedWriter> writersByKey = new LinkedHashMap<>();
    private Thread sampler;
    private ActivitySampler activity;
    private ScheduledExecutorService refreshes;

    Workload(String jdbcUrl, LoadRecorder recorder) {
        this.jdbcUrl = jdbcUrl;
        this.recorder = recorder;
    }

    /** Samples the server's activity until {@link #close()}. */
    void startSampler() {
        activity = new ActivitySampler(connect(LoadRole.MONITOR), recorder, sampling);
        sampler = start("load-activity", activity);
    }

    void startReaders(int count, List<QueryRange> ranges) {
        for (int i = 0; i < count; i++) {
            readers.add(start(
                    "load-reader-" + i,
                    new DashboardReader(connect(LoadRole.READER), ranges, i, readersRunning, recorder)));
        }
    }

    /**
     * Connects the writers that share {@code plan}'s insert rate, each with its own key and random
     * seed; {@link #startWriters()} starts them, all at once.
     */
    void prepareWriters(LoadPlan plan, Map<String, UUID> providerIds) {
        for (int i = 0; i < plan.writers(); i++) {
            UUID key = new UUID(0x10adL, i);
            PacedWriter writer = new PacedWriter(
                    connect(LoadRole.WRITER),
                    new LoadRows(providerIds, key, BenchLedger.SEED + i, plan),
                    (double) plan.insertRate() / plan.writers(),
                    (double) i / plan.writers(),
                    writersRunning,
                    recorder);
            writersByKey.put(key, writer);
            writers.add(daemon("load-writer-" + i, writer));
        }
    }

    void startWriters() {
        writers.forEach(Thread::start);
    }

    /**
     * Refreshes with {@code tryRefresh()} every {@code delay}, as a host schedules it, recording
     * each refresh with the backlog it found. A failed refresh is recorded and the schedule goes
     * on, as a host that wants refreshes to outlive a failure would do.
     */
    void startRefreshes(Rollups rollups, Duration delay) {
        refreshes = Executors.newSingleThreadScheduledExecutor(task -> daemon("load-refresh", task));
        refreshes.scheduleWithFixedDelay(
                () -> {
                    try {
                        Phase phase = recorder.phase();
                        int minute = recorder.minute();
                        RollupStatus before = rollups.status();
                        Instant at = Instant.now();
                        Duration lag = before.oldestPendingChangeAt() == null
                                ? Duration.ZERO
                                : Duration.between(before.oldestPendingChangeAt(), at);
                        rollups.tryRefresh()
                                .ifPresent(result -> recorder.refreshed(new LoadRecorder.Refresh(
                                        phase,
                                        minute,
                                        result.took(),
                                        result.quarterHours(),
                                        before.pendingQuarterHours(),
                                        lag)));
                    } catch (RuntimeException e) {
                        recorder.failed(LoadRole.REFRESH, e);
                    }
                },
                delay.toMillis(),
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops the schedule, waiting for a refresh that is running to end. */
    void stopRefreshes() throws InterruptedException {
        refreshes.shutdown();
        if (!refreshes.awaitTermination(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("A scheduled refresh did not end within 10 minutes");
        }
    }

    /** Stops the writers and waits for them. */
    void stopWriters() throws InterruptedException {
        stop(writersRunning, writers);
    }

    void stopReaders() throws InterruptedException {
        stop(readersRunning, readers);
    }

    /** Rows each writer inserted, by its key; once they are stopped. */
    Map<UUID, Long> insertedByWriter() {
        Map<UUID, Long> inserted = new LinkedHashMap<>();
        writersByKey.forEach((key, writer) -> inserted.put(key, writer.inserted()));
        return inserted;
    }

    /** What the sampler saw; once it is stopped. */
    Map<ActivitySampler.Key, Long> activity() {
        return activity.samples();
    }

    void stopSampler() throws InterruptedException {
        if (sampler != null) {
            stop(sampling, List.of(sampler));
        }
    }

    /**
     * Stops whatever still runs; if interrupted while waiting for the threads, closes their
     * connections at once (which ends them) and keeps the interrupt for the caller.
     */
    @Override
    public void close() {
        if (refreshes != null) {
            refreshes.shutdownNow();
        }
        try {
            stopWriters();
            stopReaders();
            stopSampler();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new AnalyticsException("Closing a connection of the load run failed", e);
            }
        }
    }

    private static void stop(AtomicBoolean running, List<Thread> threads) throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private Connection connect(LoadRole role) {
        try {
            Connection connection = role.dataSource(jdbcUrl).getConnection();
            connections.add(connection);
            return connection;
        } catch (SQLException e) {
            throw new AnalyticsException("Connecting the load run's " + role + " failed", e);
        }
    }

    private static Thread start(String name, Runnable task) {
        Thread thread = daemon(name, task);
        thread.start();
        return thread;
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
