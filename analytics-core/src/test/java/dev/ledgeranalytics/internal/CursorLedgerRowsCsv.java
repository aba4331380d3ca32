package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.schema.tables.TokenUsageLedger;
import java.io.Writer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

/**
 * The ledger export as it was written before PostgreSQL's COPY wrote it: rows read through a
 * server-side cursor and formatted in Java by {@link CsvWriter} and java.time. Kept as the
 * reference {@link LedgerRowsCsv} must match byte for byte, and as the baseline of {@code
 * ExportThroughput}.
 */
public final class CursorLedgerRowsCsv {

    /** Rows fetched per round trip of the server-side cursor. */
    private static final int FETCH_SIZE = 10_000;

    private final ZoneId zone;

    /** @param zone the zone instants are written in */
    public CursorLedgerRowsCsv(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * Streams the rows of {@code rows} that satisfy {@code where} (a condition on the ledger's
     * columns) through a server-side cursor, in constant memory, on the transaction of {@code tx}.
     *
     * @return the number of rows written, header excluded
     */
    public long write(DSLContext tx, TokenUsageLedger rows, Condition where, Writer out) {
        List<Field<?>> columns = columns(rows);
        CsvWriter csv = new CsvWriter(out);
        for (Field<?> column : columns) {
            csv.field(column.equals(PROVIDERS.SLUG) ? "provider" : column.getName());
        }
        csv.endRow();
        long written = 0;
        try (Cursor<Record> cursor = tx.select(columns)
                .from(rows)
                .join(PROVIDERS)
                .on(PROVIDERS.ID.eq(rows.PROVIDER_ID))
                .where(where)
                .orderBy(rows.CREATED_AT, rows.ID)
                .fetchSize(FETCH_SIZE)
                .fetchLazy()) {
            // Read the driver's text of each value instead of jOOQ's records: PostgreSQL already
            // sends numerics as exact plain decimals, uuids and json as their canonical text,
            // and skipping the conversions to BigDecimal, UUID and JSONB halves the export time.
            ResultSet results = cursor.resultSet();
            while (results.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    csv.field(text(results, i + 1, columns.get(i).getType()));
                }
                csv.endRow();
                written++;
            }
        } catch (SQLException e) {
            throw new DataAccessException("Reading the ledger failed", e);
        }
        csv.flush();
        return written;
    }

    /** Every column of the ledger, the provider's slug in place of its id. */
    private static List<Field<?>> columns(TokenUsageLedger rows) {
        List<Field<?>> columns = new ArrayList<>();
        for (Field<?> column : List.of(
                TOKEN_USAGE_LEDGER.ID,
                TOKEN_USAGE_LEDGER.REQUEST_ID,
                TOKEN_USAGE_LEDGER.CREATED_AT,
                TOKEN_USAGE_LEDGER.STATUS,
                PROVIDERS.SLUG,
                TOKEN_USAGE_LEDGER.MODEL_ID,
                TOKEN_USAGE_LEDGER.USER_ID,
                TOKEN_USAGE_LEDGER.USER_TIER,
                TOKEN_USAGE_LEDGER.API_KEY_ID,
                TOKEN_USAGE_LEDGER.REQUEST_TYPE,
                TOKEN_USAGE_LEDGER.INPUT_TOKENS,
                TOKEN_USAGE_LEDGER.CACHED_INPUT_TOKENS,
                TOKEN_USAGE_LEDGER.OUTPUT_TOKENS,
                TOKEN_USAGE_LEDGER.REASONING_TOKENS,
                TOKEN_USAGE_LEDGER.VENDOR_COST,
                TOKEN_USAGE_LEDGER.MARGIN_MULTIPLIER,
                TOKEN_USAGE_LEDGER.GROSS_MARGIN_USD,
                TOKEN_USAGE_LEDGER.CREDITS_DEDUCTED,
                TOKEN_USAGE_LEDGER.LATENCY_MS,
                TOKEN_USAGE_LEDGER.TIME_TO_FIRST_TOKEN_MS,
                TOKEN_USAGE_LEDGER.ERROR_CODE,
                TOKEN_USAGE_LEDGER.IS_STREAMING,
                TOKEN_USAGE_LEDGER.UPSTREAM_REQUEST_ID,
                TOKEN_USAGE_LEDGER.SESSION_ID,
                TOKEN_USAGE_LEDGER.METADATA,
                TOKEN_USAGE_LEDGER.UPDATED_AT)) {
            columns.add(column.equals(PROVIDERS.SLUG) ? column : rows.field(column));
        }
        return columns;
    }

    private String text(ResultSet rows, int column, Class<?> type) throws SQLException {
        if (type == Instant.class) {
            OffsetDateTime instant = rows.getObject(column, OffsetDateTime.class);
            return instant == null
                    ? null
                    : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atZoneSameInstant(zone));
        }
        if (type == Boolean.class) {
            // The driver's text of a boolean is "t" or "f".
            boolean value = rows.getBoolean(column);
            return rows.wasNull() ? null : Boolean.toString(value);
        }
        return rows.getString(column);
    }
}
