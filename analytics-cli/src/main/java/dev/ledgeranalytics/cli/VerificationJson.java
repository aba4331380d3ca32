package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.verify.ColumnCheck;
import dev.ledgeranalytics.verify.Finding;
import dev.ledgeranalytics.verify.IndexCheck;
import dev.ledgeranalytics.verify.PlanCheck;
import dev.ledgeranalytics.verify.TableStatistics;
import dev.ledgeranalytics.verify.VerificationReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The verification report for machines: one JSON object, field names as in the report's records, sizes in bytes. */
final class VerificationJson {

    private VerificationJson() {}

    static String write(VerificationReport report) {
        return Json.write(object(
                "schema", report.schema(),
                "status", report.status(),
                "findings",
                        report.findings().stream()
                                .map(VerificationJson::finding)
                                .toList(),
                "tablePresent", report.tablePresent(),
                "columns",
                        report.columns().stream().map(VerificationJson::column).toList(),
                "statusValues", report.statusValues(),
                "indexes",
                        report.indexes().stream().map(VerificationJson::index).toList(),
                "statistics", report.statistics() == null ? null : statistics(report.statistics()),
                "partitioned", report.partitioned(),
                "partitions", partitions(report),
                "retainedFrom", report.retainedFrom(),
                "planFrom", report.planFrom(),
                "planTo", report.planTo(),
                "plans", report.plans().stream().map(VerificationJson::plan).toList()));
    }

    private static Map<String, Object> finding(Finding finding) {
        return object(
                "status", finding.status(),
                "kind", finding.kind(),
                "subject", finding.subject(),
                "message", finding.message());
    }

    private static Map<String, Object> column(ColumnCheck column) {
        return object(
                "name", column.name(),
                "state", column.state(),
                "expectedType", column.expectedType(),
                "expectedNullable", column.expectedNullable(),
                "actualType", column.actualType(),
                "actualNullable", column.state() == ColumnCheck.State.MISSING ? null : column.actualNullable());
    }

    private static Map<String, Object> index(IndexCheck index) {
        return object(
                "name", index.name(),
                "state", index.state(),
                "expectedDefinition", index.expectedDefinition(),
                "keyColumns", index.keyColumns(),
                "includeColumns", index.includeColumns(),
                "predicate", index.predicate(),
                "sizeBytes", index.sizeBytes(),
                "scans", index.scans(),
                "entriesRead", index.entriesRead());
    }

    private static Map<String, Object> statistics(TableStatistics statistics) {
        return object(
                "estimatedRows", statistics.estimatedRows(),
                "tableBytes", statistics.tableBytes(),
                "indexBytes", statistics.indexBytes(),
                "lastAnalyzed", statistics.lastAnalyzed(),
                "modifiedSinceAnalyze", statistics.modifiedSinceAnalyze(),
                "staleThreshold", statistics.staleThreshold(),
                "stale", statistics.stale());
    }

    private static List<Map<String, Object>> partitions(VerificationReport report) {
        return report.partitionStatistics().entrySet().stream()
                .map(partition -> {
                    Map<String, Object> object = object("name", partition.getKey());
                    object.putAll(statistics(partition.getValue()));
                    return object;
                })
                .toList();
    }

    private static Map<String, Object> plan(PlanCheck plan) {
        return object(
                "statement", plan.statement(),
                "verdict", plan.verdict(),
                "nodes", plan.nodes());
    }

    /** A JSON object of alternating names and values, in that order; values may be null, unlike Map.of's. */
    private static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            object.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return object;
    }
}
