package dev.ledgeranalytics.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Renders load runs as a Markdown section: the targets, then reader latency, writers and
 * refreshes, the queries explained under load, where the server's time went, a timeline and the
 * checks. Where there are several runs of the same plan, a figure is given as the lowest and the
 * highest of them ({@code 12–15}), or run by run ({@code 12 · 15}) where that reads better.
 */
final class LoadReport {

    private LoadReport() {}

    /**
     * @param command  the exact command line
     * @param machine  what it ran on
     * @param plan     the runs' plan
     * @param runs     one result per run
     * @param wallTime all runs together
     */
    static String render(String command, Machine machine, LoadPlan plan, List<LoadResult> runs, Duration wallTime) {
        StringBuilder md = new StringBuilder();
        Instant started = runs.get(0).started();
        md.append(
                MarkdownReport.header("Load and soak (`analytics-bench --load`)", started, wallTime, command, machine));
        md.append("- Plan: ").append(describe(plan, runs.size())).append('\n');
        md.append("- Other processes on the machine (CPU time spent outside this run's JVM and server), in cores on "
                        + "average, idle · under load · explaining · backlog: ")
                .append(runs.stream().map(LoadReport::otherCores).collect(Collectors.joining("; ")))
                .append(".\n");
        targets(md, plan, runs);
        latency(md, runs);
        writesAndRefreshes(md, runs);
        LoadDiagnosis.explained(md, runs);
        LoadDiagnosis.activity(md, runs);
        LoadDiagnosis.timeline(md, runs);
        checks(md, runs);
        return md.toString();
    }

    private static String describe(LoadPlan plan, int runs) {
        return String.format(
                Locale.ROOT,
                "%s rows seeded over the year before the run (%,d users, seed %d), rollups built in refresh mode; "
                        + "%d readers loading the dashboard (the five queries) without pause, each on its own connection, "
                        + "over the last %s in turn, each range ending when its load starts; the readers alone for %s; "
                        + "then with %d writers inserting %,d rows/s in all (single-row INSERTs, each in its own transaction, "
                        + "%s %% of them late rows created 1 hour to %s in the past) and `Rollups.tryRefresh()` every %s, "
                        + "for %s; then the same while the run explains every query with ANALYZE (measured apart); then %s "
                        + "more without refresh, and one refresh of those writes. %d run%s, each on a fresh database%s.",
                plan.rows(),
                plan.rows().users(),
                BenchLedger.SEED,
                plan.readers(),
                plan.ranges().stream().map(QueryRange::toString).collect(Collectors.joining(", ")),
                LoadPlan.shown(plan.idle()),
                plan.writers(),
                plan.insertRate(),
                new java.math.BigDecimal(Double.toString(plan.latePercent()))
                        .stripTrailingZeros()
                        .toPlainString(),
                LoadPlan.shown(plan.lateMaxAge()),
                LoadPlan.shown(plan.refreshEvery()),
                LoadPlan.shown(plan.duration()),
                LoadPlan.shown(plan.backlog()),
                runs,
                runs == 1 ? "" : "s",
                runs == 1 ? "" : "; a cell gives the lowest and highest figure of the runs");
    }

    private static String otherCores(LoadResult run) {
        if (run.otherCores().isEmpty()) {
            return "not measured (no /proc)";
        }
        return run.otherCores().values().stream()
                .map(cores -> String.format(Locale.ROOT, "%.2f", cores))
                .collect(Collectors.joining(" · "));
    }

    private static void targets(StringBuilder md, LoadPlan plan, List<LoadResult> runs) {
        md.append("\n### Targets\n\n| Target | ")
                .append(runs.size() == 1 ? "Measured" : "Runs, one by one")
                .append(" | Met |\n|---|---|---|\n");
        row(
                md,
                "Reader p95 under load ≤ " + (int) LoadResult.P95_GROWTH_TARGET + "× idle, every query and range",
                runs,
                run -> run.worstGrowth()
                        .map(worst -> String.format(
                                Locale.ROOT,
                                "worst %.1f× (%s over %s: %s → %s ms)",
                                worst.growth(),
                                worst.query().method(),
                                worst.range(),
                                Timing.ms(worst.idle().p95()),
                                Timing.ms(worst.load().p95())))
                        .orElse("—"),
                run -> run.worstGrowth()
                        .map(w -> w.growth() <= LoadResult.P95_GROWTH_TARGET)
                        .orElse(false));
        row(
                md,
                String.format(
                        Locale.ROOT,
                        "Inserts at %,d rows/s (≥ %.0f %%)",
                        runs.get(0).writes().target(),
                        100 * LoadResult.ON_TARGET),
                runs,
                run -> String.format(Locale.ROOT, "%,.0f rows/s", run.writes().achieved()),
                run -> run.writes().onTarget());
        row(md, "Errors: 0", runs, run -> String.valueOf(run.failureCount()), run -> run.failureCount() == 0);
        row(
                md,
                "Lost or double-counted rows: 0",
                runs,
                run -> String.format(
                                Locale.ROOT,
                                "%,d",
                                Math.abs(run.rows().expected() - run.rows().inLedger()))
                        + (run.rowsCountedOnce() ? "" : " (see checks)"),
                LoadResult::rowsCountedOnce);
        row(
                md,
                "Refresh of a minute of writes ≤ " + LoadResult.MINUTE_REFRESH_TARGET.toSeconds() + " s",
                runs,
                run -> String.format(
                        Locale.ROOT,
                        "%s (%,d rows of %s, %,d quarter hours)",
                        seconds(run.backlog().took()),
                        run.backlogRows(),
                        LoadPlan.shown(plan.backlog()),
                        run.backlog().quarterHours()),
                run -> run.backlog().took().compareTo(LoadResult.MINUTE_REFRESH_TARGET) <= 0);
        row(
                md,
                "Answers through the rollups = raw reads (percentiles within 1 %)",
                runs,
                run -> (run.whilePending().compared()
                                - run.whilePending().differences().size()
                                + run.refreshed().compared()
                                - run.refreshed().differences().size())
                        + " of "
                        + (run.whilePending().compared() + run.refreshed().compared()) + " equal",
                LoadResult::answersAgree);
    }

    private static void row(
            StringBuilder md,
            String target,
            List<LoadResult> runs,
            Function<LoadResult, String> measured,
            java.util.function.Predicate<LoadResult> met) {
        boolean all = runs.stream().allMatch(met);
        boolean none = runs.stream().noneMatch(met);
        md.append("| ")
                .append(target)
                .append(" | ")
                .append(runs.stream().map(measured).collect(Collectors.joining(" · ")))
                .append(" | ")
                .append(all ? "met" : none ? "**missed**" : "**missed in some runs**")
                .append(" |\n");
    }

    private static void latency(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Reader latency (ms)\n\n");
        md.append("Queries: how many ran idle · under load. By the ledger alone: the share of the queries under load "
                + "that read no rollup (`QueryListener`), as when a range holds no whole bucket of the table that "
                + "would answer it.\n\n");
        md.append(
                "| Query | Range | Idle p50 / p95 / max | Under load p50 / p95 / max | p95 under load ÷ idle "
                        + "| Without refresh p50 / p95 / max | Queries | By the ledger alone |\n|---|---|---|---|---|---|---|---|\n");
        int cells = runs.get(0).reads().size();
        for (int i = 0; i < cells; i++) {
            int cell = i;
            List<LoadResult.Reads> reads =
                    runs.stream().map(run -> run.reads().get(cell)).toList();
            md.append("| ")
                    .append(reads.get(0).query().method())
                    .append(" | ")
                    .append(reads.get(0).range())
                    .append(" | ")
                    .append(timings(reads, LoadResult.Reads::idle))
                    .append(" | ")
                    .append(timings(reads, LoadResult.Reads::load))
                    .append(" | ")
                    .append(spread(reads, LoadResult.Reads::growth, "%.1f×"))
                    .append(" | ")
                    .append(timings(reads, LoadResult.Reads::backlog))
                    .append(" | ")
                    .append(spread(reads, r -> runs(r.idle()), "%,.0f"))
                    .append(" · ")
                    .append(spread(reads, r -> runs(r.load()), "%,.0f"))
                    .append(" | ")
                    .append(spread(reads, r -> 100.0 * r.loadByLedger() / Math.max(1, runs(r.load())), "%.0f %%"))
                    .append(" |\n");
        }
    }

    private static int runs(Timing timing) {
        return timing == null ? 0 : timing.runs();
    }

    private static void writesAndRefreshes(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Writers and refreshes\n\n");
        md.append("- Inserted under load: ")
                .append(spread(runs, run -> run.writes().achieved(), "%,.0f"))
                .append(" rows/s against ")
                .append(String.format(Locale.ROOT, "%,d", runs.get(0).writes().target()))
                .append(" (")
                .append(spread(runs, run -> run.writes().inserted(), "%,.0f"))
                .append(" rows, of which ")
                .append(spread(runs, run -> run.writes().late(), "%,.0f"))
                .append(" late); INSERT latency p50 / p95 / max ")
                .append(timings(runs, run -> run.writes().latency()))
                .append(" ms.\n");
        md.append("- Scheduled refreshes under load: ")
                .append(spread(runs, run -> run.refreshes().size(), "%,.0f"))
                .append(", each took p50 / p95 / max ")
                .append(timings(runs, run -> refreshTimes(run.refreshes())))
                .append(" ms and applied the writes of p50 / max ")
                .append(spread(
                        runs, run -> percentile(run.refreshes(), LoadRecorder.Refresh::quarterHours, 0.5), "%,.0f"))
                .append(" / ")
                .append(spread(
                        runs, run -> percentile(run.refreshes(), LoadRecorder.Refresh::quarterHours, 1), "%,.0f"))
                .append(" quarter hours; the rollups lagged the ledger by at most ")
                .append(spread(
                        runs, run -> percentile(run.refreshes(), r -> r.lag().toMillis(), 1) / 1000.0, "%,.1f"))
                .append(" s before a refresh.\n");
        md.append("- The refresh of the writes made without refresh (")
                .append(spread(runs, LoadResult::backlogRows, "%,.0f"))
                .append(" rows): ")
                .append(spread(runs, run -> run.backlog().took().toMillis() / 1000.0, "%,.2f"))
                .append(" s, ")
                .append(spread(runs, run -> run.backlog().quarterHours(), "%,.0f"))
                .append(" quarter hours applied.\n");
        md.append("- Rollup build from the seeded ledger: ")
                .append(spread(runs, run -> run.build().took().toMillis() / 1000.0, "%,.1f"))
                .append(" s; seeding ")
                .append(spread(runs, run -> run.seed().elapsed().toMillis() / 1000.0, "%,.1f"))
                .append(" s.\n");
    }

    private static void checks(StringBuilder md, List<LoadResult> runs) {
        md.append("\n### Checks\n\n");
        for (int i = 0; i < runs.size(); i++) {
            LoadResult run = runs.get(i);
            String name = runs.size() == 1 ? "" : "Run " + (i + 1) + ": ";
            md.append("- ")
                    .append(name)
                    .append(String.format(
                            Locale.ROOT,
                            "the ledger holds %,d rows, the seeded ones and those the writers saw committed make %,d; "
                                    + "%d writer%s' rows (by their `api_key_id`) differ from their own count. ",
                            run.rows().inLedger(),
                            run.rows().expected(),
                            run.rows().writersMiscounted(),
                            run.rows().writersMiscounted() == 1 ? "" : "s"))
                    .append(String.format(
                            Locale.ROOT,
                            "Requests per bucket and status in %d rollup tables and grains against the ledger's counts: "
                                    + "%,d buckets, %s. ",
                            run.counts().tableGrains(),
                            run.counts().buckets(),
                            run.counts().differing().isEmpty()
                                    ? "all equal"
                                    : "differing: " + run.counts().differing()))
                    .append(answers(
                            "with writes in " + run.pendingAtCheck() + " quarter hour"
                                    + (run.pendingAtCheck() == 1 ? "" : "s") + " pending",
                            run.whilePending()))
                    .append(answers("after a final refresh", run.refreshed()))
                    .append(run.failures().stream()
                            .map(LoadResult.Failure::toString)
                            .collect(Collectors.joining("; ", run.failures().isEmpty() ? "" : " ", "")))
                    .append("Wall time ")
                    .append(MarkdownReport.duration(run.wallTime()))
                    .append(".\n");
        }
    }

    private static String answers(String when, LoadChecks.Answers answers) {
        return "Answers " + when + ": " + answers + ". ";
    }

    private static Timing refreshTimes(List<LoadRecorder.Refresh> refreshes) {
        return refreshes.isEmpty()
                ? null
                : Timing.of(
                        refreshes.stream().mapToLong(r -> r.took().toNanos()).toArray());
    }

    /** The nearest-rank {@code quantile} of a figure over the refreshes, 0 if there were none. */
    private static double percentile(
            List<LoadRecorder.Refresh> refreshes, ToDoubleFunction<LoadRecorder.Refresh> figure, double quantile) {
        double[] sorted = refreshes.stream().mapToDouble(figure).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    /** {@code p50 / p95 / max} with each figure's spread over the runs; {@code —} where there was nothing to time. */
    static <T> String timings(List<T> runs, Function<T, Timing> timing) {
        List<Timing> timings =
                runs.stream().map(timing).filter(Objects::nonNull).toList();
        if (timings.isEmpty()) {
            return "—";
        }
        return millis(timings, Timing::p50) + " / " + millis(timings, Timing::p95) + " / "
                + millis(timings, Timing::max);
    }

    private static String millis(List<Timing> timings, ToDoubleFunction<Timing> figure) {
        double low = timings.stream().mapToDouble(figure).min().orElseThrow();
        double high = timings.stream().mapToDouble(figure).max().orElseThrow();
        return Timing.ms(low).equals(Timing.ms(high)) ? Timing.ms(low) : Timing.ms(low) + "–" + Timing.ms(high);
    }

    /** A figure formatted with {@code format}, as {@code low–high} over the runs where they differ. */
    static <T> String spread(List<T> runs, ToDoubleFunction<T> figure, String format) {
        List<String> shown = new ArrayList<>();
        double low = runs.stream()
                .mapToDouble(figure)
                .filter(v -> !Double.isNaN(v))
                .min()
                .orElse(Double.NaN);
        double high = runs.stream()
                .mapToDouble(figure)
                .filter(v -> !Double.isNaN(v))
                .max()
                .orElse(Double.NaN);
        if (Double.isNaN(low)) {
            return "—";
        }
        shown.add(String.format(Locale.ROOT, format, low));
        String highShown = String.format(Locale.ROOT, format, high);
        if (!highShown.equals(shown.get(0))) {
            shown.add(highShown);
        }
        return String.join("–", shown);
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
    }

    /** Shares of the samples per key, largest first, as {@code CPU 71 %, idle 20 %}. */
    static String shares(Map<String, Long> counts, int shown) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(shown)
                .map(e -> String.format(Locale.ROOT, "%s %.0f %%", e.getKey(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining(", "));
    }
}
