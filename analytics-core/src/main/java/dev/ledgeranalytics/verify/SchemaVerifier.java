package dev.ledgeranalytics.verify;

import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.internal.Transactions;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.MigrationHistory;
import dev.ledgeranalytics.migration.SchemaMigration;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.verify.CatalogSnapshot.LiveIndex;
import dev.ledgeranalytics.verify.Finding.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Checks a live ledger schema against what this library version needs, for the operators of a
 * host database: is the schema right, are the indexes there and valid, are they used?
 *
 * <pre>{@code
 * VerificationReport report = SchemaVerifier.verify(dataSource, "analytics");
 * if (report.status() != Status.READY) {
 *     report.findings().forEach(f -> log.warn("{} {}: {}", f.status(), f.subject(), f.message()));
 * }
 * }</pre>
 *
 * <p>The status is the worst of the findings:
 * <ul>
 *   <li>{@link Status#BROKEN}: the ledger or the {@code providers} table is missing; a column is missing or has another type,
 *       precision or nullability; a {@code request_status} value is missing; the primary key or the
 *       unique key on {@code request_id} is missing, invalid or different; a migration of this library
 *       is not applied or is recorded as failed ({@link AnalyticsMigrations#history()}). Queries fail, or a
 *       retried write could bill twice.</li>
 *   <li>{@link Status#DEGRADED}: one of the six secondary indexes is missing, invalid (as a failed
 *       {@code CREATE INDEX CONCURRENTLY} leaves it) or different; the statistics are stale (see
 *       {@link TableStatistics}); a dashboard statement's plan does not read the ledger through
 *       {@code idx_token_usage_analytics} or scans it sequentially. Figures stay right; they get slow.</li>
 * </ul>
 * Information that changes no status: indexes never scanned (a new database has scanned none), extra
 * columns, indexes or enum values the host added, and plans of a ledger under
 * {@value PlanInspector#MIN_ROWS_TO_JUDGE} rows, where a sequential scan is the right plan.
 *
 * <p>The plans are asked for the last 30 days of data (ending at the newest row), with the
 * default filter, through {@link AnalyticsQueries#explain(LedgerFilter)}; nothing is executed.
 * Index usage counts come from {@code pg_stat_user_indexes} and the statistics' freshness from
 * {@code pg_stat_user_tables}, which PostgreSQL updates asynchronously (within a second or so).
 */
public final class SchemaVerifier {

    private static final Duration PLAN_RANGE = Duration.ofDays(30);

    private SchemaVerifier() {}

    /**
     * Verifies the ledger in the {@value AnalyticsMigrations#DEFAULT_SCHEMA} schema.
     *
     * @param dataSource connections to the host's database; the user needs to read the catalog, the ledger and
     *                   the migration history table
     * @return the report
     * @throws IllegalArgumentException if {@code dataSource} is {@code null}
     * @throws AnalyticsException       if the database fails
     */
    public static VerificationReport verify(DataSource dataSource) {
        return verify(dataSource, AnalyticsMigrations.DEFAULT_SCHEMA);
    }

    /**
     * Verifies the ledger installed into {@code schema}.
     *
     * @param dataSource connections to the host's database; the user needs to read the catalog, the ledger and
     *                   the migration history table
     * @param schema     the schema given to {@link AnalyticsMigrations#withSchema(String)}
     * @return the report
     * @throws IllegalArgumentException if {@code dataSource} is {@code null} or the schema name is invalid
     * @throws AnalyticsException       if the database fails
     */
    public static VerificationReport verify(DataSource dataSource, String schema) {
        DSLContext dsl = LedgerDsl.using(dataSource, schema);
        Transactions reader = new Transactions(dsl, null);
        CatalogSnapshot catalog = reader.read(
                "Reading the catalog of ledger schema \"" + schema + "\"", tx -> CatalogSnapshot.read(tx, schema));
        List<Finding> findings = new ArrayList<>();
        if (catalog.table() == null) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.TABLE_MISSING,
                    LedgerContract.TABLE,
                    "table " + schema + "." + LedgerContract.TABLE + " does not exist; run the migrations"));
            return report(schema, findings, catalog, List.of(), List.of(), null, null, List.of());
        }
        if (!catalog.providersPresent()) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.TABLE_MISSING,
                    LedgerContract.PROVIDERS_TABLE,
                    "table " + schema + "." + LedgerContract.PROVIDERS_TABLE
                            + ", which names the ledger's providers, does not exist; run the migrations"));
        }
        List<ColumnCheck> columns = LedgerContract.COLUMNS.stream()
                .map(column -> checkColumn(column, catalog, findings))
                .toList();
        checkStatusValues(catalog.statusValues(), findings);
        checkMigrations(AnalyticsMigrations.create(dataSource).withSchema(schema), findings);
        List<IndexCheck> indexes = LedgerContract.INDEXES.stream()
                .map(index -> checkIndex(schema, index, catalog, findings))
                .toList();
        TableStatistics statistics = catalog.table();
        if (statistics.stale()) {
            findings.add(new Finding(
                    Status.DEGRADED,
                    Kind.STATISTICS_STALE,
                    LedgerContract.TABLE,
                    statistics.lastAnalyzed() == null
                            ? "never analyzed, though it holds about " + statistics.estimatedRows()
                                    + " rows, more than " + statistics.staleThreshold()
                                    + "; run ANALYZE or check autovacuum"
                            : statistics.modifiedSinceAnalyze() + " rows modified since the last analyze, more than "
                                    + statistics.staleThreshold() + "; run ANALYZE or check autovacuum"));
        }
        if (findings.stream().anyMatch(finding -> finding.status() == Status.BROKEN)) {
            return report(schema, findings, catalog, columns, indexes, null, null, List.of());
        }
        Instant newest = reader.read(
                "Finding the newest ledger row",
                tx -> tx.select(DSL.max(TOKEN_USAGE_LEDGER.CREATED_AT))
                        .from(TOKEN_USAGE_LEDGER)
                        .fetchOne(0, Instant.class));
        // Whole seconds after the newest row: a range a dashboard would ask for, and one that includes that row.
        Instant to = (newest == null ? Instant.now() : newest)
                .truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(1);
        Instant from = to.minus(PLAN_RANGE);
        List<PlanCheck> plans = reader.read(
                "Inspecting the plans of the dashboard queries",
                tx -> AnalyticsQueries.create(tx).withSchema(schema).explain(LedgerFilter.between(from, to)).stream()
                        .map(plan -> PlanInspector.inspect(tx, plan, statistics.estimatedRows()))
                        .toList());
        for (PlanCheck plan : plans) {
            if (plan.verdict() == PlanCheck.Verdict.OFF_INDEX) {
                findings.add(new Finding(
                        Status.DEGRADED,
                        Kind.PLAN_OFF_INDEX,
                        plan.statement(),
                        "does not read the ledger through " + LedgerContract.DASHBOARD_INDEX + " alone: "
                                + String.join(
                                        " / ",
                                        plan.nodes().stream().map(String::strip).toList())));
            }
        }
        return report(schema, findings, catalog, columns, indexes, from, to, plans);
    }

    private static VerificationReport report(
            String schema,
            List<Finding> findings,
            CatalogSnapshot catalog,
            List<ColumnCheck> columns,
            List<IndexCheck> indexes,
            Instant planFrom,
            Instant planTo,
            List<PlanCheck> plans) {
        List<Finding> worstFirst = findings.stream()
                .sorted(Comparator.comparing(Finding::status).reversed())
                .toList();
        Status status = worstFirst.isEmpty() ? Status.READY : worstFirst.get(0).status();
        return new VerificationReport(
                schema,
                status,
                worstFirst,
                catalog.table() != null,
                columns,
                catalog.statusValues(),
                indexes,
                catalog.table(),
                planFrom,
                planTo,
                plans);
    }

    private static ColumnCheck checkColumn(
            LedgerContract.Column expected, CatalogSnapshot catalog, List<Finding> findings) {
        LedgerContract.Column actual = catalog.columns().get(expected.name());
        if (actual == null) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.COLUMN_MISSING,
                    expected.name(),
                    "column " + expected.name() + " " + describe(expected) + " does not exist"));
            return new ColumnCheck(
                    expected.name(), expected.type(), expected.nullable(), null, false, ColumnCheck.State.MISSING);
        }
        ColumnCheck.State state = actual.equals(expected) ? ColumnCheck.State.OK : ColumnCheck.State.WRONG;
        if (state == ColumnCheck.State.WRONG) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.COLUMN_WRONG,
                    expected.name(),
                    "column " + expected.name() + " is " + describe(actual) + ", expected " + describe(expected)));
        }
        return new ColumnCheck(
                expected.name(), expected.type(), expected.nullable(), actual.type(), actual.nullable(), state);
    }

    private static String describe(LedgerContract.Column column) {
        return column.type() + (column.nullable() ? " NULL" : " NOT NULL");
    }

    private static void checkStatusValues(List<String> actual, List<Finding> findings) {
        List<String> missing = LedgerContract.STATUS_VALUES.stream()
                .filter(value -> !actual.contains(value))
                .toList();
        if (!missing.isEmpty()) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.STATUS_VALUE_MISSING,
                    LedgerContract.STATUS_TYPE,
                    (actual.isEmpty()
                            ? "enum type " + LedgerContract.STATUS_TYPE + " does not exist"
                            : "enum " + LedgerContract.STATUS_TYPE + " lacks " + String.join(", ", missing))));
        }
    }

    /**
     * The history against the migrations in this library's jar (never a list written here), so
     * that a library upgrade with a new migration finds every schema not yet migrated to it.
     */
    private static void checkMigrations(AnalyticsMigrations migrations, List<Finding> findings) {
        MigrationHistory history = migrations.history();
        String table = migrations.schema() + "." + AnalyticsMigrations.HISTORY_TABLE;
        for (SchemaMigration failed : history.failed()) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.MIGRATION_FAILED,
                    "V" + failed.version(),
                    "migration " + failed + " failed half-way and is recorded as failed in " + table
                            + ", which blocks every later migration; once its cause is fixed, run `analytics migrate"
                            + " --repair` (or AnalyticsMigrations.repair() and migrate())"));
        }
        if (!history.pending().isEmpty()) {
            findings.add(new Finding(
                    Status.BROKEN,
                    Kind.MIGRATIONS_PENDING,
                    AnalyticsMigrations.HISTORY_TABLE,
                    (history.currentVersion() == null
                                    ? "no migration is recorded in " + table
                                    : "the schema is at version " + history.currentVersion())
                            + ", behind this library: "
                            + history.pending().stream()
                                    .map(SchemaMigration::toString)
                                    .collect(Collectors.joining(", "))
                            + (history.pending().size() == 1 ? " is" : " are")
                            + " not applied; run `analytics migrate` (or AnalyticsMigrations.migrate())"));
        }
    }

    private static IndexCheck checkIndex(
            String schema, LedgerContract.Index expected, CatalogSnapshot catalog, List<Finding> findings) {
        LiveIndex actual = catalog.indexes().get(expected.name());
        if (actual == null) {
            findings.add(new Finding(
                    expected.severity(),
                    Kind.INDEX_MISSING,
                    expected.name(),
                    "index " + expected.name() + " " + expected.definition() + " does not exist"));
            return new IndexCheck(
                    expected.name(),
                    expected.definition(),
                    IndexCheck.State.MISSING,
                    List.of(),
                    List.of(),
                    null,
                    0,
                    0,
                    0);
        }
        IndexCheck.State state;
        if (!actual.valid()) {
            state = IndexCheck.State.INVALID;
            findings.add(new Finding(
                    expected.severity(),
                    Kind.INDEX_INVALID,
                    expected.name(),
                    "index " + expected.name()
                            + " is INVALID, as a failed CREATE INDEX CONCURRENTLY leaves it; the planner ignores it, writes still "
                            + "maintain it. Rebuild it with REINDEX INDEX CONCURRENTLY " + schema + "."
                            + expected.name()));
        } else if (actual.unique() != expected.unique()
                || !actual.keys().equals(expected.keys())
                || !actual.include().equals(expected.include())
                || !Objects.equals(actual.predicate(), expected.predicate())) {
            state = IndexCheck.State.DIFFERENT;
            LedgerContract.Index live = new LedgerContract.Index(
                    actual.name(),
                    expected.severity(),
                    actual.unique(),
                    actual.keys(),
                    actual.include(),
                    actual.predicate());
            findings.add(new Finding(
                    expected.severity(),
                    Kind.INDEX_DIFFERENT,
                    expected.name(),
                    "index " + expected.name() + " is " + live.definition() + ", expected " + expected.definition()));
        } else {
            state = IndexCheck.State.OK;
        }
        return new IndexCheck(
                expected.name(),
                expected.definition(),
                state,
                actual.keys(),
                actual.include(),
                actual.predicate(),
                actual.sizeBytes(),
                actual.scans(),
                actual.entriesRead());
    }
}
