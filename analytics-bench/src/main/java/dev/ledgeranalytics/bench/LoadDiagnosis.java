package dev.ledgeranalytics.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of the load report that say why the figures are what they are: each query's
 * statements explained under load, where the server processes spent their time, and how the
 * run went minute by minute.
 */
final class LoadDiagnosis {

    /** States shown per role: the rest are rare. */
    private static final int STATES_SHOWN = 6;

    private LoadDiagnosis() {}

    static void explained(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Each query under load, explained\n\n");
        md.append("At the end of the load phase, while readers, writers and refreshes ran: each query's statements "
                + "through the rollups, run again under `EXPLAIN (ANALYZE)`; how long they took and how many ledger "
                + "rows they read (the edges of the range and the buckets with unapplied writes).\n\n");
        md.append("| Query | Range | Statements | Execution (ms) | Ledger rows read |\n|---|---|---|---|---|\n");
        int rows = runs.get(0).underLoad().size();
        for (int i = 0; i < rows; i++) {
            int row = i;
            List<LoadResult.Explained> explained =
                    runs.stream().map(run -> run.underLoad().get(row)).toList();
            md.append("| ")
                    .append(explained.get(0).query().method())
                    .append(" | ")
                    .append(explained.get(0).range())
                    .append(" | ")
                    .append(explained.get(0).statements())
                    .append(" | ")
                    .append(LoadReport.spread(explained, LoadResult.Explained::millis, "%,.1f"))
                    .append(" | ")
                    .append(LoadReport.spread(explained, LoadResult.Explained::ledgerRows, "%,.0f"))
                    .append(" |\n");
        }
    }

    static void activity(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Where the server's time went\n\n");
        md.append("`pg_stat_activity` sampled every ")
                .append(ActivitySampler.INTERVAL_MILLIS)
                .append(" ms: the share of samples in which each role's server processes were running (CPU), "
                        + "waiting for a lock, for I/O or for another event, or waiting for their client (idle: the "
                        + "reader's or writer's own Java code, or its pause between inserts).\n\n");
        md.append("| Phase | Role | Run | Samples | States |\n|---|---|---|---|---|\n");
        for (Phase phase : Phase.values()) {
            for (int i = 0; i < runs.size(); i++) {
                Map<String, Map<String, Long>> byRole = new TreeMap<>();
                runs.get(i).activity().forEach((key, count) -> {
                    if (key.phase() == phase) {
                        byRole.computeIfAbsent(key.who(), who -> new LinkedHashMap<>())
                                .merge(key.state(), count, Long::sum);
                    }
                });
                for (Map.Entry<String, Map<String, Long>> role : byRole.entrySet()) {
                    md.append("| ")
                            .append(phase)
                            .append(" | ")
                            .append(role.getKey())
                            .append(" | ")
                            .append(i + 1)
                            .append(" | ")
                            .append(String.format(
                                    Locale.ROOT,
                                    "%,d",
                                    role.getValue().values().stream()
                                            .mapToLong(Long::longValue)
                                            .sum()))
                            .append(" | ")
                            .append(LoadReport.shares(role.getValue(), STATES_SHOWN))
                            .append(" |\n");
                }
            }
        }
    }

    static void timeline(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Minute by minute\n\n");
        md.append("From the start of the writers; the last minutes are the backlog without refresh, and the last "
                + "one may be cut short (its rate is over the part of it the run lasted).\n\n");
        md.append("| Run | Minute | Inserts/s | Reader p50 / p95 / max (ms) | Refreshes | Slowest refresh (ms) "
                + "| Most quarter hours pending |\n|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            for (LoadResult.Minute minute : runs.get(i).timeline()) {
                md.append("| ")
                        .append(i + 1)
                        .append(" | ")
                        .append(minute.minute())
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%,.0f", minute.insertsPerSecond()))
                        .append(" | ")
                        .append(minute.reads() == null ? "—" : minute.reads().toString())
                        .append(" | ")
                        .append(minute.refreshes())
                        .append(" | ")
                        .append(
                                minute.slowest() == null
                                        ? "—"
                                        : Timing.ms(minute.slowest().toNanos() / 1e6))
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%,d", minute.maxPending()))
                        .append(" |\n");
            }
        }
    }
}
