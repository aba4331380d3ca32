package dev.ledgeranalytics.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.CostDistribution;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.ProviderCost;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention drops whole months once the rollups hold them: the dashboard over those months
 * answers exactly as before from the rollups, what needs their raw rows fails naming the
 * boundary, the archive holds every dropped row, and rows that arrive later for a dropped month
 * are counted and kept.
 */
class RetentionTest {

    /** Fifteen months of rows, September 2025 to November 2026; "now" is mid-November 2026. */
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-15T12:00:00Z"), ZoneOffset.UTC);

    private static final Instant BOUNDARY = Instant.parse("2025-11-01T00:00:00Z");
    private static final LedgerFilter DROPPED_MONTHS = LedgerFilter.between(
                    Instant.parse("2025-09-01T00:00:00Z"), BOUNDARY)
            .anyStatus();
    private static final LedgerFilter A_YEAR_ACROSS_THE_BOUNDARY =
            LedgerFilter.between(Instant.parse("2025-09-15T00:00:00Z"), Instant.parse("2026-09-15T00:00:00Z"));

    private TestDatabase database;
    private DataSource dataSource;
    private AnalyticsQueries queries;
    private List<Row> rows;

    @BeforeEach
    void fifteenMonthsWithRollups() {
        database = TestDatabase.migrated();
        dataSource = database.dataSource();
        Ledger ledger = new Ledger(dataSource).withProviders();
        LedgerWriter writer = new LedgerWriter(new Random(15), LedgerWriter.users(new Random(15), 30));
        rows = writer.rows(3_000, Instant.parse("2025-09-01T00:00:00Z"), Instant.parse("2026-11-15T00:00:00Z"));
        ledger.insert(rows);
        Partitions.create(dataSource).withClock(NOW).ensure(1);
        Rollups.create(dataSource).refresh();
        queries = AnalyticsQueries.create(dataSource);
    }

    @AfterEach
    void dropIt() {
        database.close();
    }

    @Test
    void droppedMonthsAnswerFromTheRollupsExactlyAsBeforeAndTheArchiveHoldsEveryRow(@TempDir Path archive)
            throws Exception {
        GrossMargin kpis = queries.grossMargin(DROPPED_MONTHS);
        List<ProviderCost> providers = queries.providerCosts(DROPPED_MONTHS);
        MarginTrend trend = queries.marginTrend(DROPPED_MONTHS, Granularity.DAY, ZoneId.of("UTC"));
        UserPage users = queries.userBreakdown(DROPPED_MONTHS, UserSort.GROSS_MARGIN_DESC, 10, null);
        CostDistribution costs = queries.costDistribution(DROPPED_MONTHS);
        GrossMargin year = queries.grossMargin(A_YEAR_ACROSS_THE_BOUNDARY);
        long droppedRows =
                rows.stream().filter(row -> row.createdAt().isBefore(BOUNDARY)).count();
        StringWriter exported = new StringWriter();
        CsvExporter.create(dataSource).exportLedger(DROPPED_MONTHS, exported);

        RetentionResult result =
                Retention.create(dataSource).withClock(NOW).archiveTo(archive).keepMonths(13);

        assertThat(result.retainedFrom()).isEqualTo(BOUNDARY);
        assertThat(result.dropped()).containsExactly("token_usage_ledger_y2025m09", "token_usage_ledger_y2025m10");
        assertThat(result.rowsDropped()).isEqualTo(droppedRows);
        assertThat(result.archives())
                .extracting(path -> path.getFileName().toString())
                .containsExactly("token_usage_ledger_y2025m09.csv", "token_usage_ledger_y2025m10.csv");
        long archived = 0;
        for (Path file : result.archives()) {
            archived += Files.readAllLines(file).size() - 1;
        }
        assertThat(archived).isEqualTo(droppedRows);
        String september = Files.readString(result.archives().get(0));
        String october = Files.readString(result.archives().get(1));
        assertThat(september + october.substring(october.indexOf("\r\n") + 2))
                .as("the archives hold the rows the ledger export wrote before, in its format")
                .isEqualTo(exported.toString());
        assertThat(new Ledger(dataSource).count("SELECT count(*) FROM analytics.token_usage_ledger"))
                .isEqualTo(rows.size() - droppedRows);
        assertThat(Rollups.create(dataSource).status().retainedFrom()).isEqualTo(BOUNDARY);

        assertThat(queries.grossMargin(DROPPED_MONTHS)).isEqualTo(kpis);
        assertThat(queries.providerCosts(DROPPED_MONTHS)).isEqualTo(providers);
        assertThat(queries.marginTrend(DROPPED_MONTHS, Granularity.DAY, ZoneId.of("UTC")))
                .isEqualTo(trend);
        assertThat(queries.userBreakdown(DROPPED_MONTHS, UserSort.GROSS_MARGIN_DESC, 10, null))
                .isEqualTo(users);
        assertThat(queries.costDistribution(DROPPED_MONTHS)).isEqualTo(costs);
        assertThat(queries.grossMargin(A_YEAR_ACROSS_THE_BOUNDARY)).isEqualTo(year);
    }

    @Test
    void whatNeedsTheDroppedRowsFailsNamingTheBoundary() {
        Retention.create(dataSource).withClock(NOW).keepMonths(13);
        LedgerFilter midDay =
                LedgerFilter.between(Instant.parse("2025-10-03T10:07:00Z"), Instant.parse("2026-01-01T00:00:00Z"));

        List<Runnable> needRawRows = new ArrayList<>();
        needRawRows.add(() -> queries.grossMargin(midDay));
        needRawRows.add(() -> queries.withRawReads().grossMargin(DROPPED_MONTHS));
        needRawRows.add(() -> queries.providerCosts(DROPPED_MONTHS.users(Row.ALICE)));
        needRawRows.add(() -> queries.costDistributionByModel(DROPPED_MONTHS));
        needRawRows.add(() -> queries.userBreakdown(DROPPED_MONTHS.models("gpt-4o"), UserSort.REQUESTS_DESC, 5, null));
        needRawRows.add(() -> CsvExporter.create(dataSource).exportLedger(DROPPED_MONTHS, new StringWriter()));
        for (Runnable query : needRawRows) {
            assertThatThrownBy(query::run)
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("retention")
                    .hasMessageContaining(BOUNDARY.toString());
        }
        // From the boundary on, everything reads the raw rows as before.
        LedgerFilter kept = LedgerFilter.between(BOUNDARY.plusSeconds(37), Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(queries.providerCosts(kept)).isEqualTo(queries.withRawReads().providerCosts(kept));
        assertThat(queries.costDistributionByModel(kept)).isNotEmpty();
    }

    @Test
    void aLateRowForADroppedMonthIsCountedAtOnceCannotChangeAndGoesWithTheNextRun(@TempDir Path archive) {
        Retention retention = Retention.create(dataSource).withClock(NOW).archiveTo(archive);
        retention.keepMonths(13);
        GrossMargin before = queries.grossMargin(DROPPED_MONTHS);
        Ledger ledger = new Ledger(dataSource);

        ledger.insert(Row.at("2025-10-20T08:00:00Z", "0.50000000", "0.25000000"));

        GrossMargin after = queries.grossMargin(DROPPED_MONTHS);
        assertThat(after.current().requests()).isEqualTo(before.current().requests() + 1);
        assertThat(after.current().vendorCost())
                .isEqualByComparingTo(before.current().vendorCost().add(new BigDecimal("0.5")));
        assertThat(Rollups.create(dataSource).status().pendingQuarterHours()).isZero();
        assertThatThrownBy(() -> ledger.execute("UPDATE analytics.token_usage_ledger SET credits_deducted = 7 "
                        + "WHERE created_at < '" + BOUNDARY + "'"))
                .hasStackTraceContaining("retention boundary");
        assertThatThrownBy(() -> ledger.execute(
                        "DELETE FROM analytics.token_usage_ledger WHERE created_at < '" + BOUNDARY + "'"))
                .hasStackTraceContaining("retention boundary");

        RetentionResult second = retention.keepMonths(13);

        assertThat(second.rowsDropped()).isEqualTo(1);
        assertThat(second.dropped()).singleElement().asString().startsWith("token_usage_ledger_default_before_");
        assertThat(new Ledger(dataSource)
                        .count("SELECT count(*) FROM analytics.token_usage_ledger WHERE created_at < '" + BOUNDARY
                                + "'"))
                .isZero();
        assertThat(queries.grossMargin(DROPPED_MONTHS)).isEqualTo(after);
    }

    @Test
    void retentionNeedsBuiltRollupsAndAPartitionedLedger() {
        Rollups.create(dataSource).disable();
        assertThatThrownBy(() -> Retention.create(dataSource).withClock(NOW).keepMonths(13))
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("not built");
        try (TestDatabase legacy = TestDatabase.migratedUnpartitioned()) {
            Rollups.create(legacy.dataSource()).refresh();
            assertThatThrownBy(() -> Retention.create(legacy.dataSource()).keepMonths(13))
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageContaining("not partitioned");
        }
        assertThatThrownBy(() -> Retention.create(dataSource).keepMonths(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("months")
                .hasMessageContaining("0");
    }
}
