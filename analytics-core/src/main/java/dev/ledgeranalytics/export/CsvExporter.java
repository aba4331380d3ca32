package dev.ledgeranalytics.export;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.CsvWriter;
import dev.ledgeranalytics.internal.LedgerRowsCsv;
import dev.ledgeranalytics.internal.Slice;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostBucket;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.PeriodTotals;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.TrendBucket;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import dev.ledgeranalytics.rollup.internal.RetentionBoundary;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * Writes the ledger and the queries' results as CSV: RFC 4180 (comma separated, CRLF line ends,
 * a header row), decimals as exact plain strings, instants as ISO-8601 with the offset of the
 * chosen zone (UTC unless {@link #withZone(ZoneId)} says otherwise), empty fields for nulls.
 *
 * <pre>{@code
 * try (Writer out = Files.newBufferedWriter(Path.of("october.csv"))) {
 *     long rows = CsvExporter.create(dataSource).withZone(ZoneId.of("Europe/Berlin"))
 *             .exportLedger(LedgerFilter.between(from, to).anyStatus(), out);
 * }
 * }</pre>
 *
 * <p>{@link #exportLedger} streams PostgreSQL's own CSV of the rows in constant memory, however
 * many match. The exporter only reads, so it runs on a hot standby (a streaming read replica) as
 * well. It needs the PostgreSQL JDBC driver's connection behind the data source's (pools and
 * proxies hand it out through {@link java.sql.Connection#unwrap}). Instances are immutable and
 * thread-safe.
 */
public final class CsvExporter {

    private final DSLContext dsl;
    private final String schema;
    private final ZoneId zone;

    private CsvExporter(DSLContext dsl, String schema, ZoneId zone) {
        this.dsl = dsl;
        this.schema = schema;
        this.zone = zone;
    }

    /**
     * An exporter for the ledger in this database's default schema, writing instants in UTC.
     *
     * @param dataSource the database
     * @return the exporter
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     */
    public static CsvExporter create(DataSource dataSource) {
        return new CsvExporter(LedgerDsl.using(dataSource), AnalyticsMigrations.DEFAULT_SCHEMA, ZoneOffset.UTC);
    }

    /**
     * A copy that reads the ledger installed into another schema.
     *
     * @param schema the schema the migrations were applied to
     * @return the copy
     * @throws IllegalArgumentException if the name is invalid
     */
    public CsvExporter withSchema(String schema) {
        return new CsvExporter(LedgerDsl.using(dsl.configuration(), schema), schema, zone);
    }

    /**
     * A copy that writes instants as local times of {@code zone}, with their offset.
     *
     * @param zone the zone, such as {@code Europe/Berlin}
     * @return the copy
     * @throws IllegalArgumentException if {@code zone} is {@code null}
     */
    public CsvExporter withZone(ZoneId zone) {
        if (zone == null) {
            throw new IllegalArgumentException("zone must not be null");
        }
        return new CsvExporter(dsl, schema, zone);
    }

    /**
     * Streams the ledger rows the filter selects, oldest first, with the provider's slug in place
     * of its id. PostgreSQL writes the rows as CSV ({@code COPY … TO STDOUT}) and sends them as it
     * reads them, in one statement that runs without a statement timeout: a role's default one,
     * set for dashboard queries, would otherwise cancel a long export part-way.
     *
     * @param filter the rows to write
     * @param out    where to write; flushed, not closed
     * @return the number of rows written, header excluded
     * @throws IllegalArgumentException if an argument is {@code null}
     * @throws AnalyticsException       if the database fails, or the range starts before the
     *                                  retention boundary
     * @throws UncheckedIOException     if writing fails
     */
    public long exportLedger(LedgerFilter filter, Writer out) {
        require("filter", filter);
        require("out", out);
        return exportLedger(filter, (tx, rows) -> rows.write(tx, TOKEN_USAGE_LEDGER, where(filter), out));
    }

    /**
     * Like {@link #exportLedger(LedgerFilter, Writer)}, as UTF-8 bytes.
     *
     * @param filter the rows to write
     * @param out    where to write; flushed, not closed
     * @return the number of rows written
     */
    public long exportLedger(LedgerFilter filter, OutputStream out) {
        require("filter", filter);
        require("out", out);
        return exportLedger(filter, (tx, rows) -> rows.write(tx, TOKEN_USAGE_LEDGER, where(filter), out));
    }

    private long exportLedger(LedgerFilter filter, BiFunction<DSLContext, LedgerRowsCsv, Long> write) {
        return new Transactions(dsl, Duration.ZERO).read("Exporting the ledger", tx -> {
            RetentionBoundary.requireRawRows(tx, filter.from(), "Exporting the ledger's rows");
            return write.apply(tx, new LedgerRowsCsv(zone));
        });
    }

    private static Condition where(LedgerFilter filter) {
        return Slice.of(
                        filter.statuses(),
                        filter.providers(),
                        filter.models(),
                        filter.users(),
                        filter.tiers(),
                        filter.requestTypes())
                .ofLedger(filter.from(), filter.to());
    }

    /**
     * The KPI totals: one row for the current period, one for the previous.
     *
     * @param result the result of {@code grossMargin}
     * @param out    where to write; flushed, not closed
     */
    public void write(GrossMargin result, Writer out) {
        CsvWriter csv = start(
                out,
                "period",
                "from",
                "to",
                "requests",
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "reasoning_tokens",
                "vendor_cost",
                "revenue",
                "gross_margin",
                "margin_ratio",
                "credits");
        totals(csv, "current", require("result", result).current());
        totals(csv, "previous", result.previous());
        csv.flush();
    }

    /**
     * One row per provider, in the result's order.
     *
     * @param result the result of {@code providerCosts}
     * @param out    where to write; flushed, not closed
     */
    public void writeProviderCosts(List<ProviderCost> result, Writer out) {
        CsvWriter csv = start(
                out,
                "provider",
                "display_name",
                "requests",
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "reasoning_tokens",
                "vendor_cost",
                "revenue",
                "gross_margin",
                "cost_share");
        for (ProviderCost cost : require("result", result)) {
            csv.row(
                    cost.slug(),
                    cost.displayName(),
                    Long.toString(cost.requests()),
                    Long.toString(cost.inputTokens()),
                    Long.toString(cost.cachedInputTokens()),
                    Long.toString(cost.outputTokens()),
                    Long.toString(cost.reasoningTokens()),
                    text(cost.vendorCost()),
                    text(cost.revenue()),
                    text(cost.grossMargin()),
                    text(cost.costShare()));
        }
        csv.flush();
    }

    /**
     * One row per bucket.
     *
     * @param result the result of {@code marginTrend}
     * @param out    where to write; flushed, not closed
     */
    public void write(MarginTrend result, Writer out) {
        CsvWriter csv = start(out, "bucket_start", "bucket_end", "requests", "revenue", "vendor_cost", "gross_margin");
        for (TrendBucket bucket : require("result", result).buckets()) {
            csv.row(
                    text(bucket.start()),
                    text(bucket.end()),
                    Long.toString(bucket.requests()),
                    text(bucket.revenue()),
                    text(bucket.vendorCost()),
                    text(bucket.grossMargin()));
        }
        csv.flush();
    }

    /**
     * The distribution's summary: one row of count, extremes, mean and percentiles.
     *
     * @param result the result of {@code costDistribution}
     * @param out    where to write; flushed, not closed
     */
    public void writeCostSummary(CostDistribution result, Writer out) {
        CsvWriter csv = start(out, "count", "min", "max", "mean", "p50", "p90", "p95", "p99");
        require("result", result);
        csv.row(
                Long.toString(result.count()),
                text(result.min()),
                text(result.max()),
                text(result.mean()),
                text(result.p50()),
                text(result.p90()),
                text(result.p95()),
                text(result.p99()));
        csv.flush();
    }

    /**
     * The distribution's histogram, one row per bucket.
     *
     * @param result the result of {@code costDistribution}
     * @param out    where to write; flushed, not closed
     */
    public void writeCostHistogram(CostDistribution result, Writer out) {
        CsvWriter csv = start(out, "lower", "upper", "count", "cost_sum");
        for (CostBucket bucket : require("result", result).histogram()) {
            csv.row(text(bucket.lower()), text(bucket.upper()), Long.toString(bucket.count()), text(bucket.costSum()));
        }
        csv.flush();
    }

    /**
     * One row per user, in the given order.
     *
     * @param users users from one or more {@code userBreakdown} pages
     * @param out   where to write; flushed, not closed
     */
    public void writeUsers(List<UserUsage> users, Writer out) {
        CsvWriter csv = startUsers(out);
        require("users", users).forEach(user -> userRow(csv, user));
        csv.flush();
    }

    /**
     * Every user the filter selects, in the order of {@code sort}: the pages of
     * {@code userBreakdown}, written as they come, so that memory holds one page however many users
     * there are. All pages are read in one snapshot, so a request written meanwhile can neither
     * move a user past the cursor (left out) nor back over it (written twice).
     *
     * @param filter the rows to total per user
     * @param sort   the order of the rows
     * @param out    where to write; flushed, not closed
     * @return the number of users written, header excluded
     * @throws IllegalArgumentException if an argument is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public long exportUsers(LedgerFilter filter, UserSort sort, Writer out) {
        require("filter", filter);
        require("sort", sort);
        CsvWriter csv = startUsers(out);
        long rows = new Transactions(dsl, null).read("Exporting users", tx -> {
            AnalyticsQueries queries = AnalyticsQueries.create(tx).withSchema(schema);
            long written = 0;
            String cursor = null;
            do {
                UserPage page = queries.userBreakdown(filter, sort, UserPage.MAX_SIZE, cursor);
                for (UserUsage user : page.users()) {
                    userRow(csv, user);
                    written++;
                }
                cursor = page.next();
            } while (cursor != null);
            return written;
        });
        csv.flush();
        return rows;
    }

    private CsvWriter startUsers(Writer out) {
        return start(
                out,
                "user_id",
                "requests",
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "reasoning_tokens",
                "vendor_cost",
                "revenue",
                "gross_margin",
                "margin_ratio",
                "first_request",
                "last_request");
    }

    private void userRow(CsvWriter csv, UserUsage user) {
        csv.row(
                user.userId().toString(),
                Long.toString(user.requests()),
                Long.toString(user.inputTokens()),
                Long.toString(user.cachedInputTokens()),
                Long.toString(user.outputTokens()),
                Long.toString(user.reasoningTokens()),
                text(user.vendorCost()),
                text(user.revenue()),
                text(user.grossMargin()),
                text(user.marginRatio()),
                text(user.firstRequest()),
                text(user.lastRequest()));
    }

    private CsvWriter start(Writer out, String... header) {
        return new CsvWriter(require("out", out)).row(header);
    }

    private void totals(CsvWriter csv, String period, PeriodTotals totals) {
        csv.row(
                period,
                text(totals.from()),
                text(totals.to()),
                Long.toString(totals.requests()),
                Long.toString(totals.inputTokens()),
                Long.toString(totals.cachedInputTokens()),
                Long.toString(totals.outputTokens()),
                Long.toString(totals.reasoningTokens()),
                text(totals.vendorCost()),
                text(totals.revenue()),
                text(totals.grossMargin()),
                text(totals.marginRatio()),
                Long.toString(totals.credits()));
    }

    private String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof Instant instant) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    instant.atZone(zone).toOffsetDateTime());
        }
        if (value instanceof Enum<?> status) {
            return status.toString();
        }
        return value.toString();
    }

    private static <T> T require(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return Objects.requireNonNull(value);
    }
}
