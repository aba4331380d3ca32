package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.QueryListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;

/**
 * Each dashboard query as an observation named {@value #NAME}, which Micrometer turns into a
 * timer of that name (and a tracer, where the host has one, into a span), with the low-cardinality
 * tags {@code query} (such as {@code grossMargin}), {@code source} ({@code rollups}, {@code ledger},
 * or {@code none} when the query failed before choosing) and {@code outcome} ({@code success},
 * {@code timeout} for SQL state 57014, else {@code failure}).
 */
final class QueryObservations implements QueryListener {

    static final String NAME = "ledger.analytics.query";

    private static final String STATEMENT_TIMEOUT = "57014";

    private final ObservationRegistry registry;

    QueryObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Completion started(String query) {
        Observation observation = Observation.createNotStarted(NAME, registry)
                .contextualName("ledger-analytics " + query)
                .lowCardinalityKeyValue("query", query)
                .start();
        return (source, failure) -> {
            observation.lowCardinalityKeyValue(
                    "source", source == null ? "none" : source.name().toLowerCase(Locale.ROOT));
            observation.lowCardinalityKeyValue("outcome", outcome(failure));
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        };
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "success";
        }
        boolean timedOut = failure instanceof AnalyticsException analytics
                && analytics.sqlState().filter(STATEMENT_TIMEOUT::equals).isPresent();
        return timedOut ? "timeout" : "failure";
    }
}
