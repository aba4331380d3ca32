package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import java.math.BigDecimal;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.TableField;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. What ledger rows are grouped and filtered by: a column of the ledger, or for the
 * cost histogram the fine bucket or the 1-2-5 bar of a row's vendor cost. Rollup tables keep some
 * dimensions, and can serve the queries that group or filter by those alone; the others are
 * summed from the ledger's rows.
 */
public enum Dimension {
    STATUS(TOKEN_USAGE_LEDGER.STATUS),
    PROVIDER(TOKEN_USAGE_LEDGER.PROVIDER_ID),
    MODEL(TOKEN_USAGE_LEDGER.MODEL_ID),
    USER(TOKEN_USAGE_LEDGER.USER_ID),
    TIER(TOKEN_USAGE_LEDGER.USER_TIER),
    REQUEST_TYPE(TOKEN_USAGE_LEDGER.REQUEST_TYPE),
    /** The fine cost bucket ({@link CostBuckets#of}) of a row's vendor cost, kept by the cost rollup. */
    COST_BUCKET("cost_bucket"),
    /** The 1-2-5 bar ({@link CostBuckets#barOf}) of a row's vendor cost; no rollup keeps it. */
    COST_BAR("cost_bar");

    private final TableField<?, ?> ledgerColumn;
    private final String costColumn;

    Dimension(TableField<?, ?> ledgerColumn) {
        this.ledgerColumn = ledgerColumn;
        this.costColumn = null;
    }

    Dimension(String costColumn) {
        this.ledgerColumn = null;
        this.costColumn = costColumn;
    }

    /** The dimension's column in every table that keeps it. */
    public String column() {
        return ledgerColumn == null ? costColumn : ledgerColumn.getName();
    }

    /** The SQL type of that column. */
    public DataType<?> type() {
        return ledgerColumn == null ? SQLDataType.INTEGER : ledgerColumn.getDataType();
    }

    /** The dimension's value for each of {@code rows}. */
    public Field<?> of(LedgerRows rows) {
        if (ledgerColumn != null) {
            return rows.column(ledgerColumn);
        }
        Field<BigDecimal> cost = rows.column(TOKEN_USAGE_LEDGER.VENDOR_COST);
        return this == COST_BUCKET ? CostBuckets.of(cost) : CostBuckets.barOf(cost);
    }
}
