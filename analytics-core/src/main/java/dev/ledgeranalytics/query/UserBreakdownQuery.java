package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import dev.ledgeranalytics.rollup.internal.SumsRequest;
import dev.ledgeranalytics.rollup.internal.SumsSource;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record3;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Per-user totals, one page at a time, by keyset: the users' totals are summed, then the page
 * starts strictly after the previous page's last (sort key, user id), so a page costs the same
 * however deep it is and never repeats or skips a user on ties:
 *
 * <pre>
 * SELECT * FROM (SELECT t.*, &lt;derived sort keys&gt; FROM (&lt;totals by user_id&gt;) t) users
 * WHERE (sort_key, user_id) &gt; (:last_key, :last_user)        -- &lt; when descending
 * ORDER BY sort_key, user_id                                  -- both DESC when descending
 * LIMIT :size + 1                                             -- one more, to know whether a next page exists
 * </pre>
 */
final class UserBreakdownQuery extends DashboardQuery<UserPage> {

    private static final Set<Metric> METRICS = metrics();

    /** Users read per rollup bucket for the first page by gross margin, per user the page needs. */
    private static final int LEADERS_PER_PAGE = 2;

    /**
     * A sort key's column in the users table, the type its cursor value is read back as, and for a
     * key that is not a summed metric how it is derived from the sums ({@code null} otherwise).
     */
    private record SortKey(String column, Class<?> type, Function<Sums, Field<?>> derived) {

        static SortKey summed(Metric metric, Class<?> type) {
            return new SortKey(metric.column(), type, null);
        }
    }

    private final UserSort sort;
    private final int pageSize;
    private final List<SortKey> sortKeys;
    private final UserCursor after;

    UserBreakdownQuery(LedgerFilter filter, UserSort sort, int pageSize, String cursor) {
        super("userBreakdown", filter, List.of(filter.from(), filter.to()), List.of(Dimension.USER), METRICS);
        this.sort = sort;
        this.pageSize = pageSize;
        this.sortKeys = sortKeys(sort);
        this.after = cursor == null
                ? null
                : UserCursor.decode(
                        cursor,
                        sort,
                        sortKeys.stream().<Class<?>>map(SortKey::type).toList());
    }

    private static List<SortKey> sortKeys(UserSort sort) {
        return switch (sort) {
            case REQUESTS_ASC, REQUESTS_DESC -> List.of(SortKey.summed(Metric.REQUESTS, Long.class));
            case TOKENS_ASC, TOKENS_DESC ->
                List.of(new SortKey("tokens", BigDecimal.class, UserBreakdownQuery::tokens));
            case VENDOR_COST_ASC, VENDOR_COST_DESC -> List.of(SortKey.summed(Metric.VENDOR_COST, BigDecimal.class));
            case REVENUE_ASC, REVENUE_DESC ->
                List.of(new SortKey("revenue", BigDecimal.class, UserBreakdownQuery::revenue));
            case GROSS_MARGIN_ASC, GROSS_MARGIN_DESC -> List.of(SortKey.summed(Metric.GROSS_MARGIN, BigDecimal.class));
            case MARGIN_RATIO_ASC, MARGIN_RATIO_DESC ->
                List.of(
                        new SortKey(
                                "has_revenue",
                                Boolean.class,
                                sums -> DSL.field(revenue(sums).ne(BigDecimal.ZERO))),
                        new SortKey("ratio_key", BigDecimal.class, UserBreakdownQuery::ratioKey));
            case FIRST_REQUEST_ASC, FIRST_REQUEST_DESC -> List.of(SortKey.summed(Metric.FIRST_AT, Instant.class));
            case LAST_REQUEST_ASC, LAST_REQUEST_DESC -> List.of(SortKey.summed(Metric.LAST_AT, Instant.class));
        };
    }

    @Override
    UserPage answer(DSLContext dsl, Sums sums, Result<Record> rows) {
        Table<Record> users = users(sums);
        Field<UUID> userId = users.field(Dimension.USER.column(), UUID.class);
        List<UserUsage> page = new ArrayList<>();
        for (Record row : rows.subList(0, Math.min(pageSize, rows.size()))) {
            page.add(Totals.of(sums, row)
                    .user(row.get(userId), sums.instant(row, Metric.FIRST_AT), sums.instant(row, Metric.LAST_AT)));
        }
        String next = null;
        if (rows.size() > pageSize) {
            Record last = rows.get(pageSize - 1);
            List<Object> keys = new ArrayList<>();
            for (SortKey key : sortKeys) {
                keys.add(last.get(users.field(key.column()), key.type()));
            }
            next = new UserCursor(sort, keys, last.get(userId)).encode();
        }
        return new UserPage(page, next);
    }

    /**
     * The users' totals and the sort keys of this sort that are derived from them: only those,
     * since every user's row computes them before the page is cut (a margin ratio is a NUMERIC
     * division per user). Users without revenue have no margin ratio; they sort as the lowest,
     * after a flag that keeps the key a plain comparable value (NULL would break the row
     * comparison of the keyset).
     */
    private Table<Record> users(Sums sums) {
        List<Field<?>> derived = new ArrayList<>();
        for (SortKey key : sortKeys) {
            if (key.derived() != null) {
                derived.add(key.derived().apply(sums).as(key.column()));
            }
        }
        return DSL.select(sums.table().fields())
                .select(derived)
                .from(sums.table())
                .asTable("users");
    }

    private static Field<BigDecimal> tokens(Sums sums) {
        return sums.metric(Metric.INPUT_TOKENS)
                .coerce(BigDecimal.class)
                .plus(sums.metric(Metric.OUTPUT_TOKENS).coerce(BigDecimal.class));
    }

    private static Field<BigDecimal> revenue(Sums sums) {
        return sums.metric(Metric.GROSS_MARGIN)
                .coerce(BigDecimal.class)
                .plus(sums.metric(Metric.VENDOR_COST).coerce(BigDecimal.class));
    }

    private static Field<BigDecimal> ratioKey(Sums sums) {
        Field<BigDecimal> revenue = revenue(sums);
        return DSL.coalesce(
                sums.metric(Metric.GROSS_MARGIN).coerce(BigDecimal.class).div(DSL.nullif(revenue, BigDecimal.ZERO)),
                BigDecimal.ZERO);
    }

    @Override
    ResultQuery<Record> statement(DSLContext dsl, Sums sums) {
        Table<Record> users = users(sums);
        Field<UUID> userId = users.field(Dimension.USER.column(), UUID.class);
        List<Field<?>> keys = sortKeys.stream()
                .<Field<?>>map(key -> users.field(key.column()))
                .toList();
        List<SortField<?>> order = new ArrayList<>();
        for (Field<?> key : keys) {
            order.add(sort.descending() ? key.desc() : key.asc());
        }
        order.add(sort.descending() ? userId.desc() : userId.asc());
        return dsl.select(users.fields())
                .from(users)
                .where(after == null ? DSL.noCondition() : afterCursor(keys, userId))
                .orderBy(order)
                .limit(pageSize + 1);
    }

    /**
     * The first page by gross margin, the dashboard's default, of a range mostly of whole rollup
     * buckets: the users that can be on it are found from each bucket's top users first ({@link
     * SumsSource#leaders}, {@value #LEADERS_PER_PAGE} times the page per bucket), and only theirs
     * summed in full. The page stands when the last user it needs (the one after the page, which
     * tells whether a next page exists) has a margin above the bound no other user can pass: with
     * activity as skewed as a gateway's (a few users make most of the margin) it reads a few
     * thousand rollup rows instead of every user's. The listed users with the highest bounds of
     * their own are summed first, as many as the lists are deep, the others then bounded by the
     * next one's; then every listed user; otherwise the page is read as every other is.
     */
    @Override
    UserPage run(DSLContext dsl, SumsSource source) {
        Optional<ResultQuery<Record3<UUID[], BigDecimal[], BigDecimal>>> leaders = leaders(source);
        if (leaders.isPresent()) {
            Record3<UUID[], BigDecimal[], BigDecimal> found = dsl.fetchOne(leaders.get());
            UUID[] users = found == null ? null : found.value1();
            if (users != null && users.length > pageSize) {
                int first = LEADERS_PER_PAGE * (pageSize + 1);
                for (int listed : first < users.length ? new int[] {first, users.length} : new int[] {users.length}) {
                    BigDecimal bound =
                            listed < users.length ? found.value3().add(found.value2()[listed]) : found.value3();
                    Sums sums = source.sums(amongLeaders(Arrays.copyOf(users, listed)));
                    Result<Record> rows = statement(dsl, sums).fetch();
                    if (rows.size() == pageSize + 1
                            && rows.get(pageSize)
                                            .get(Metric.GROSS_MARGIN.column(), BigDecimal.class)
                                            .compareTo(bound)
                                    > 0) {
                        return answer(dsl, sums, rows);
                    }
                }
            }
        }
        return super.run(dsl, source);
    }

    /** The statement finding the leaders where it is sent, then the page's statement over every user. */
    @Override
    Map<String, ResultQuery<?>> statements(DSLContext dsl, SumsSource source) {
        Map<String, ResultQuery<?>> statements = new LinkedHashMap<>();
        leaders(source).ifPresent(leaders -> statements.put("userBreakdown leaders", leaders));
        statements.putAll(super.statements(dsl, source));
        return statements;
    }

    private Optional<ResultQuery<Record3<UUID[], BigDecimal[], BigDecimal>>> leaders(SumsSource source) {
        return sort == UserSort.GROSS_MARGIN_DESC && after == null
                ? source.leaders(request, Metric.GROSS_MARGIN, LEADERS_PER_PAGE * (pageSize + 1))
                : Optional.empty();
    }

    private SumsRequest amongLeaders(UUID[] users) {
        return new SumsRequest(
                request.boundaries(),
                request.keys(),
                request.metrics(),
                request.slice().withUsers(Set.of(users)));
    }

    private Condition afterCursor(List<Field<?>> keys, Field<UUID> userId) {
        List<Field<?>> left = new ArrayList<>(keys);
        left.add(userId);
        List<Field<?>> right = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            right.add(DSL.val(after.keys().get(i), keys.get(i).getDataType()));
        }
        right.add(DSL.val(after.lastUser(), SQLDataType.UUID));
        return sort.descending()
                ? DSL.row(left).lt(DSL.row(right))
                : DSL.row(left).gt(DSL.row(right));
    }

    private static Set<Metric> metrics() {
        Set<Metric> metrics = EnumSet.copyOf(Metric.TOTALS);
        metrics.add(Metric.FIRST_AT);
        metrics.add(Metric.LAST_AT);
        return metrics;
    }
}
