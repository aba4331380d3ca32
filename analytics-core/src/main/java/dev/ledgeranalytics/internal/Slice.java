package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.schema.enums.RequestStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. Which ledger rows a query reads, but for their time range: the statuses, and the
 * providers (by slug), models, users, tiers and request types when restricted ({@code null} where
 * not; an empty set matches nothing). Rendered as SQL against the ledger or against any table
 * that keeps the restricted dimensions.
 *
 * @param statuses     the statuses, as the enum's lower-case labels
 * @param providers    provider slugs, or {@code null}
 * @param models       model ids, or {@code null}
 * @param users        user ids, or {@code null}
 * @param tiers        user tiers, or {@code null}
 * @param requestTypes request types, or {@code null}
 */
public record Slice(
        Set<String> statuses,
        Set<String> providers,
        Set<String> models,
        Set<UUID> users,
        Set<String> tiers,
        Set<String> requestTypes) {

    /** Copies every set. */
    public Slice {
        statuses = Set.copyOf(statuses);
        providers = copy(providers);
        models = copy(models);
        users = copy(users);
        tiers = copy(tiers);
        requestTypes = copy(requestTypes);
    }

    /** A slice whose statuses are given as enum constants named like the ledger's labels. */
    public static Slice of(
            Set<? extends Enum<?>> statuses,
            Set<String> providers,
            Set<String> models,
            Set<UUID> users,
            Set<String> tiers,
            Set<String> requestTypes) {
        Set<String> labels = new LinkedHashSet<>();
        statuses.forEach(status -> labels.add(status.name().toLowerCase(Locale.ROOT)));
        return new Slice(labels, providers, models, users, tiers, requestTypes);
    }

    /** This slice, restricted to {@code users} alone whatever users it named. */
    public Slice withUsers(Set<UUID> users) {
        return new Slice(statuses, providers, models, users, tiers, requestTypes);
    }

    /** The dimensions this slice restricts: always the status, and every other one it names. */
    public Set<Dimension> restricted() {
        Set<Dimension> restricted = EnumSet.of(Dimension.STATUS);
        if (providers != null) {
            restricted.add(Dimension.PROVIDER);
        }
        if (models != null) {
            restricted.add(Dimension.MODEL);
        }
        if (users != null) {
            restricted.add(Dimension.USER);
        }
        if (tiers != null) {
            restricted.add(Dimension.TIER);
        }
        if (requestTypes != null) {
            restricted.add(Dimension.REQUEST_TYPE);
        }
        return Collections.unmodifiableSet(restricted);
    }

    /**
     * The ledger rows of this slice in {@code [from, to)}. The range comes first so that it
     * becomes the index range of {@code idx_token_usage_analytics}; status, provider and user are
     * checked inside that index too, the other restrictions on the table rows. The status is
     * compared as the enum it is ({@link #statusOfLedger}), with the column's statistics.
     */
    public Condition ofLedger(Instant from, Instant to) {
        return TOKEN_USAGE_LEDGER
                .CREATED_AT
                .ge(from)
                .and(TOKEN_USAGE_LEDGER.CREATED_AT.lt(to))
                .and(restrictions(
                        dimension -> dimension.of(LedgerRows.LEDGER), statusOfLedger(TOKEN_USAGE_LEDGER.STATUS)));
    }

    /**
     * The restrictions on ledger rows, the range aside, for a range the statement binds per row of
     * another table (the pieces a rollup read leaves to the ledger). There the status is compared
     * as text ({@link #statusAsText}): with the range unknown when the plan is made, the enum's
     * true selectivity led the planner, on an unpartitioned ledger, to a bitmap scan of the
     * provider index for those pieces; the text comparison's low guess keeps the index-only scan
     * of {@code idx_token_usage_analytics}, and the pieces are short.
     */
    public Condition ofLedgerRows() {
        return restrictions(dimension -> dimension.of(LedgerRows.LEDGER), statusAsText(TOKEN_USAGE_LEDGER.STATUS));
    }

    /**
     * The restrictions on a table that keeps every restricted dimension, such as a rollup table,
     * whose columns {@code columns} names.
     */
    public Condition of(Function<Dimension, Field<?>> columns) {
        @SuppressWarnings("unchecked")
        Field<RequestStatus> status = (Field<RequestStatus>) columns.apply(Dimension.STATUS);
        return restrictions(columns, statusIn(status));
    }

    private Condition restrictions(Function<Dimension, Field<?>> columns, Condition status) {
        List<Condition> conditions = new ArrayList<>();
        conditions.add(status);
        if (providers != null) {
            conditions.add(
                    providers.isEmpty()
                            ? DSL.falseCondition()
                            : columns.apply(Dimension.PROVIDER)
                                    .coerce(UUID.class)
                                    .in(DSL.select(PROVIDERS.ID)
                                            .from(PROVIDERS)
                                            .where(PROVIDERS.SLUG.eq(DSL.any(array(providers))))));
        }
        if (models != null) {
            conditions.add(anyOf(columns.apply(Dimension.MODEL), models));
        }
        if (users != null) {
            // Inlined, as are the filter's models, tiers and request types: a constant array is
            // searched through a hash table by a row filter, where a bound one (bound as text and
            // cast, which the planner cannot fold) was parsed again for every row, and a user page's
            // few hundred candidates then cost 590 of a statement's 600 ms (docs/queries.md).
            conditions.add(
                    users.isEmpty()
                            ? DSL.falseCondition()
                            : columns.apply(Dimension.USER)
                                    .coerce(UUID.class)
                                    .eq(DSL.any(DSL.inline(users.toArray(UUID[]::new), SQLDataType.UUID.array()))));
        }
        if (tiers != null) {
            conditions.add(anyOf(columns.apply(Dimension.TIER), tiers));
        }
        if (requestTypes != null) {
            conditions.add(anyOf(columns.apply(Dimension.REQUEST_TYPE), requestTypes));
        }
        return DSL.and(conditions);
    }

    /**
     * The status restriction on the ledger. One status is written as a range, {@code status BETWEEN
     * 'success' AND 'success'}: as {@code status = 'success'} it would let the planner prove the
     * predicate of the partial index {@code idx_token_usage_success} and pick it for success-only
     * aggregates; that index holds only {@code created_at}, so every row would cost a heap fetch
     * whose price depends on the table's physical order. As a range, the status is checked on
     * {@code idx_token_usage_analytics}' own tuples and the aggregate stays an index-only scan,
     * compared as the enum it is, with the column's statistics. Compared as text ({@link
     * #statusAsText}), the planner guessed a few hundred rows for tens of thousands and planned
     * without parallel workers, and each row paid for the cast (a year at 1M rows: 581 against
     * 310 ms, docs/queries.md). Several statuses cannot imply that index's predicate: they are a
     * list.
     */
    private Condition statusOfLedger(Field<RequestStatus> column) {
        if (statuses.isEmpty()) {
            return DSL.falseCondition();
        }
        if (statuses.size() == 1) {
            // Inlined: the planner knows the status in every plan, generic ones too, at the price of one
            // statement text per status.
            Field<RequestStatus> status =
                    DSL.inline(RequestStatus.lookupLiteral(statuses.iterator().next()));
            return column.between(status, status);
        }
        return statusIn(column);
    }

    /**
     * The status restriction compared as text, which no partial index's predicate follows from and
     * whose selectivity the planner can only guess.
     */
    private Condition statusAsText(Field<?> column) {
        return statuses.isEmpty()
                ? DSL.falseCondition()
                : column.cast(SQLDataType.VARCHAR).eq(DSL.any(once(array(statuses))));
    }

    /**
     * The status restriction on a rollup table, compared as the enum it is: there, no partial
     * index can mislead the planner, and the column's statistics estimate the rows of each status
     * (through a text cast the planner guesses, and guessed a handful of rows for thousands).
     */
    private Condition statusIn(Field<RequestStatus> column) {
        return column.in(
                statuses.stream().sorted().map(RequestStatus::lookupLiteral).toList());
    }

    private static Condition anyOf(Field<?> column, Set<String> values) {
        return values.isEmpty()
                ? DSL.falseCondition()
                : column.coerce(String.class).eq(DSL.any(DSL.inline(sorted(values), SQLDataType.VARCHAR.array())));
    }

    private static String[] sorted(Set<String> values) {
        return values.stream().sorted().toArray(String[]::new);
    }

    /**
     * A bound array, read once per statement. The driver binds an array as text and the statement
     * casts it; array input is only STABLE, so the planner does not fold the cast, and a row
     * filter {@code = ANY (cast(? AS varchar[]))} parsed the array again for every row it compared.
     * As an uncorrelated scalar subquery it is an init plan, evaluated once, and the planner knows
     * no more of it than before.
     */
    private static <T> Field<T[]> once(Field<T[]> array) {
        // Cast, so that ANY reads an array: "= ANY (subquery)" would compare with the subquery's rows.
        return DSL.field(DSL.select(array)).cast(array.getDataType());
    }

    /** One array bind value however many elements, so the statement text stays the same. */
    private static Field<String[]> array(Set<String> values) {
        return DSL.val(sorted(values), SQLDataType.VARCHAR.array());
    }

    private static <T> Set<T> copy(Set<T> values) {
        return values == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }
}
