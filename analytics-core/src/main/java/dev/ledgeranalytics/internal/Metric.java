package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. What the dashboard adds up over ledger rows, each metric defined once: its column
 * in every table of partial values (the rollups, and the statements the queries send), its value
 * over a set of ledger rows, and how partial values combine into a total. The rollups' upkeep and
 * every query derive their SQL from this list, so a metric added here reaches both.
 *
 * <p>Revenue is not a metric of its own: it is gross margin plus vendor cost, exact in NUMERIC,
 * derived where it is read. Money is summed as NUMERIC, never rounded.
 */
public enum Metric {
    REQUESTS("requests", null, Combination.SUM, SQLDataType.BIGINT),
    INPUT_TOKENS("input_tokens", TOKEN_USAGE_LEDGER.INPUT_TOKENS, Combination.SUM, SQLDataType.BIGINT),
    /** Input tokens read from the provider's prompt cache, a part of the input tokens. */
    CACHED_INPUT_TOKENS(
            "cached_input_tokens", TOKEN_USAGE_LEDGER.CACHED_INPUT_TOKENS, Combination.SUM, SQLDataType.BIGINT),
    OUTPUT_TOKENS("output_tokens", TOKEN_USAGE_LEDGER.OUTPUT_TOKENS, Combination.SUM, SQLDataType.BIGINT),
    /** Hidden reasoning tokens, a part of the output tokens. */
    REASONING_TOKENS("reasoning_tokens", TOKEN_USAGE_LEDGER.REASONING_TOKENS, Combination.SUM, SQLDataType.BIGINT),
    VENDOR_COST("vendor_cost", TOKEN_USAGE_LEDGER.VENDOR_COST, Combination.SUM, SQLDataType.NUMERIC),
    GROSS_MARGIN("gross_margin", TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD, Combination.SUM, SQLDataType.NUMERIC),
    CREDITS("credits", TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED, Combination.SUM, SQLDataType.BIGINT),
    /** The smallest vendor cost: with the largest, what a cost histogram's bucket knows of its costs. */
    MIN_COST("min_cost", TOKEN_USAGE_LEDGER.VENDOR_COST, Combination.MIN, TOKEN_USAGE_LEDGER.VENDOR_COST.getDataType()),
    MAX_COST("max_cost", TOKEN_USAGE_LEDGER.VENDOR_COST, Combination.MAX, TOKEN_USAGE_LEDGER.VENDOR_COST.getDataType()),
    /** The earliest request, for a user's first request. */
    FIRST_AT("first_at", TOKEN_USAGE_LEDGER.CREATED_AT, Combination.MIN, TOKEN_USAGE_LEDGER.CREATED_AT.getDataType()),
    LAST_AT("last_at", TOKEN_USAGE_LEDGER.CREATED_AT, Combination.MAX, TOKEN_USAGE_LEDGER.CREATED_AT.getDataType());

    /** The additive totals every dashboard card and table shows. */
    public static final Set<Metric> TOTALS = Collections.unmodifiableSet(EnumSet.of(
            REQUESTS,
            INPUT_TOKENS,
            CACHED_INPUT_TOKENS,
            OUTPUT_TOKENS,
            REASONING_TOKENS,
            VENDOR_COST,
            GROSS_MARGIN,
            CREDITS));

    /** How partial values of a metric combine. */
    private enum Combination {
        SUM,
        MIN,
        MAX
    }

    private final String column;
    private final TableField<?, ?> ledgerColumn;
    private final Combination combination;
    private final DataType<?> type;

    Metric(String column, TableField<?, ?> ledgerColumn, Combination combination, DataType<?> type) {
        this.column = column;
        this.ledgerColumn = ledgerColumn;
        this.combination = combination;
        this.type = type;
    }

    /** The metric's column in every table of partial values. */
    public String column() {
        return column;
    }

    /** The SQL type of a partial value, as the rollup tables store it. */
    public DataType<?> type() {
        return type;
    }

    /** The metric over {@code rows}, as the rollup tables store it. */
    public Field<?> ofRows(LedgerRows rows) {
        if (ledgerColumn == null) {
            return DSL.count().coerce(type);
        }
        Field<?> value = rows.column(ledgerColumn);
        Field<?> aggregate = switch (combination) {
            // sum(integer) is a bigint and sum(numeric) a numeric in PostgreSQL: no cast needed.
            case SUM -> DSL.sum(value.coerce(BigDecimal.class));
            case MIN -> DSL.min(value);
            case MAX -> DSL.max(value);
        };
        return aggregate.coerce(type);
    }

    /** Whether partial values can be taken away from a total that holds them: sums can, extremes cannot. */
    public boolean subtractable() {
        return combination == Combination.SUM;
    }

    /** The metric over {@code rows}, negated: a partial value that takes those rows away from a total holding them. */
    public Field<?> takenAwayOver(LedgerRows rows) {
        if (!subtractable()) {
            throw new IllegalStateException(this + " cannot be taken away from a total");
        }
        return ofRows(rows).coerce(BigDecimal.class).neg().coerce(type);
    }

    /**
     * The total of partial values. A sum of bigints is a NUMERIC in PostgreSQL; counts and
     * tokens are cast back, so that they read as {@code long} whichever path computed them.
     */
    public Field<?> combined(Field<?> partials) {
        return switch (combination) {
            case SUM ->
                type == SQLDataType.BIGINT
                        ? DSL.sum(partials.coerce(BigDecimal.class)).cast(SQLDataType.BIGINT)
                        : DSL.sum(partials.coerce(BigDecimal.class));
            case MIN -> DSL.min(partials).coerce(type);
            case MAX -> DSL.max(partials).coerce(type);
        };
    }

    /** A stored partial value after {@code added} joins it, as an upsert writes it. */
    public Field<?> merged(Field<?> stored, Field<?> added) {
        return switch (combination) {
            case SUM -> stored.coerce(BigDecimal.class).plus(added.coerce(BigDecimal.class));
            case MIN -> DSL.least(stored, added);
            case MAX -> DSL.greatest(stored, added);
        };
    }
}
