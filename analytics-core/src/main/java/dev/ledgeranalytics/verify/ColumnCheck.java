package dev.ledgeranalytics.verify;

/**
 * One expected column of the ledger compared with the live catalog.
 *
 * @param name             the column
 * @param expectedType     its type as PostgreSQL's {@code format_type()} prints it, such as {@code numeric(10,8)}
 * @param expectedNullable whether it may hold nulls
 * @param actualType       the live type, {@code null} when the column is missing
 * @param actualNullable   whether the live column may hold nulls; {@code false} when it is missing
 * @param state            the verdict
 */
public record ColumnCheck(
        String name,
        String expectedType,
        boolean expectedNullable,
        String actualType,
        boolean actualNullable,
        State state) {

    /** The verdict on one column. */
    public enum State {
        /** Type, precision and nullability as expected. */
        OK,
        /** No such column. */
        MISSING,
        /** Another type, precision or nullability. */
        WRONG
    }
}
