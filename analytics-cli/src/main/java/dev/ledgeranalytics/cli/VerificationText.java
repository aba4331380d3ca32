package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.verify.ColumnCheck;
import dev.ledgeranalytics.verify.Finding;
import dev.ledgeranalytics.verify.IndexCheck;
import dev.ledgeranalytics.verify.PlanCheck;
import dev.ledgeranalytics.verify.Status;
import dev.ledgeranalytics.verify.TableStatistics;
import dev.ledgeranalytics.verify.VerificationReport;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/** The verification report for people: sections with ✅ / ⚠️ / ❌ lines, as the seed's verification script printed. */
final class VerificationText {

    private static final String RULE = "=".repeat(80);
    private static final String LINE = "-".repeat(80);

    private VerificationText() {}

    static void print(VerificationReport report, PrintWriter out) {
        out.println(RULE);
        out.println("Ledger Schema Verification: " + report.schema() + ".token_usage_ledger");
        out.println(RULE);
        table(report, out);
        if (report.tablePresent()) {
            migrations(report, out);
            indexes(report, out);
            statistics(report, out);
            plans(report, out);
        }
        out.println();
        out.println(RULE);
        out.println("VERIFICATION SUMMARY");
        out.println(RULE);
        out.println();
        out.println("Status: " + marker(report.status()) + " " + report.status());
        for (Finding finding : report.findings()) {
            out.println("  " + marker(finding.status()) + " " + finding.subject() + ": " + finding.message());
        }
        out.flush();
    }

    private static void table(VerificationReport report, PrintWriter out) {
        section("Table and columns", out);
        if (!report.tablePresent()) {
            printFindings(report, Finding.Kind.TABLE_MISSING, out);
            return;
        }
        long ok = report.columns().stream()
                .filter(column -> column.state() == ColumnCheck.State.OK)
                .count();
        out.printf(
                Locale.ROOT,
                "%s Table exists; %d of %d expected columns with the expected type, precision and nullability%n",
                ok == report.columns().size() ? "✅" : "❌",
                ok,
                report.columns().size());
        printFindings(report, Finding.Kind.COLUMN_MISSING, out);
        printFindings(report, Finding.Kind.COLUMN_WRONG, out);
        if (report.findings().stream().noneMatch(finding -> finding.kind() == Finding.Kind.STATUS_VALUE_MISSING)) {
            out.println("✅ request_status values: " + String.join(", ", report.statusValues()));
        }
        printFindings(report, Finding.Kind.STATUS_VALUE_MISSING, out);
    }

    private static void migrations(VerificationReport report, PrintWriter out) {
        section("Migrations", out);
        if (report.findings().stream()
                .noneMatch(finding -> finding.kind() == Finding.Kind.MIGRATION_FAILED
                        || finding.kind() == Finding.Kind.MIGRATIONS_PENDING)) {
            out.println("✅ Every migration of this library version is applied");
        }
        printFindings(report, Finding.Kind.MIGRATION_FAILED, out);
        printFindings(report, Finding.Kind.MIGRATIONS_PENDING, out);
    }

    private static void indexes(VerificationReport report, PrintWriter out) {
        section("Indexes (usage since the server's statistics were last reset)", out);
        for (IndexCheck index : report.indexes()) {
            if (index.state() == IndexCheck.State.OK) {
                out.printf(
                        Locale.ROOT,
                        "✅ %-46s %9s %12s scans %14s entries read%n",
                        index.name(),
                        Format.bytes(index.sizeBytes()),
                        Format.count(index.scans()),
                        Format.count(index.entriesRead()));
            }
        }
        List<String> unused = report.indexes().stream()
                .filter(index -> index.state() == IndexCheck.State.OK && index.scans() == 0)
                .map(IndexCheck::name)
                .toList();
        if (!unused.isEmpty()) {
            out.println("ℹ️  Never scanned yet (information only): " + String.join(", ", unused));
        }
        for (Finding.Kind kind :
                List.of(Finding.Kind.INDEX_MISSING, Finding.Kind.INDEX_INVALID, Finding.Kind.INDEX_DIFFERENT)) {
            printFindings(report, kind, out);
        }
    }

    private static void statistics(VerificationReport report, PrintWriter out) {
        section("Data and planner statistics", out);
        TableStatistics statistics = report.statistics();
        out.printf(
                Locale.ROOT,
                "Rows (estimated): %s   table %s   indexes %s%n",
                Format.count(statistics.estimatedRows()),
                Format.bytes(statistics.tableBytes()),
                Format.bytes(statistics.indexBytes()));
        if (report.retainedFrom() != null) {
            out.println("Retention: raw rows kept from " + Format.minute(report.retainedFrom(), ZoneOffset.UTC)
                    + " UTC on; the rollups alone answer for earlier months");
        }
        if (!report.partitioned()) {
            freshness("Statistics", statistics, out);
            return;
        }
        long stale = report.partitionStatistics().values().stream()
                .filter(TableStatistics::stale)
                .count();
        out.printf(
                Locale.ROOT,
                "%s Statistics %s%n",
                stale > 0 ? "⚠️ " : "✅",
                stale > 0
                        ? "stale in " + stale + " of "
                                + report.partitionStatistics().size() + " partitions"
                        : "fresh in each of " + report.partitionStatistics().size() + " partitions");
        out.printf(
                Locale.ROOT,
                "   %-32s %12s %10s %10s   %s%n",
                "partition (by month)",
                "rows (est.)",
                "table",
                "indexes",
                "statistics");
        report.partitionStatistics()
                .forEach((name, partition) -> out.printf(
                        Locale.ROOT,
                        "%s %-32s %12s %10s %10s   %s%n",
                        partition.stale() ? "⚠️ " : "  ",
                        name,
                        Format.count(partition.estimatedRows()),
                        Format.bytes(partition.tableBytes()),
                        Format.bytes(partition.indexBytes()),
                        freshness(partition)));
        printFindings(report, Finding.Kind.PARTITION_MISSING, out);
        printFindings(report, Finding.Kind.DEFAULT_PARTITION_ROWS, out);
    }

    private static void freshness(String label, TableStatistics statistics, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "%s %s %s: %s%n",
                statistics.stale() ? "⚠️ " : "✅",
                label,
                statistics.stale() ? "stale" : "fresh",
                freshness(statistics));
    }

    private static String freshness(TableStatistics statistics) {
        String analyzed = statistics.lastAnalyzed() == null
                ? "never analyzed"
                : "analyzed " + Format.minute(statistics.lastAnalyzed(), ZoneOffset.UTC) + " UTC";
        return analyzed + ", " + Format.count(statistics.modifiedSinceAnalyze()) + " rows modified since (stale above "
                + Format.count(statistics.staleThreshold()) + ")";
    }

    private static void plans(VerificationReport report, PrintWriter out) {
        if (report.plans().isEmpty()) {
            section("Query plans", out);
            out.println("⏭️  Skipped: the dashboard queries cannot run on a BROKEN schema");
            return;
        }
        section(
                "Query plans (EXPLAIN, last 30 days of data: " + Format.minute(report.planFrom(), ZoneOffset.UTC)
                        + " to " + Format.minute(report.planTo(), ZoneOffset.UTC) + " UTC)",
                out);
        for (PlanCheck plan : report.plans()) {
            String verdict = switch (plan.verdict()) {
                case USES_INDEX ->
                    "✅ " + plan.statement()
                            + (report.partitioned()
                                    ? ": reads the months it needs, through idx_token_usage_analytics or whole"
                                    : ": reads the ledger through idx_token_usage_analytics");
                case OFF_INDEX ->
                    "⚠️  " + plan.statement() + ": does not read the ledger through idx_token_usage_analytics";
                case READS_ROLLUPS -> "✅ " + plan.statement() + ": reads the rollups alone";
                case TOO_FEW_ROWS ->
                    "ℹ️  " + plan.statement() + ": not judged, too few rows for the plan to mean anything";
            };
            out.println(verdict);
            plan.nodes().forEach(node -> out.println("     " + node));
        }
    }

    private static void section(String title, PrintWriter out) {
        out.println();
        out.println(title);
        out.println(LINE);
    }

    private static void printFindings(VerificationReport report, Finding.Kind kind, PrintWriter out) {
        report.findings().stream()
                .filter(finding -> finding.kind() == kind)
                .forEach(finding -> out.println(marker(finding.status()) + " " + finding.message()));
    }

    private static String marker(Status status) {
        return switch (status) {
            case READY -> "✅";
            case DEGRADED -> "⚠️ ";
            case BROKEN -> "❌";
        };
    }
}
