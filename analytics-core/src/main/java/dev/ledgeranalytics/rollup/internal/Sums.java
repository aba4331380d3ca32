package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import java.math.BigDecimal;
import java.time.Instant;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;

/**
 * The answer to a {@link SumsRequest}, to be read inside a query's own statement: a derived table
 * with one row per bucket and key that has rows, its bucket number in {@link #bucket()}, then a
 * column per key and per metric, named as {@link Dimension#column()} and {@link Metric#column()}.
 * Counts read as {@code long}, money as NUMERIC with the ledger's scale, whichever path summed them.
 */
public final class Sums {

    /** Money where nothing was summed: zero at the ledger's eight decimals, as sums of rows have. */
    public static final BigDecimal NO_MONEY = BigDecimal.ZERO.setScale(8);

    private final Table<Record> table;
    private final boolean readRollups;

    Sums(Table<Record> table, boolean readRollups) {
        this.table = table;
        this.readRollups = readRollups;
    }

    /** The derived table. */
    public Table<Record> table() {
        return table;
    }

    /** Whether any of it was read from the rollups; if not, it was summed from the ledger's rows alone. */
    public boolean readRollups() {
        return readRollups;
    }

    /** The bucket number, from 1. */
    public Field<Integer> bucket() {
        return table.field(CoverSums.BUCKET, Integer.class);
    }

    /** The bucket number in {@code row}, as {@link #count} reads it. */
    public int bucket(Record row) {
        return row.get(CoverSums.BUCKET, Integer.class);
    }

    /** A key's column. */
    public Field<?> key(Dimension key) {
        return table.field(key.column());
    }

    /** A metric's column. */
    public Field<?> metric(Metric metric) {
        return table.field(metric.column());
    }

    /**
     * A counting metric's total in {@code row}, a row of this table or of a statement over it
     * that kept its column names; 0 where nothing was counted.
     */
    public long count(Record row, Metric metric) {
        Long value = row.get(metric.column(), Long.class);
        return value == null ? 0 : value;
    }

    /** A money metric's total in {@code row}, as {@link #count} reads it; {@link #NO_MONEY} where nothing was summed. */
    public BigDecimal money(Record row, Metric metric) {
        BigDecimal value = row.get(metric.column(), BigDecimal.class);
        return value == null ? NO_MONEY : value;
    }

    /** An instant metric's value in {@code row}, as {@link #count} reads it. */
    public Instant instant(Record row, Metric metric) {
        return row.get(metric.column(), Instant.class);
    }
}
