package dev.ledgeranalytics.query;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.rollup.internal.ServerKind;
import dev.ledgeranalytics.rollup.internal.SumsSource;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * The dashboard's five queries over the ledger: KPI totals, cost per provider, margin trend,
 * cost distribution and per-user breakdown.
 *
 * <pre>{@code
 * AnalyticsQueries queries = AnalyticsQueries.create(dataSource)
 *         .withStatementTimeout(Duration.ofSeconds(10));
 * LedgerFilter last30Days = LedgerFilter.between(now.minus(Duration.ofDays(30)), now).tiers("pro");
 *
 * GrossMargin kpi = queries.grossMargin(last30Days);
 * MarginTrend daily = queries.marginTrend(last30Days, Granularity.DAY, ZoneId.of("America/New_York"));
 * UserPage top = queries.userBreakdown(last30Days, UserSort.GROSS_MARGIN_DESC, 50, null);
 * UserPage more = queries.userBreakdown(last30Days, UserSort.GROSS_MARGIN_DESC, 50, top.next());
 * }</pre>
 *
 * <p>Money is summed as SQL NUMERIC and returned as {@link java.math.BigDecimal}, never rounded;
 * only ratios are rounded, to six decimals half-even. Caller mistakes fail with an
 * {@link IllegalArgumentException} naming the parameter and value before any SQL runs; database
 * failures, a statement timeout included, surface as {@link AnalyticsException} with the SQL state.
 *
 * <p>Instances are immutable and thread-safe. Each call takes one connection; on a connection in
 * auto-commit mode its statements run in a read-only REPEATABLE READ transaction of their own.
 * They write nothing and take no lock beyond reading, so a hot standby (a streaming read replica)
 * serves them as well, rollups included, answering as of the replica's snapshot.
 *
 * <p>Over a ledger distributed by Citus, a call through the rollups also holds an advisory lock
 * shared, so that no refresh commits while it reads (Citus has no snapshot across nodes). An
 * instance learns that its ledger is distributed from its first call, which reads the ledger alone:
 * create it once and keep it (docs/scale-out.md). A schema of plain tables on a Citus coordinator
 * is read as on any other server.
 */
public final class AnalyticsQueries {

    /** The longest statement timeout PostgreSQL accepts, in milliseconds. */
    public static final int MAX_STATEMENT_TIMEOUT_MILLIS = Integer.MAX_VALUE;

    private final DSLContext dsl;
    private final Duration statementTimeout;
    private final boolean readsRollups;
    private final QueryListener listener;
    private final ServerKind server;

    private AnalyticsQueries(
            DSLContext dsl,
            Duration statementTimeout,
            boolean readsRollups,
            QueryListener listener,
            ServerKind server) {
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
        this.readsRollups = readsRollups;
        this.listener = listener;
        this.server = server;
    }

    /**
     * Queries the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema of this database.
     *
     * @param dataSource connections to the host's database
     * @return the queries
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static AnalyticsQueries create(DataSource dataSource) {
        return new AnalyticsQueries(LedgerDsl.using(dataSource), null, true, QueryListener.NONE, new ServerKind());
    }

    /**
     * Queries the ledger through a host's own jOOQ context, keeping its connection handling,
     * transactions and listeners.
     *
     * @param dsl the host's context
     * @return the queries
     * @throws IllegalArgumentException if {@code dsl} is {@code null}
     */
    public static AnalyticsQueries create(DSLContext dsl) {
        if (dsl == null) {
            throw new IllegalArgumentException("dsl must not be null");
        }
        return new AnalyticsQueries(
                LedgerDsl.using(dsl.configuration(), AnalyticsMigrations.DEFAULT_SCHEMA),
                null,
                true,
                QueryListener.NONE,
                new ServerKind());
    }

    /**
     * A copy that reads the ledger installed into another schema.
     *
     * @param schema the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the copy
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public AnalyticsQueries withSchema(String schema) {
        return new AnalyticsQueries(
                LedgerDsl.using(dsl.configuration(), schema),
                statementTimeout,
                readsRollups,
                listener,
                new ServerKind());
    }

    /**
     * A copy whose statements PostgreSQL cancels when one runs longer than {@code timeout}; the
     * call then fails with an {@link AnalyticsException} whose SQL state is {@code 57014}. Without
     * it, the database's own {@code statement_timeout} applies.
     *
     * @param timeout at least one millisecond, at most {@value #MAX_STATEMENT_TIMEOUT_MILLIS} ms (about
     *                24.8 days, PostgreSQL's limit)
     * @return the copy
     * @throws IllegalArgumentException if {@code timeout} is {@code null}, shorter than a millisecond or
     *                                  longer than PostgreSQL accepts
     */
    public AnalyticsQueries withStatementTimeout(Duration timeout) {
        if (timeout == null
                || timeout.compareTo(Duration.ofMillis(1)) < 0
                || timeout.compareTo(Duration.ofMillis(MAX_STATEMENT_TIMEOUT_MILLIS)) > 0) {
            throw new IllegalArgumentException(
                    "timeout must be between 1 ms and " + MAX_STATEMENT_TIMEOUT_MILLIS + " ms, but was " + timeout);
        }
        return new AnalyticsQueries(dsl, timeout, readsRollups, listener, server);
    }

    /**
     * A copy that reads only the ledger, never the rollups: for comparing the two, or for a
     * host that wants exact percentiles over long ranges whatever they cost. Without it, the
     * queries read the rollups once they are built ({@link dev.ledgeranalytics.rollup.Rollups}),
     * with answers identical to the ledger's but for the cost distribution's percentiles, which
     * are then within 1 % of the exact ones.
     *
     * @return the copy
     */
    public AnalyticsQueries withRawReads() {
        return new AnalyticsQueries(dsl, statementTimeout, false, listener, server);
    }

    /**
     * A copy that tells {@code listener} about every query it runs: for metrics and tracing.
     *
     * @param listener the listener
     * @return the copy
     * @throws IllegalArgumentException if {@code listener} is {@code null}
     */
    public AnalyticsQueries withListener(QueryListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        return new AnalyticsQueries(dsl, statementTimeout, readsRollups, listener, server);
    }

    /**
     * KPI totals of the filter's range and of the range of equal length just before it.
     *
     * @param filter the rows to total
     * @return both periods' totals and the relative changes
     * @throws IllegalArgumentException if {@code filter} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public GrossMargin grossMargin(LedgerFilter filter) {
        requireFilter(filter);
        GrossMarginQuery query = new GrossMarginQuery(filter);
        return run("grossMargin", "Computing the gross margin", query);
    }

    /**
     * Cost per provider, most expensive first (ties by slug).
     *
     * @param filter the rows to total
     * @return one entry per provider with matching requests; their cost shares add up to exactly 1
     * @throws IllegalArgumentException if {@code filter} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public List<ProviderCost> providerCosts(LedgerFilter filter) {
        requireFilter(filter);
        ProviderCostQuery query = new ProviderCostQuery(filter);
        return run("providerCosts", "Computing the cost per provider", query);
    }

    /**
     * Revenue, cost and margin per hour, day, ISO week or month of {@code zone}, every bucket of
     * the range present.
     *
     * @param filter      the rows to total
     * @param granularity the bucket size
     * @param zone        the IANA zone the buckets are cut in, such as {@code America/New_York}
     * @return the trend
     * @throws IllegalArgumentException if an argument is {@code null} or the range would need more
     *                                  than 10,000 buckets
     * @throws AnalyticsException       if the database fails
     */
    public MarginTrend marginTrend(LedgerFilter filter, Granularity granularity, ZoneId zone) {
        requireFilter(filter);
        if (granularity == null) {
            throw new IllegalArgumentException("granularity must not be null");
        }
        if (zone == null) {
            throw new IllegalArgumentException("zone must not be null");
        }
        MarginTrendQuery query = new MarginTrendQuery(filter, granularity, zone);
        return run("marginTrend", "Computing the margin trend", query);
    }

    /**
     * Like {@link #marginTrend(LedgerFilter, Granularity, ZoneId)}, with the zone given by its
     * IANA id, as a dashboard receives it from the browser.
     *
     * @param filter      the rows to total
     * @param granularity the bucket size
     * @param zoneId      an IANA zone id, such as {@code "Europe/Berlin"}
     * @return the trend
     * @throws IllegalArgumentException if an argument is {@code null}, the zone is unknown or the
     *                                  range would need more than 10,000 buckets
     * @throws AnalyticsException       if the database fails
     */
    public MarginTrend marginTrend(LedgerFilter filter, Granularity granularity, String zoneId) {
        if (zoneId == null) {
            throw new IllegalArgumentException("zone must not be null");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneId);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("zone must be an IANA time zone id, but was \"" + zoneId + "\"", e);
        }
        return marginTrend(filter, granularity, zone);
    }

    /**
     * The distribution of per-request vendor cost over all matching requests. Read through the
     * rollups (filters on status only, once they are built), the percentiles are estimated from a
     * fine histogram and are within 1 % of the exact ones; everything else is exact either way.
     *
     * @param filter the rows to measure
     * @return the distribution; its statistics are {@code null} when no request matched
     * @throws IllegalArgumentException if {@code filter} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public CostDistribution costDistribution(LedgerFilter filter) {
        requireFilter(filter);
        CostDistributionQuery query = new CostDistributionQuery(filter, false);
        Map<String, CostDistribution> overall = run("costDistribution", "Computing the cost distribution", query);
        return overall.isEmpty()
                ? new CostDistribution(0, null, null, null, null, null, null, null, List.of())
                : overall.get("");
    }

    /**
     * The distribution of per-request vendor cost for each model with matching requests.
     *
     * @param filter the rows to measure
     * @return one distribution per model, by model id
     * @throws IllegalArgumentException if {@code filter} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public List<ModelCostDistribution> costDistributionByModel(LedgerFilter filter) {
        requireFilter(filter);
        CostDistributionQuery query = new CostDistributionQuery(filter, true);
        return run("costDistributionByModel", "Computing the cost distribution per model", query).entrySet().stream()
                .map(model -> new ModelCostDistribution(model.getKey(), model.getValue()))
                .toList();
    }

    /**
     * One page of per-user totals.
     *
     * @param filter   the rows to total
     * @param sort     the order of the users
     * @param pageSize how many users per page, 1 to 1000
     * @param cursor   {@code null} for the first page, else {@link UserPage#next()} of the previous
     *                 page, obtained with the same sort
     * @return the page
     * @throws IllegalArgumentException if an argument is {@code null} (the cursor aside), the page
     *                                  size is out of range or the cursor is not one of this sort
     * @throws AnalyticsException       if the database fails
     */
    public UserPage userBreakdown(LedgerFilter filter, UserSort sort, int pageSize, String cursor) {
        requireFilter(filter);
        if (sort == null) {
            throw new IllegalArgumentException("sort must not be null");
        }
        if (pageSize < 1 || pageSize > UserPage.MAX_SIZE) {
            throw new IllegalArgumentException(
                    "pageSize must be between 1 and " + UserPage.MAX_SIZE + ", but was " + pageSize);
        }
        UserBreakdownQuery query = new UserBreakdownQuery(filter, sort, pageSize, cursor);
        return run("userBreakdown", "Computing the user breakdown", query);
    }

    /**
     * Asks PostgreSQL how it would run each statement of the dashboard queries for {@code filter},
     * without running them: {@code EXPLAIN (FORMAT JSON)} of exactly the statements the queries
     * send, with the filter's values bound, through the rollups where the queries would read them
     * (this instance's {@link #withRawReads()} setting, and the rollups' state as each query would
     * read it: each query is explained in a transaction of its own, as each runs in one).
     * The one-row read of the rollups' state that precedes each query is not listed. The margin
     * trend is explained by day in UTC, the user breakdown for its first page of 50 by gross
     * margin, the cost distribution over all models; its percentile statement appears only where
     * the ledger alone is read, as only then is it sent.
     *
     * @param filter the rows the statements would read
     * @return one plan per statement, in the order of the queries on this class
     * @throws IllegalArgumentException if {@code filter} is {@code null}, or its range holds more
     *                                  days than a daily margin trend allows (10,000)
     * @throws AnalyticsException       if the database fails
     */
    public List<QueryPlan> explain(LedgerFilter filter) {
        requireFilter(filter);
        List<DashboardQuery<?>> queries = List.of(
                new GrossMarginQuery(filter),
                new ProviderCostQuery(filter),
                new MarginTrendQuery(filter, Granularity.DAY, ZoneOffset.UTC),
                new CostDistributionQuery(filter, false),
                new UserBreakdownQuery(filter, UserSort.GROSS_MARGIN_DESC, 50, null));
        // One transaction per query, as the queries run. On Citus, a transaction that has read a
        // reference table on the coordinator cannot go on to read its state again once a
        // distributed statement has been explained ("cannot switch local execution status").
        List<QueryPlan> plans = new ArrayList<>();
        for (DashboardQuery<?> query : queries) {
            transactions().read("Explaining the dashboard queries", tx -> {
                query.statements(tx, source(tx, query))
                        .forEach((name, statement) -> plans.add(new QueryPlan(
                                name,
                                tx.resultQuery("EXPLAIN (FORMAT JSON) {0}", statement)
                                        .fetchSingle(0, String.class))));
                return null;
            });
        }
        return plans;
    }

    /** Runs one query in its transaction, telling the listener when it starts and how it ended. */
    private <T> T run(String name, String what, DashboardQuery<T> query) {
        QueryListener.Completion completion = listener.started(name);
        List<SumsSource> used = new ArrayList<>(1);
        T answer;
        try {
            answer = transactions().read(what, tx -> {
                SumsSource source = source(tx, query);
                used.add(source);
                return query.run(tx, source);
            });
        } catch (RuntimeException e) {
            completion.finished(used.isEmpty() ? null : source(used.get(0)), e);
            throw e;
        }
        completion.finished(source(used.get(0)), null);
        return answer;
    }

    private SumsSource source(DSLContext tx, DashboardQuery<?> query) {
        return SumsSource.of(tx, query.from(), query.to(), readsRollups, server);
    }

    private static QueryListener.Source source(SumsSource used) {
        return used.readRollups() ? QueryListener.Source.ROLLUPS : QueryListener.Source.LEDGER;
    }

    private Transactions transactions() {
        return new Transactions(dsl, statementTimeout);
    }

    private static void requireFilter(LedgerFilter filter) {
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null");
        }
    }
}
