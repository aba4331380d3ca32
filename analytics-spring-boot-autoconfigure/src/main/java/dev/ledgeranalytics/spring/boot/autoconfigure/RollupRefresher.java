package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.rollup.RefreshResult;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Refreshes the rollups on one background thread, with a fixed pause between refreshes, from the
 * application's start to its shutdown. A refresh that fails is logged and counted, and the next
 * one comes after the usual pause, so that refreshes outlive a database outage; one that finds
 * another instance refreshing the same schema skips its turn instead of queueing behind it.
 */
final class RollupRefresher implements SmartLifecycle {

    static final String OBSERVATION = "ledger.analytics.rollups.refresh";

    /** How long shutdown waits for a running refresh to commit before interrupting it. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(RollupRefresher.class);

    private final Rollups rollups;
    private final RollupMode mode;
    private final Duration interval;
    private final ObservationRegistry observations;
    private ScheduledExecutorService scheduler;

    RollupRefresher(Rollups rollups, RollupMode mode, Duration interval, ObservationRegistry observations) {
        this.rollups = rollups;
        this.mode = mode;
        this.interval = interval;
        this.observations = observations;
    }

    @Override
    public synchronized void start() {
        if (mode != null) {
            rollups.mode(mode);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ledger-analytics-rollups");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("A rollup refresh still ran {} after shutdown began; interrupting it", SHUTDOWN_GRACE);
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    private void refresh() {
        Observation observation = Observation.start(OBSERVATION, observations);
        try {
            Optional<RefreshResult> result = rollups.tryRefresh();
            observation.lowCardinalityKeyValue(
                    "outcome", result.map(RollupRefresher::outcome).orElse("skipped"));
            result.ifPresent(refresh -> LOG.debug("Rollups refreshed: {}", refresh));
        } catch (RuntimeException e) {
            // Caught so that the schedule goes on: a task that throws is never run again.
            observation.lowCardinalityKeyValue("outcome", "failure");
            observation.error(e);
            LOG.warn("Refreshing the rollups failed; the next attempt follows in {}", interval, e);
        } finally {
            observation.stop();
        }
    }

    private static String outcome(RefreshResult result) {
        return result.rebuilt() ? "built" : "refreshed";
    }
}
