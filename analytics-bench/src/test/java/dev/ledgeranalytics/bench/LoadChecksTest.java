package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load run's checks find a row counted twice, a row not written, and an answer the rollups got wrong. */
class LoadChecksTest {

    private static final int SEEDED = 3_000;
    private static final UUID WRITER = new UUID(0x10adL, 7);
    private static final List<QueryRange> RANGES = List.of(new QueryRange(30));

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private TestDatabase database;
    private LoadChecks checks;

    @BeforeEach
    void seedsWritesThreeRowsAndBuildsTheRollups() throws SQLException {
        database = TestDatabase.migrated(BenchLedger.INDEXED);
        LedgerSeeder.into(database.dataSource())
                .rows(SEEDED)
                .between(now.minus(Duration.ofDays(60)), now.minus(Duration.ofHours(2)))
                .load();
        insertThreeRows();
        Rollups.create(database.dataSource()).refresh();
        checks = new LoadChecks(database.dataSource());
    }

    @AfterEach
    void dropsTheDatabase() {
        database.close();
    }

    @Test
    void findsEveryRowOnceAndTheRollupsAgreeingWhenAllIsWell() {
        assertThat(checks.rows(SEEDED, Map.of(WRITER, 3L))).isEqualTo(new LoadChecks.Rows(SEEDED + 3, SEEDED + 3, 0));
        LoadChecks.Counts counts = checks.counts();
        assertThat(counts.tableGrains()).isEqualTo(13);
        assertThat(counts.buckets()).isPositive();
        assertThat(counts.differing()).isEmpty();
        assertThat(checks.answers(RANGES, now).differences()).isEmpty();
        assertThat(checks.answers(RANGES, now).compared()).isEqualTo(DashboardQuery.values().length);
    }

    @Test
    void aWriterWhoseRowsAreNotAllThereIsMiscounted() {
        assertThat(checks.rows(SEEDED, Map.of(WRITER, 4L))).isEqualTo(new LoadChecks.Rows(SEEDED + 4, SEEDED + 3, 1));
    }

    @Test
    void aRowCountedTwiceInOneRollupBucketIsFoundAndSoIsTheWrongAnswer() throws SQLException {
        execute("UPDATE analytics.rollup_status SET requests = requests + 1, vendor_cost = vendor_cost + 1 "
                + "WHERE (grain, bucket_start, status) = (SELECT grain, bucket_start, status FROM analytics.rollup_status "
                + "WHERE grain = 3 AND status = 'success' AND bucket_start < now() - interval '10 days' "
                + "ORDER BY bucket_start DESC LIMIT 1)");

        assertThat(checks.counts().differing()).isEqualTo(Map.of("rollup_status grain 3", 1L));
        assertThat(checks.answers(RANGES, now).differences())
                .anySatisfy(difference -> assertThat(difference).startsWith("grossMargin over 30 days: current."));
    }

    private void insertThreeRows() throws SQLException {
        Map<String, UUID> providers = new HashMap<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT slug, id FROM analytics.providers")) {
            while (rs.next()) {
                providers.put(rs.getString(1), rs.getObject(2, UUID.class));
            }
        }
        LoadRows rows = new LoadRows(providers, WRITER, 1, plan());
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(LoadRows.INSERT)) {
            for (int i = 0; i < 3; i++) {
                rows.bindNext(insert, now.minusSeconds(60));
                insert.executeUpdate();
            }
        }
    }

    private static LoadPlan plan() {
        Duration second = Duration.ofSeconds(1);
        return new LoadPlan(new LedgerSize(1), 1, 1, 1, 50, Duration.ofDays(1), second, second, second, second, RANGES);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
