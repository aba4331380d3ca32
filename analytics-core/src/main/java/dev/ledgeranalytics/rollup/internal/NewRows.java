package dev.ledgeranalytics.rollup.internal;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.LedgerRows;
import dev.ledgeranalytics.schema.Analytics;
import java.util.List;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.TableImpl;

/**
 * Table {@code rollup_new_rows}: in refresh mode, the rows writers inserted that no refresh has
 * added to the rollups yet, with the ledger's columns the rollups group by and sum. The ledger's
 * insert trigger copies them in the writer's transaction, beside its change log entries; a refresh
 * adds them to every rollup table and deletes exactly those its snapshot saw.
 */
final class NewRows extends TableImpl<Record> {

    private static final long serialVersionUID = 1L;

    /** The ledger's columns copied, those every rollup dimension and metric is computed from. */
    static final List<TableField<?, ?>> LEDGER_COLUMNS = List.of(
            TOKEN_USAGE_LEDGER.CREATED_AT,
            TOKEN_USAGE_LEDGER.STATUS,
            TOKEN_USAGE_LEDGER.PROVIDER_ID,
            TOKEN_USAGE_LEDGER.MODEL_ID,
            TOKEN_USAGE_LEDGER.USER_ID,
            TOKEN_USAGE_LEDGER.USER_TIER,
            TOKEN_USAGE_LEDGER.REQUEST_TYPE,
            TOKEN_USAGE_LEDGER.INPUT_TOKENS,
            TOKEN_USAGE_LEDGER.CACHED_INPUT_TOKENS,
            TOKEN_USAGE_LEDGER.OUTPUT_TOKENS,
            TOKEN_USAGE_LEDGER.REASONING_TOKENS,
            TOKEN_USAGE_LEDGER.VENDOR_COST,
            TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD,
            TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED);

    static final NewRows TABLE = new NewRows();

    /** The copied rows, as metrics and dimensions read rows of the ledger. */
    final LedgerRows rows = new LedgerRows() {
        @Override
        public <T> Field<T> column(TableField<?, T> ledgerColumn) {
            Field<T> copy = field(ledgerColumn.getName(), ledgerColumn.getDataType());
            if (copy == null) {
                throw new IllegalStateException("rollup_new_rows keeps no " + ledgerColumn.getName());
            }
            return copy;
        }
    };

    private NewRows() {
        super(DSL.name("rollup_new_rows"), Analytics.ANALYTICS);
        LEDGER_COLUMNS.forEach(column -> createField(DSL.name(column.getName()), column.getDataType()));
    }
}
