package dev.ledgeranalytics.verify;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.query.QueryPlan;
import dev.ledgeranalytics.verify.PlanCheck.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.impl.DSL;

/** Judges the plans of the dashboard statements by the index they read the ledger with. */
final class PlanInspector {

    /**
     * Below this many rows a sequential scan is cheaper than any index and the planner rightly
     * takes it, so a plan proves nothing about the index. 10,000 rows of the ledger fill about
     * 400 pages of 8 kB.
     */
    static final long MIN_ROWS_TO_JUDGE = 10_000;

    /** The share of a partition's month above which reading all of it sequentially is as good. */
    private static final double MOSTLY = 0.5;

    /** Walks EXPLAIN's JSON depth-first; the array path orders the nodes as EXPLAIN's text output would. */
    private static final String NODES_SQL = """
            WITH RECURSIVE node(plan, path) AS (
                SELECT ({0}::jsonb) -> 0 -> 'Plan', ARRAY[1]
              UNION ALL
                SELECT child.plan, node.path || child.position::int
                FROM node, jsonb_array_elements(node.plan -> 'Plans') WITH ORDINALITY AS child(plan, position)
            )
            SELECT repeat('  ', cardinality(path) - 1) || (plan ->> 'Node Type')
                       || coalesce(' using ' || (plan ->> 'Index Name'), '')
                       || coalesce(' on ' || (plan ->> 'Relation Name'), ''),
                   plan ->> 'Node Type', plan ->> 'Relation Name', plan ->> 'Index Name'
            FROM node
            ORDER BY path""";

    private PlanInspector() {}

    /**
     * The relation and index names that stand for the ledger and its covering index: the tables
     * themselves, and in a partitioned ledger each partition and each partition's index.
     */
    private static final String MEMBERS_SQL = """
            SELECT c.relname, greatest(c.reltuples, 0)::bigint
            FROM (SELECT relid FROM pg_partition_tree(to_regclass({0})) UNION SELECT to_regclass({0})) t
            JOIN pg_class c ON c.oid = t.relid""";

    /** The partitions (or the table) whose part of the covering index is valid, so usable. */
    private static final String COVERED_SQL = """
            SELECT c.relname
            FROM (SELECT relid FROM pg_partition_tree(to_regclass({0})) UNION SELECT to_regclass({0})) t
            JOIN pg_index i ON i.indexrelid = t.relid
            JOIN pg_class c ON c.oid = i.indrelid
            WHERE i.indisvalid""";

    /**
     * @param ledgerRows the ledger's estimated rows
     * @param read       the span the statements read: the range asked for and, for the gross
     *                   margin's previous period, as long a span before it
     */
    static PlanCheck inspect(DSLContext tx, String schema, QueryPlan plan, long ledgerRows, Span read) {
        Result<Record> nodes = tx.resultQuery(NODES_SQL, DSL.val(plan.json())).fetch();
        Map<String, Long> ledger = members(tx, schema, TOKEN_USAGE_LEDGER.getName());
        Set<String> dashboardIndex =
                members(tx, schema, LedgerContract.DASHBOARD_INDEX).keySet();
        Set<String> covered =
                Set.copyOf(tx.resultQuery(COVERED_SQL, DSL.val('"' + schema + "\"." + LedgerContract.DASHBOARD_INDEX))
                        .fetch(0, String.class));
        List<Record> reads = nodes.stream()
                .filter(node -> ledger.containsKey(node.get(2, String.class)))
                .toList();
        // Each read of the ledger or a partition: through the covering index, or rightly sequential.
        boolean offIndex = reads.stream()
                .anyMatch(node -> !dashboardIndex.contains(node.get(3, String.class))
                        && !("Seq Scan".equals(node.get(1, String.class))
                                && (small(node, ledger) || mostlyRead(node, covered, read))));
        // And one at least as intended: not only the sequential scans of small partitions.
        boolean asIntended = reads.stream()
                .anyMatch(node -> dashboardIndex.contains(node.get(3, String.class))
                        || ("Seq Scan".equals(node.get(1, String.class)) && mostlyRead(node, covered, read)));
        long rowsRead = reads.stream()
                .map(node -> node.get(2, String.class))
                .distinct()
                .mapToLong(ledger::get)
                .sum();
        Verdict verdict;
        if (reads.isEmpty()) {
            verdict = Verdict.READS_ROLLUPS;
        } else if (ledgerRows < MIN_ROWS_TO_JUDGE || rowsRead < MIN_ROWS_TO_JUDGE) {
            verdict = Verdict.TOO_FEW_ROWS;
        } else {
            verdict = offIndex || !asIntended ? Verdict.OFF_INDEX : Verdict.USES_INDEX;
        }
        List<String> outline = nodes.getValues(0, String.class);
        return new PlanCheck(plan.statement(), verdict, outline);
    }

    /** The instants from {@code from} (inclusive) to {@code to} (exclusive). */
    record Span(Instant from, Instant to) {

        /** The share of {@code month} this span covers, 0 to 1. */
        double share(YearMonth month) {
            Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant end =
                    month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant overlapStart = from.isAfter(start) ? from : start;
            Instant overlapEnd = to.isBefore(end) ? to : end;
            return overlapEnd.isAfter(overlapStart)
                    ? (double) Duration.between(overlapStart, overlapEnd).toSeconds()
                            / Duration.between(start, end).toSeconds()
                    : 0;
        }
    }

    /** Whether a partition is too small to judge (an empty month ahead, say): a sequential scan is right for it. */
    private static boolean small(Record node, Map<String, Long> ledger) {
        String relation = node.get(2, String.class);
        return !TOKEN_USAGE_LEDGER.getName().equals(relation) && ledger.get(relation) < MIN_ROWS_TO_JUDGE;
    }

    /**
     * Whether a node reads a partition whose month the statements mostly read: scanning all of it
     * sequentially is then about as fast as through the index (docs/partitioning.md), and the
     * planner's right choice when it made it over a valid covering index. (The planner's own row
     * estimate cannot tell: it guesses the status condition, compared as text on purpose, at
     * 0.5 % of the rows.)
     */
    private static boolean mostlyRead(Record node, Set<String> covered, Span read) {
        String relation = node.get(2, String.class);
        YearMonth month = LedgerLayout.monthOf(relation);
        return month != null && covered.contains(relation) && read.share(month) >= MOSTLY;
    }

    /** The relation and its partitions, by name, with their estimated rows. */
    private static Map<String, Long> members(DSLContext tx, String schema, String relation) {
        Map<String, Long> members = new HashMap<>();
        tx.resultQuery(MEMBERS_SQL, DSL.val('"' + schema + "\"." + relation))
                .forEach(member -> members.put(member.get(0, String.class), member.get(1, Long.class)));
        return members;
    }
}
