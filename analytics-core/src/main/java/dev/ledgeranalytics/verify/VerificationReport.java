package dev.ledgeranalytics.verify;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param statistics   size and statistics freshness of the ledger, {@code null} without the table; of
 *                     a partitioned ledger, its partitions' added up
 * @param partitioned  whether the ledger is partitioned
 * @param partitionStatistics each partition's size and statistics, by partition name in name order;
 *                     empty for an unpartitioned ledger
 * @param retainedFrom the retention boundary: raw rows before it were dropped and only the rollups
 *                     answer for them; {@code null} while retention dropped nothing
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
        boolean partitioned,
        Map<String, TableStatistics> partitionStatistics,
        Instant retainedFrom,
        Instant planFrom,
        Instant planTo,
        List<PlanCheck> plans) {

    /**
     * Copies the lists and the map.
     *
     * @throws NullPointerException if a list or the map is {@code null}
     */
    public VerificationReport {
        findings = List.copyOf(findings);
        columns = List.copyOf(columns);
        statusValues = List.copyOf(statusValues);
        indexes = List.copyOf(indexes);
        plans = List.copyOf(plans);
        partitionStatistics = Collections.unmodifiableMap(new TreeMap<>(partitionStatistics));
    }
}
