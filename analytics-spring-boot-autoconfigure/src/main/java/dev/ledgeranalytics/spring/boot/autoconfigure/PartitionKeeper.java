package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.partition.LedgerPartition;
import dev.ledgeranalytics.partition.Partitions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Creates the partitions of the months ahead on one background thread, at start-up and then at a
 * fixed interval, for as long as the application runs: so that a partitioned ledger's rows go to
 * their month's partition, not to the default one. Every instance may run it (the library
 * serialises the calls and creates each month once); an unpartitioned ledger is left alone. A
 * failure is logged, and the next attempt comes after the usual interval.
 */
final class PartitionKeeper implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionKeeper.class);

    private final Partitions partitions;
    private final int monthsAhead;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    PartitionKeeper(Partitions partitions, int monthsAhead, Duration interval) {
        this.partitions = partitions;
        this.monthsAhead = monthsAhead;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ledger-analytics-partitions");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::ensure, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        // Each month is created in a transaction of its own: stopping between two loses nothing.
        scheduler.shutdownNow();
        scheduler = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    private void ensure() {
        try {
            if (!partitions.partitioned()) {
                LOG.debug("The ledger is not partitioned; no partitions to create");
                return;
            }
            List<LedgerPartition> created = partitions.ensure(monthsAhead);
            if (!created.isEmpty()) {
                LOG.info(
                        "Created ledger partitions {}",
                        created.stream().map(LedgerPartition::name).toList());
            }
        } catch (RuntimeException e) {
            // Caught so that the schedule goes on: a task that throws is never run again.
            LOG.warn("Creating the ledger's partitions ahead failed; the next attempt follows in {}", interval, e);
        }
    }
}
