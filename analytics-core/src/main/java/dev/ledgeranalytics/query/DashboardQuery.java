package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import dev.ledgeranalytics.rollup.internal.SumsRequest;
import dev.ledgeranalytics.rollup.internal.SumsSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;

/**
 * One call of one dashboard query. A query states once what it sums ({@link SumsRequest}: buckets,
 * keys, metrics, the filter's rows), its statement over those sums, and how the rows become its
 * answer; where the sums come from, the ledger or the rollups, is the source's business. The
 * statements {@link AnalyticsQueries#explain} explains are built by the same code, from the same
 * source, as those {@link #run} sends.
 *
 * @param <T> the answer
 */
abstract class DashboardQuery<T> {

    private final String name;
    final LedgerFilter filter;
    final SumsRequest request;

    /** A query that sums {@code metrics} over the filter's rows, per bucket of {@code boundaries} and per key. */
    DashboardQuery(
            String name, LedgerFilter filter, List<Instant> boundaries, List<Dimension> keys, Set<Metric> metrics) {
        this.name = name;
        this.filter = filter;
        this.request = new SumsRequest(boundaries, keys, metrics, filter.slice());
    }

    /** The first instant its statements read. */
    Instant from() {
        return request.from();
    }

    /** The instant after the last its statements read. */
    Instant to() {
        return request.to();
    }

    /** The sums its statement reads: those of its request, unless a query picks its keys by where they come from. */
    Sums sums(SumsSource source) {
        return source.sums(request);
    }

    /** The statement that reads the sums: the sums themselves, unless a query joins, sorts or pages them. */
    ResultQuery<Record> statement(DSLContext dsl, Sums sums) {
        return dsl.selectFrom(sums.table());
    }

    /** The answer from that statement's rows. */
    abstract T answer(DSLContext dsl, Sums sums, Result<Record> rows);

    /** Its statements by name, as {@link #run} would send them with {@code source}. */
    Map<String, ResultQuery<?>> statements(DSLContext dsl, SumsSource source) {
        return Map.of(name, statement(dsl, sums(source)));
    }

    /** Runs its statement and builds the answer. */
    T run(DSLContext dsl, SumsSource source) {
        Sums sums = sums(source);
        return answer(dsl, sums, statement(dsl, sums).fetch());
    }
}
