package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.rollup.Rollups;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@value #NAME}: how long ago the oldest write that no refresh has applied yet was recorded, in
 * seconds; 0 when every write is applied. Answers stay exact whatever the lag (queries read
 * unapplied quarter hours from the ledger); a growing lag says the refresh stopped, and queries
 * over recent ranges are getting slower.
 */
final class RollupLagMeter implements MeterBinder {

    static final String NAME = "ledger.analytics.rollups.lag";

    private static final Logger LOG = LoggerFactory.getLogger(RollupLagMeter.class);

    private final Rollups rollups;

    RollupLagMeter(Rollups rollups) {
        this.rollups = rollups;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(NAME, this, RollupLagMeter::lagSeconds)
                .description("Age of the oldest ledger write the rollups have not applied yet")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Read when the registry is scraped; NaN, Micrometer's "no value", when the database cannot say. */
    double lagSeconds() {
        Instant oldest;
        try {
            oldest = rollups.status().oldestPendingChangeAt();
        } catch (RuntimeException e) {
            LOG.debug("Reading the rollup lag failed", e);
            return Double.NaN;
        }
        return oldest == null ? 0 : Duration.between(oldest, Instant.now()).toMillis() / 1000.0;
    }
}
