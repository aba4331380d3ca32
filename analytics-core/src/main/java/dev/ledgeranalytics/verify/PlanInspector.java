package dev.ledgeranalytics.verify;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.query.QueryPlan;
import dev.ledgeranalytics.verify.PlanCheck.Verdict;
import java.util.List;
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

    static PlanCheck inspect(DSLContext tx, QueryPlan plan, long ledgerRows) {
        Result<Record> nodes = tx.resultQuery(NODES_SQL, DSL.val(plan.json())).fetch();
        boolean scansSequentially = nodes.stream()
                .anyMatch(node -> "Seq Scan".equals(node.get(1, String.class))
                        && TOKEN_USAGE_LEDGER.getName().equals(node.get(2, String.class)));
        boolean usesIndex =
                nodes.stream().anyMatch(node -> LedgerContract.DASHBOARD_INDEX.equals(node.get(3, String.class)));
        Verdict verdict;
        if (ledgerRows < MIN_ROWS_TO_JUDGE) {
            verdict = Verdict.TOO_FEW_ROWS;
        } else {
            verdict = usesIndex && !scansSequentially ? Verdict.USES_INDEX : Verdict.OFF_INDEX;
        }
        List<String> outline = nodes.getValues(0, String.class);
        return new PlanCheck(plan.statement(), verdict, outline);
    }
}
