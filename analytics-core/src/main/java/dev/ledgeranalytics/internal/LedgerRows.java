package dev.ledgeranalytics.internal;

import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;

/**
 * Internal API. Rows with the ledger's columns that metrics and dimensions are computed over: the
 * ledger itself, a derived table of its rows, or a trigger's transition table.
 */
@FunctionalInterface
public interface LedgerRows {

    /** The ledger itself. */
    LedgerRows LEDGER = new LedgerRows() {
        @Override
        public <T> Field<T> column(TableField<?, T> ledgerColumn) {
            return ledgerColumn;
        }
    };

    /** The column of these rows that holds {@code ledgerColumn}, a column of {@code TOKEN_USAGE_LEDGER}. */
    <T> Field<T> column(TableField<?, T> ledgerColumn);

    /** The rows of a derived table selected from the ledger. */
    static LedgerRows of(Table<?> derived) {
        return new LedgerRows() {
            @Override
            public <T> Field<T> column(TableField<?, T> ledgerColumn) {
                return derived.field(ledgerColumn);
            }
        };
    }

    /** The rows of a relation known by name only, such as a trigger's transition table {@code new_rows}. */
    static LedgerRows named(String name) {
        return new LedgerRows() {
            @Override
            public <T> Field<T> column(TableField<?, T> ledgerColumn) {
                return DSL.field(DSL.name(name, ledgerColumn.getName()), ledgerColumn.getDataType());
            }
        };
    }
}
