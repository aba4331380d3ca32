package dev.ledgeranalytics.internal;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.schema.tables.TokenUsageLedger;
import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Internal API. Ledger rows as CSV, oldest first, with the provider's slug in place of its id and
 * instants as ISO-8601 in a zone: the format of {@code CsvExporter.exportLedger}, for the ledger
 * itself or for a table of ledger rows such as a partition that retention detached.
 *
 * <p>PostgreSQL writes the CSV itself, {@code COPY (SELECT …) TO STDOUT WITH (FORMAT csv,
 * HEADER)}, streamed through the driver's copy API: measured on a million rows, that takes about
 * half the time of reading the rows through a cursor and writing them in Java, in constant memory
 * on both sides. The statement renders every value as {@link CsvWriter} wrote them before, so the
 * files stay byte for byte the same: numerics, uuids, jsonb and the status as their own text;
 * booleans as {@code true} and {@code false}, not {@code t} and {@code f}; instants by {@link
 * InstantText}; an empty string as an empty field like a null (COPY would quote it). Both quote a
 * field only for a comma, a quote or a line break, and double quotes inside; COPY ends a row with
 * LF, which is made the CRLF of RFC 4180 here.
 */
public final class LedgerRowsCsv {

    private static final byte[] CRLF = {'\r', '\n'};

    private static final List<Field<?>> COLUMNS = List.of(
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
            TOKEN_USAGE_LEDGER.UPDATED_AT);

    private final ZoneId zone;

    /** @param zone the zone instants are written in */
    public LedgerRowsCsv(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * Streams the rows of {@code rows} that satisfy {@code where} (a condition on the ledger's
     * columns) as UTF-8, on the transaction of {@code tx}; flushes {@code out}.
     *
     * @return the number of rows written, header excluded
     */
    public long write(DSLContext tx, TokenUsageLedger rows, Condition where, OutputStream out) {
        BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        long written = copy(tx, rows, where, (row, length) -> {
            buffered.write(row, 0, length);
            buffered.write(CRLF);
        });
        flush(buffered);
        return written;
    }

    /** Like {@link #write(DSLContext, TokenUsageLedger, Condition, OutputStream)}, as characters. */
    public long write(DSLContext tx, TokenUsageLedger rows, Condition where, Writer out) {
        long written = copy(tx, rows, where, (row, length) -> {
            out.write(new String(row, 0, length, StandardCharsets.UTF_8));
            out.write("\r\n");
        });
        flush(out);
        return written;
    }

    /** The statement, whose values are inlined: COPY takes no bind values. */
    String statement(DSLContext tx, TokenUsageLedger rows, Condition where) {
        List<Field<?>> columns = new ArrayList<>();
        for (Field<?> column : COLUMNS) {
            boolean provider = column.equals(PROVIDERS.SLUG);
            columns.add(text(provider ? column : rows.field(column)).as(provider ? "provider" : column.getName()));
        }
        // Ordered by the table's columns, qualified, never by the text of the same name.
        return "COPY ("
                + tx.renderInlined(tx.select(columns)
                        .from(rows)
                        .join(PROVIDERS)
                        .on(PROVIDERS.ID.eq(rows.PROVIDER_ID))
                        .where(where)
                        .orderBy(rows.CREATED_AT, rows.ID))
                + ") TO STDOUT WITH (FORMAT csv, HEADER)";
    }

    private Field<?> text(Field<?> column) {
        Class<?> type = column.getType();
        if (type == Instant.class) {
            return InstantText.of(column, zone);
        }
        if (type == Boolean.class) {
            return column.cast(SQLDataType.VARCHAR);
        }
        if (type == String.class) {
            return DSL.nullif(column.coerce(String.class), DSL.inline(""));
        }
        return column;
    }

    @FunctionalInterface
    private interface RowSink {
        /** One row of COPY's output, {@code length} bytes without its line end. */
        void accept(byte[] row, int length) throws IOException;
    }

    private long copy(DSLContext tx, TokenUsageLedger rows, Condition where, RowSink sink) {
        String statement = statement(tx, rows, where);
        return tx.connectionResult(connection -> {
            PGConnection postgres = connection.unwrap(PGConnection.class);
            CopyOut copy = postgres.getCopyAPI().copyOut(statement);
            try {
                // One message per row, ending in a single LF; a line break inside a field is quoted.
                for (byte[] row = copy.readFromCopy(); row != null; row = copy.readFromCopy()) {
                    sink.accept(row, row.length - 1);
                }
                return copy.getHandledRowCount();
            } catch (IOException e) {
                throw abandoned(postgres, copy, new UncheckedIOException(e));
            } catch (RuntimeException e) {
                throw abandoned(postgres, copy, e);
            }
        });
    }

    /**
     * Stops a copy whose rows can no longer be written and reads what the server sent until it
     * stopped, so that the connection stays in step with it for the rollback and whoever uses it
     * next. The driver's own {@code CopyOut.cancelCopy()} leaves those messages unread and the
     * connection out of step (pgjdbc issue 3163).
     */
    private static RuntimeException abandoned(PGConnection postgres, CopyOut copy, RuntimeException failure) {
        try {
            postgres.cancelQuery();
            while (copy.readFromCopy() != null) {
                // discarded: nobody is writing them any more
            }
        } catch (SQLException e) {
            if (!SqlState.QUERY_CANCELED.equals(e.getSQLState())) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }

    private static void flush(Flushable out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
