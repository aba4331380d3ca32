package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.LedgerConditions;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Per-user totals, one page at a time, by keyset: the users are aggregated, then the page starts
 * strictly after the previous page's last (sort key, user id), so a page costs the same however
 * deep it is and never repeats or skips a user on ties:
 *
 * <pre>
 * SELECT * FROM (
 *   SELECT user_id, count(*) AS requests, sum(...), min(created_at), max(created_at) FROM token_usage_ledger
 *   WHERE ... GROUP BY user_id) users
 * WHERE (sort_key, user_id) &gt; (:last_key, :last_user)        -- &lt; when descending
 * ORDER BY sort_key, user_id                                  -- both DESC when descending
 * LIMIT :size + 1                                             -- one more, to know whether a next page exists
 * </pre>
 */
final class UserBreakdownQuery {

    private final LedgerFilter filter;
    private final UserSort sort;
    private final int pageSize;
    private final Users fromLedger;
    private final UserCursor after;

    UserBreakdownQuery(LedgerFilter filter, UserSort sort, int pageSize, String cursor) {
        this.filter = filter;
        this.sort = sort;
        this.pageSize = pageSize;
        Table<?> ledger = DSL.select(TOKEN_USAGE_LEDGER.USER_ID)
                .select(Users.columns(
                        LedgerSums.all(),
                        DSL.sum(TOKEN_USAGE_LEDGER.INPUT_TOKENS),
                        DSL.sum(TOKEN_USAGE_LEDGER.OUTPUT_TOKENS),
                        DSL.sum(TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD),
                        DSL.sum(LedgerSums.REVENUE),
                        DSL.min(TOKEN_USAGE_LEDGER.CREATED_AT),
                        DSL.max(TOKEN_USAGE_LEDGER.CREATED_AT)))
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .groupBy(TOKEN_USAGE_LEDGER.USER_ID)
                .asTable("users");
        this.fromLedger = new Users(ledger, LedgerSums.all(), sort);
        this.after = cursor == null ? null : UserCursor.decode(cursor, sort, fromLedger.keyTypes());
    }

    /**
     * The users' totals as a table, and its sort keys. Built over ledger rows or over partial
     * sums from the rollups; both give every column the same name, type and value.
     */
    private static final class Users {

        final Table<?> table;
        final LedgerSums sums;
        final Field<UUID> userId;
        final Field<Instant> firstRequest;
        final Field<Instant> lastRequest;
        final List<Field<?>> sortKeys;

        Users(Table<?> table, LedgerSums sums, UserSort sort) {
            this.table = table;
            this.sums = sums;
            this.userId = table.field(TOKEN_USAGE_LEDGER.USER_ID.getName(), UUID.class);
            this.firstRequest = table.field("first_request", Instant.class);
            this.lastRequest = table.field("last_request", Instant.class);
            this.sortKeys = switch (sort) {
                case REQUESTS_ASC, REQUESTS_DESC -> List.of(table.field(sums.requests));
                case TOKENS_ASC, TOKENS_DESC -> List.of(table.field("tokens"));
                case VENDOR_COST_ASC, VENDOR_COST_DESC -> List.of(table.field(sums.vendorCost));
                case REVENUE_ASC, REVENUE_DESC -> List.of(table.field(sums.revenue));
                case GROSS_MARGIN_ASC, GROSS_MARGIN_DESC -> List.of(table.field(sums.grossMargin));
                case MARGIN_RATIO_ASC, MARGIN_RATIO_DESC ->
                    List.of(table.field("has_revenue"), table.field("ratio_key"));
                case FIRST_REQUEST_ASC, FIRST_REQUEST_DESC -> List.of(firstRequest);
                case LAST_REQUEST_ASC, LAST_REQUEST_DESC -> List.of(lastRequest);
            };
        }

        /**
         * The columns after the user id, from aggregates over the source. Expressions over the
         * aggregates are spelt out: an aliased field would render as its alias.
         */
        static List<Field<?>> columns(
                LedgerSums sums,
                Field<BigDecimal> inputTokens,
                Field<BigDecimal> outputTokens,
                Field<BigDecimal> grossMargin,
                Field<BigDecimal> revenue,
                Field<Instant> first,
                Field<Instant> last) {
            Field<BigDecimal> tokens = inputTokens.plus(outputTokens).as("tokens");
            Field<Boolean> hasRevenue = DSL.field(revenue.ne(BigDecimal.ZERO)).as("has_revenue");
            // Users without revenue have no ratio; they sort as the lowest, after a flag that keeps the
            // key a plain comparable value (NULL would break the row comparison of the keyset).
            Field<BigDecimal> ratioKey = DSL.coalesce(
                            grossMargin.div(DSL.nullif(revenue, BigDecimal.ZERO)), BigDecimal.ZERO)
                    .as("ratio_key");
            List<Field<?>> columns = new ArrayList<>(sums.fields());
            columns.addAll(List.of(tokens, hasRevenue, ratioKey, first.as("first_request"), last.as("last_request")));
            return columns;
        }

        List<Class<?>> keyTypes() {
            return sortKeys.stream()
                    .<Class<?>>map(key -> switch (key.getName()) {
                        case "requests" -> Long.class;
                        case "has_revenue" -> Boolean.class;
                        case "first_request", "last_request" -> Instant.class;
                        default -> BigDecimal.class;
                    })
                    .toList();
        }
    }

    ResultQuery<Record> sql(DSLContext dsl) {
        return sql(dsl, fromLedger);
    }

    private ResultQuery<Record> sql(DSLContext dsl, Users users) {
        List<SortField<?>> order = new ArrayList<>();
        for (Field<?> key : users.sortKeys) {
            order.add(sort.descending() ? key.desc() : key.asc());
        }
        order.add(sort.descending() ? users.userId.desc() : users.userId.asc());
        return dsl.select(users.table.fields())
                .from(users.table)
                .where(after == null ? DSL.noCondition() : afterCursor(users))
                .orderBy(order)
                .limit(pageSize + 1);
    }

    /** The users' totals from the per-user rollup and the ledger's edges (see {@link RollupReads}). */
    private static Users fromRollups(RollupReads reads, LedgerFilter filter, UserSort sort) {
        Table<Record> partials = reads.users(List.of(filter.from(), filter.to()), filter);
        LedgerSums sums = LedgerSums.ofPartials(partials, "", null);
        Field<BigDecimal> grossMargin = partials.field(RollupReads.GROSS_MARGIN);
        Field<UUID> user = partials.field(TOKEN_USAGE_LEDGER.USER_ID.getName(), UUID.class);
        Table<?> table = DSL.select(user)
                .select(Users.columns(
                        sums,
                        DSL.sum(partials.field(RollupReads.INPUT_TOKENS)),
                        DSL.sum(partials.field(RollupReads.OUTPUT_TOKENS)),
                        DSL.sum(grossMargin),
                        DSL.sum(grossMargin.plus(partials.field(RollupReads.VENDOR_COST))),
                        DSL.min(partials.field(RollupReads.FIRST_AT)),
                        DSL.max(partials.field(RollupReads.LAST_AT))))
                .from(partials)
                .groupBy(user)
                .asTable("users");
        return new Users(table, sums, sort);
    }

    UserPage run(DSLContext dsl, boolean rollups) {
        RollupReads reads = rollups && RollupReads.Rollup.USERS.canFilter(filter)
                ? RollupReads.load(dsl, filter.from(), filter.to())
                : null;
        Users users = reads == null ? fromLedger : fromRollups(reads, filter, sort);
        Result<Record> rows = sql(dsl, users).fetch();
        LedgerSums sums = users.sums;
        List<UserUsage> page = new ArrayList<>();
        for (Record row : rows.subList(0, Math.min(pageSize, rows.size()))) {
            page.add(new UserUsage(
                    row.get(users.userId),
                    sums.requests(row),
                    sums.inputTokens(row),
                    sums.outputTokens(row),
                    sums.vendorCost(row),
                    sums.revenue(row),
                    sums.grossMargin(row),
                    Decimals.ratio(sums.grossMargin(row), sums.revenue(row)),
                    row.get(users.firstRequest),
                    row.get(users.lastRequest)));
        }
        String next = null;
        if (rows.size() > pageSize) {
            Record last = rows.get(pageSize - 1);
            List<Object> keys = new ArrayList<>();
            for (Field<?> key : users.sortKeys) {
                keys.add(normalise(last.get(key)));
            }
            next = new UserCursor(sort, keys, last.get(users.userId)).encode();
        }
        return new UserPage(page, next);
    }

    private Condition afterCursor(Users users) {
        List<Field<?>> left = new ArrayList<>(users.sortKeys);
        left.add(users.userId);
        List<Field<?>> right = new ArrayList<>();
        for (int i = 0; i < users.sortKeys.size(); i++) {
            right.add(DSL.val(after.keys().get(i), users.sortKeys.get(i).getDataType()));
        }
        right.add(DSL.val(after.lastUser(), SQLDataType.UUID));
        return sort.descending()
                ? DSL.row(left).lt(DSL.row(right))
                : DSL.row(left).gt(DSL.row(right));
    }

    private static Object normalise(Object key) {
        return key instanceof Integer i ? Long.valueOf(i) : key;
    }
}
