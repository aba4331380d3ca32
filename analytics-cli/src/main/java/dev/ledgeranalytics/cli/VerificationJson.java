package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.verify.ColumnCheck;
import dev.ledgeranalytics.verify.Finding;
import dev.ledgeranalytics.verify.IndexCheck;
import dev.ledgeranalytics.verify.PlanCheck;
import dev.ledgeranalytics.verify.TableStatistics;
import dev.ledgeranalytics.verify.VerificationReport;
import java.util.LinkedHashMap;
import java.util.Map;

/** The verification report for machines: one JSON object, field names as in the report's records, sizes in bytes. */
final class VerificationJson {

    private VerificationJson() {
    }

    static String write(VerificationReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schema", report.schema());
        json.put("status", report.status());
        json.put("findings", report.findings().stream().map(VerificationJson::finding).toList());
        json.put("tablePresent", report.tablePresent());
        json.put("columns", report.columns().stream().map(VerificationJson::column).toList());
        json.put("statusValues", report.statusValues());
        json.put("indexes", report.indexes().stream().map(VerificationJson::index).toList());
        json.put("statistics", report.statistics() == null ? null : statistics(report.statistics()));
        json.put("planFrom", report.planFrom());
        json.put("planTo", report.planTo());
        json.put("plans", report.plans().stream().map(VerificationJson::plan).toList());
        return Json.write(json);
    }

    private static Map<String, Object> finding(Finding finding) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", finding.status());
        json.put("kind", finding.kind());
        json.put("subject", finding.subject());
        json.put("message", finding.message());
        return json;
    }

    private static Map<String, Object> column(ColumnCheck column) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", column.name());
        json.put("state", column.state());
        json.put("expectedType", column.expectedType());
        json.put("expectedNullable", column.expectedNullable());
        json.put("actualType", column.actualType());
        json.put("actualNullable", column.state() == ColumnCheck.State.MISSING ? null : column.actualNullable());
        return json;
    }

    private static Map<String, Object> index(IndexCheck index) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", index.name());
        json.put("state", index.state());
        json.put("expectedDefinition", index.expectedDefinition());
        json.put("keyColumns", index.keyColumns());
        json.put("includeColumns", index.includeColumns());
        json.put("predicate", index.predicate());
        json.put("sizeBytes", index.sizeBytes());
        json.put("scans", index.scans());
        json.put("entriesRead", index.entriesRead());
        return json;
    }

    private static Map<String, Object> statistics(TableStatistics statistics) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("estimatedRows", statistics.estimatedRows());
        json.put("tableBytes", statistics.tableBytes());
        json.put("indexBytes", statistics.indexBytes());
        json.put("lastAnalyzed", statistics.lastAnalyzed());
        json.put("modifiedSinceAnalyze", statistics.modifiedSinceAnalyze());
        json.put("staleThreshold", statistics.staleThreshold());
        json.put("stale", statistics.stale());
        return json;
    }

    private static Map<String, Object> plan(PlanCheck plan) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("statement", plan.statement());
        json.put("verdict", plan.verdict());
        json.put("nodes", plan.nodes());
        return json;
    }
}
