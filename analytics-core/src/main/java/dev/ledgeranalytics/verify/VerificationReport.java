package dev.ledgeranalytics.verify;

import java.time.Instant;
import java.util.List;

/**
 * What {@link SchemaVerifier#verify(javax.sql.DataSource, String)} found: the overall status, the
 * findings that decided it, and every check in detail.
 *
 * @param schema       the schema verified
 * @param status       the worst status among the findings, {@link Status#READY} when there are none
 * @param findings     the deviations, worst first
 * @param tablePresent whether {@code token_usage_ledger} exists; without it the column, index and
 *                     plan checks are empty and statistics is {@code null}
 * @param columns      each expected column, in the contract's order
 * @param statusValues the live values of the {@code request_status} enum, in sort order
 * @param indexes      each expected index, in the contract's order
 * @param statistics   size and statistics freshness of the ledger, {@code null} without the table
 * @param planFrom     start of the range the plans were asked for, {@code null} when none were
 * @param planTo       end (exclusive) of that range, {@code null} when none were
 * @param plans        each dashboard statement's plan; empty when the schema is BROKEN, because the
 *                     statements could not run on it
 */
public record VerificationReport(
        String schema,
        Status status,
        List<Finding> findings,
        boolean tablePresent,
        List<ColumnCheck> columns,
        List<String> statusValues,
        List<IndexCheck> indexes,
        TableStatistics statistics,
        Instant planFrom,
        Instant planTo,
        List<PlanCheck> plans) {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list is {@code null}
     */
    public VerificationReport {
        findings = List.copyOf(findings);
        columns = List.copyOf(columns);
        statusValues = List.copyOf(statusValues);
        indexes = List.copyOf(indexes);
        plans = List.copyOf(plans);
    }
}
