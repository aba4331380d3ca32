package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.LedgerConditions;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

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

    private final LedgerSums sums = LedgerSums.all();
    private final Field<Instant> firstRequest = DSL.min(TOKEN_USAGE_LEDGER.CREATED_AT).as("first_request");
    private final Field<Instant> lastRequest = DSL.max(TOKEN_USAGE_LEDGER.CREATED_AT).as("last_request");

    private final LedgerFilter filter;
    private final UserSort sort;
    private final int pageSize;
    private final UserCursor after;

    private final Table<?> users;
    private final Field<UUID> userId;
    private final List<Field<?>> sortKeys;

    UserBreakdownQuery(LedgerFilter filter, UserSort sort, int pageSize, String cursor) {
        this.filter = filter;
        this.sort = sort;
        this.pageSize = pageSize;

        // Expressions over the aggregates, spelt out: an aliased field would render as its alias.
        Field<BigDecimal> revenue = DSL.sum(LedgerSums.REVENUE);
        Field<BigDecimal> tokens = DSL.sum(TOKEN_USAGE_LEDGER.INPUT_TOKENS)
                .plus(DSL.sum(TOKEN_USAGE_LEDGER.OUTPUT_TOKENS)).as("tokens");
        Field<Boolean> hasRevenue = DSL.field(revenue.ne(BigDecimal.ZERO)).as("has_revenue");
        // Users without revenue have no ratio; they sort as the lowest, after a flag that keeps the
        // key a plain comparable value (NULL would break the row comparison of the keyset).
        Field<BigDecimal> ratioKey = DSL.coalesce(
                DSL.sum(TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD).div(DSL.nullif(revenue, BigDecimal.ZERO)), BigDecimal.ZERO)
                .as("ratio_key");
        List<Field<?>> columns = new ArrayList<>();
        columns.add(TOKEN_USAGE_LEDGER.USER_ID);
        columns.addAll(sums.fields());
        columns.addAll(List.of(tokens, hasRevenue, ratioKey, firstRequest, lastRequest));
        this.users = DSL.select(columns)
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .groupBy(TOKEN_USAGE_LEDGER.USER_ID)
                .asTable("users");
        this.userId = users.field(TOKEN_USAGE_LEDGER.USER_ID);
        this.sortKeys = switch (sort) {
            case REQUESTS_ASC, REQUESTS_DESC -> List.of(users.field(sums.requests));
            case TOKENS_ASC, TOKENS_DESC -> List.of(users.field(tokens));
            case VENDOR_COST_ASC, VENDOR_COST_DESC -> List.of(users.field(sums.vendorCost));
            case REVENUE_ASC, REVENUE_DESC -> List.of(users.field(sums.revenue));
            case GROSS_MARGIN_ASC, GROSS_MARGIN_DESC -> List.of(users.field(sums.grossMargin));
            case MARGIN_RATIO_ASC, MARGIN_RATIO_DESC -> List.of(users.field(hasRevenue), users.field(ratioKey));
            case FIRST_REQUEST_ASC, FIRST_REQUEST_DESC -> List.of(users.field(firstRequest));
            case LAST_REQUEST_ASC, LAST_REQUEST_DESC -> List.of(users.field(lastRequest));
        };
        this.after = cursor == null ? null : UserCursor.decode(cursor, sort, keyTypes());
    }

    ResultQuery<Record> sql(DSLContext dsl) {
        List<SortField<?>> order = new ArrayList<>();
        for (Field<?> key : sortKeys) {
            order.add(sort.descending() ? key.desc() : key.asc());
        }
        order.add(sort.descending() ? userId.desc() : userId.asc());
        return dsl.select(users.fields())
                .from(users)
                .where(after == null ? DSL.noCondition() : afterCursor())
                .orderBy(order)
                .limit(pageSize + 1);
    }

    UserPage run(DSLContext dsl) {
        Result<Record> rows = sql(dsl).fetch();
        List<UserUsage> page = new ArrayList<>();
        for (Record row : rows.subList(0, Math.min(pageSize, rows.size()))) {
            page.add(new UserUsage(row.get(userId),
                    sums.requests(row), sums.inputTokens(row), sums.outputTokens(row),
                    sums.vendorCost(row), sums.revenue(row), sums.grossMargin(row),
                    Decimals.ratio(sums.grossMargin(row), sums.revenue(row)),
                    row.get(firstRequest), row.get(lastRequest)));
        }
        String next = null;
        if (rows.size() > pageSize) {
            Record last = rows.get(pageSize - 1);
            List<Object> keys = new ArrayList<>();
            for (Field<?> key : sortKeys) {
                keys.add(normalise(last.get(key)));
            }
            next = new UserCursor(sort, keys, last.get(userId)).encode();
        }
        return new UserPage(page, next);
    }

    private Condition afterCursor() {
        List<Field<?>> left = new ArrayList<>(sortKeys);
        left.add(userId);
        List<Field<?>> right = new ArrayList<>();
        for (int i = 0; i < sortKeys.size(); i++) {
            right.add(DSL.val(after.keys().get(i), sortKeys.get(i).getDataType()));
        }
        right.add(DSL.val(after.lastUser(), SQLDataType.UUID));
        return sort.descending() ? DSL.row(left).lt(DSL.row(right)) : DSL.row(left).gt(DSL.row(right));
    }

    private List<Class<?>> keyTypes() {
        return sortKeys.stream().<Class<?>>map(key -> switch (key.getName()) {
            case "requests" -> Long.class;
            case "has_revenue" -> Boolean.class;
            case "first_request", "last_request" -> Instant.class;
            default -> BigDecimal.class;
        }).toList();
    }

    private static Object normalise(Object key) {
        return key instanceof Integer i ? Long.valueOf(i) : key;
    }
}
