package dev.ledgeranalytics.bench;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.QueryListener;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * One reader of a load run: loads the dashboard (the five queries, one after the other) over
 * and over without pause, each time over the next of the plan's ranges ending at that moment,
 * through the rollups, on one open connection as a pooled dashboard holds one.
 */
final class DashboardReader implements Runnable {

    private final AnalyticsQueries queries;
    private final List<QueryRange> ranges;
    private final int first;
    private final AtomicBoolean running;
    private final LoadRecorder recorder;
    /** Where the query that just ended was answered from; the listener is called on this thread. */
    private QueryListener.Source source;

    /**
     * @param connection its own connection
     * @param ranges     the ranges it takes in turn
     * @param first      the index of the range it starts with, so that readers do not move in step
     * @param running    cleared to stop it
     * @param recorder   where it records every query and failure
     */
    DashboardReader(
            Connection connection, List<QueryRange> ranges, int first, AtomicBoolean running, LoadRecorder recorder) {
        this.queries = AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                .withSchema(BenchLedger.INDEXED)
                .withListener(query -> (answeredFrom, failure) -> source = answeredFrom);
        this.ranges = List.copyOf(ranges);
        this.first = first;
        this.running = running;
        this.recorder = recorder;
    }

    @Override
    public void run() {
        for (int load = first; running.get(); load++) {
            QueryRange range = ranges.get(load % ranges.size());
            Instant now = Instant.now();
            LedgerFilter filter = LedgerFilter.between(now.minus(range.duration()), now);
            for (DashboardQuery query : DashboardQuery.values()) {
                if (!running.get()) {
                    return;
                }
                Phase phase = recorder.phase();
                long start = System.nanoTime();
                try {
                    query.run(queries, filter);
                    recorder.read(
                            phase, query, range, System.nanoTime() - start, source == QueryListener.Source.LEDGER);
                } catch (RuntimeException e) {
                    recorder.failed(LoadRole.READER, e);
                }
            }
        }
    }
}
