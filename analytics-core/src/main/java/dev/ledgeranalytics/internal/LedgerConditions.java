package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** Translates a {@link LedgerFilter} into the WHERE clause every query and export shares; internal API. */
public final class LedgerConditions {

    private LedgerConditions() {}

    /** The filter's rows, over its own range. */
    public static Condition matching(LedgerFilter filter) {
        return matching(filter, filter.from(), filter.to());
    }

    /**
     * The filter's rows over {@code [from, to)}. The range comes first so that it becomes the
     * index range of {@code idx_token_usage_analytics}; status, provider and user are checked
     * inside that index too, the other restrictions on the table rows.
     */
    public static Condition matching(LedgerFilter filter, Instant from, Instant to) {
        return TOKEN_USAGE_LEDGER
                .CREATED_AT
                .ge(from)
                .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(to))
                .and(dimensions(filter, LedgerColumns.LEDGER));
    }

    /**
     * The filter's restrictions but its range, on a table with the ledger's filter columns, such
     * as a rollup table. A column the table lacks is {@code null} in {@code columns}; the filter
     * must not restrict it.
     */
    public static Condition dimensions(LedgerFilter filter, LedgerColumns columns) {
        List<Condition> conditions = new ArrayList<>();
        conditions.add(
                columns == LedgerColumns.LEDGER
                        ? statusAsTextIn(columns.status(), filter.statuses())
                        : statusIn(columns.status(), filter.statuses()));
        if (filter.providers() != null) {
            conditions.add(
                    filter.providers().isEmpty()
                            ? DSL.falseCondition()
                            : columns.require(columns.provider(), "provider")
                                    .in(DSL.select(PROVIDERS.ID)
                                            .from(PROVIDERS)
                                            .where(PROVIDERS.SLUG.eq(DSL.any(array(filter.providers()))))));
        }
        if (filter.models() != null) {
            conditions.add(anyOf(columns.require(columns.model(), "model"), filter.models()));
        }
        if (filter.users() != null) {
            conditions.add(
                    filter.users().isEmpty()
                            ? DSL.falseCondition()
                            : columns.require(columns.user(), "user")
                                    .eq(DSL.any(
                                            DSL.val(filter.users().toArray(UUID[]::new), SQLDataType.UUID.array()))));
        }
        if (filter.tiers() != null) {
            conditions.add(anyOf(columns.require(columns.tier(), "tier"), filter.tiers()));
        }
        if (filter.requestTypes() != null) {
            conditions.add(anyOf(columns.require(columns.requestType(), "request type"), filter.requestTypes()));
        }
        return DSL.and(conditions);
    }

    /**
     * The filter columns of a table; {@code null} where the table does not have one.
     *
     * @param status      the request status
     * @param provider    the provider id
     * @param model       the model id
     * @param user        the user id
     * @param tier        the user tier
     * @param requestType the request type
     */
    public record LedgerColumns(
            Field<dev.ledgeranalytics.schema.enums.RequestStatus> status,
            Field<UUID> provider,
            Field<String> model,
            Field<UUID> user,
            Field<String> tier,
            Field<String> requestType) {

        /** The ledger's own columns. */
        public static final LedgerColumns LEDGER = new LedgerColumns(
                TOKEN_USAGE_LEDGER.STATUS,
                TOKEN_USAGE_LEDGER.PROVIDER_ID,
                TOKEN_USAGE_LEDGER.MODEL_ID,
                TOKEN_USAGE_LEDGER.USER_ID,
                TOKEN_USAGE_LEDGER.USER_TIER,
                TOKEN_USAGE_LEDGER.REQUEST_TYPE);

        private <T> Field<T> require(Field<T> column, String dimension) {
            if (column == null) {
                throw new IllegalStateException("this table cannot be filtered by " + dimension);
            }
            return column;
        }
    }

    /**
     * The status restriction, compared as text on purpose. Written as {@code status = 'success'},
     * it lets the planner prove the predicate of the partial index {@code idx_token_usage_success}
     * and pick it for success-only aggregates; that index holds only {@code created_at}, so every
     * row then costs a heap fetch whose price depends on the table's physical order. Compared as
     * text, the status is checked on {@code idx_token_usage_analytics}' own tuples and the whole
     * aggregate stays an index-only scan (measured on 400,000 rows, 30 of 365 days: 13 ms against
     * 16 to 22 ms warm, and no dependence on how the heap is ordered).
     */
    private static Condition statusAsTextIn(Field<?> column, Set<RequestStatus> statuses) {
        return statuses.isEmpty()
                ? DSL.falseCondition()
                : column.cast(SQLDataType.VARCHAR).eq(DSL.any(array(literals(statuses))));
    }

    /**
     * The status restriction on a rollup table, compared as the enum it is: there, no partial
     * index can mislead the planner, and the column's statistics estimate the rows of each status
     * (through a text cast the planner guesses, and guessed a handful of rows for thousands).
     */
    private static Condition statusIn(
            Field<dev.ledgeranalytics.schema.enums.RequestStatus> column, Set<RequestStatus> statuses) {
        return column.in(literals(statuses).stream()
                .map(dev.ledgeranalytics.schema.enums.RequestStatus::lookupLiteral)
                .toList());
    }

    private static Set<String> literals(Set<RequestStatus> statuses) {
        Set<String> literals = new java.util.LinkedHashSet<>();
        for (RequestStatus status : statuses) {
            literals.add(status.name().toLowerCase(Locale.ROOT));
        }
        return literals;
    }

    private static Condition anyOf(Field<String> column, Set<String> values) {
        return values.isEmpty() ? DSL.falseCondition() : column.eq(DSL.any(array(values)));
    }

    /** One array bind value however many elements, so the statement text stays the same. */
    private static Field<String[]> array(Set<String> values) {
        return DSL.val(values.toArray(String[]::new), SQLDataType.VARCHAR.array());
    }
}
