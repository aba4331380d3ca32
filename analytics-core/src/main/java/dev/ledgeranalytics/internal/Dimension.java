package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.TableField;
import org.jooq.impl.SQLDataType;

/**
 * Internal API. What ledger rows are grouped and filtered by: a column of the ledger, or for the
 * cost histogram the fine bucket of a row's vendor cost. Rollup tables keep some dimensions, and
 * can serve the queries that group or filter by those alone.
 */
public enum Dimension {
    STATUS(TOKEN_USAGE_LEDGER.STATUS),
    PROVIDER(TOKEN_USAGE_LEDGER.PROVIDER_ID),
    MODEL(TOKEN_USAGE_LEDGER.MODEL_ID),
    USER(TOKEN_USAGE_LEDGER.USER_ID),
    TIER(TOKEN_USAGE_LEDGER.USER_TIER),
    REQUEST_TYPE(TOKEN_USAGE_LEDGER.REQUEST_TYPE),
    /** The fine cost bucket ({@link CostBuckets}) of a row's vendor cost. */
    COST_BUCKET(null);

    private final TableField<?, ?> ledgerColumn;

    Dimension(TableField<?, ?> ledgerColumn) {
        this.ledgerColumn = ledgerColumn;
    }

    /** The dimension's column in every table that keeps it. */
    public String column() {
        return ledgerColumn == null ? "cost_bucket" : ledgerColumn.getName();
    }

    /** The SQL type of that column. */
    public DataType<?> type() {
        return ledgerColumn == null ? SQLDataType.INTEGER : ledgerColumn.getDataType();
    }

    /** The dimension's value for each of {@code rows}. */
    public Field<?> of(LedgerRows rows) {
        return ledgerColumn == null
                ? CostBuckets.of(rows.column(TOKEN_USAGE_LEDGER.VENDOR_COST))
                : rows.column(ledgerColumn);
    }
}
