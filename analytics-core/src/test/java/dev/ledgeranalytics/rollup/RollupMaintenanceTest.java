package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.MarginTrend;
import dev.ledgeranalytics.query.RequestStatus;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.LedgerWriter;
import dev.ledgeranalytics.testing.Oracle;
import dev.ledgeranalytics.testing.RandomLedger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The maintenance contract of the rollups, one promise at a time: queries read the ledger until
 * the first refresh builds the rollups; refreshes are idempotent; late rows, updates and deletes
 * show in every answer before any refresh; trigger mode applies READ COMMITTED inserts at once and
 * records the rest; TRUNCATE and {@link Rollups#disable()} leave right answers; and writers and
 * refreshes running together leave rollups that answer like the ledger.
 */
@AnalyticsDatabase
class RollupMaintenanceTest {

    /** Inside the base ledger (September 1 to November 15, 2026), in the quarter hour from 10:00. */
    private static final Instant LATE = Instant.parse("2026-09-10T10:07:00Z");
    /** The end of the base ledger: where current rows go. */
    private static final Instant NOW = RandomLedger.START.plus(RandomLedger.SPAN);

    private static final LedgerFilter EVERYTHING = LedgerFilter.between(
                    Instant.parse("2026-08-25T00:00:00Z"), Instant.parse("2026-11-20T00:00:00Z"))
            .anyStatus();
    private static final LedgerFilter SEPTEMBER_AND_OCTOBER =
            LedgerFilter.between(Instant.parse("2026-09-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));
    private static final LedgerFilter LATE_DAY = LedgerFilter.between(
                    Instant.parse("2026-09-10T00:00:00Z"), Instant.parse("2026-09-11T00:00:00Z"))
            .anyStatus();

    private final DataSource dataSource;
    private final Rollups rollups;
    private final RollupAnswers answers;
    private final RollupTables tables;
    private final Ledger ledger;
    private final LedgerWriter writer;

    RollupMaintenanceTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.rollups = Rollups.create(dataSource);
        this.answers = new RollupAnswers(dataSource);
        this.tables = new RollupTables(dataSource);
        this.ledger = new Ledger(dataSource);
        this.writer = new LedgerWriter(new Random(31), List.of(Row.ALICE, Row.BOB));
    }

    @BeforeAll
    static void registerProviders(DataSource dataSource) {
        new Ledger(dataSource).withProviders();
    }

    /** Every test starts from the same ledger, with rollups never built and the refresh mode. */
    @BeforeEach
    void ledgerWithoutRollups() {
        rollups.disable();
        ledger.clear();
        rollups.mode(RollupMode.REFRESH);
        ledger.insert(RandomLedger.rows(17L, 1000, 20));
        ledger.insert(
                Row.at("2026-09-10T10:02:00Z", "0.00420000", "0.00210000"),
                Row.at("2026-09-10T10:31:00Z", "0.00120000", "0.00060000")
                        .provider("anthropic")
                        .model("claude-sonnet-4"));
    }

    @AfterEach
    void noLockedOrWaitingSessionsLeft() {
        assertThat(tables.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock'"))
                .as("sessions still waiting for a lock")
                .isZero();
    }

    @Test
    void queriesReadTheLedgerUntilTheFirstRefresh() {
        RollupStatus status = rollups.status();
        assertThat(status.built()).isFalse();
        assertThat(status.builtAt()).isNull();
        assertThat(status.refreshedAt()).isNull();
        assertThat(status.mode()).isEqualTo(RollupMode.REFRESH);
        assertThat(status.pendingQuarterHours()).isZero();
        assertThat(tables.rows()).isZero();
        assertThat(enabledTriggers()).isZero();

        // Nothing records writes yet.
        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000"));
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(tables.rows()).isZero();
        assertAnswersRight("before the first refresh");
    }

    @Test
    void theFirstRefreshBuildsTheRollups() {
        RefreshResult result = rollups.refresh();

        assertThat(result.rebuilt()).isTrue();
        assertThat(result.quarterHours())
                .isEqualTo(tables.scalar("SELECT count(DISTINCT date_bin('15 minutes', created_at, "
                        + "timestamptz '2000-01-01 00:00:00+00')) FROM analytics.token_usage_ledger"));
        RollupStatus status = rollups.status();
        assertThat(status.built()).isTrue();
        assertThat(status.builtAt()).isNotNull();
        assertThat(status.refreshedAt()).isNotNull();
        assertThat(status.pendingQuarterHours()).isZero();
        assertThat(enabledTriggers()).isEqualTo(4);
        assertThat(tables.scalar("SELECT sum(requests) FROM analytics.rollup_status WHERE grain = 3"))
                .isEqualTo(tables.scalar("SELECT count(*) FROM analytics.token_usage_ledger"));
        assertAnswersRight("after the first refresh");
        assertAnswersReadTheRollups();
    }

    @Test
    void aSecondRefreshRecomputesNothingAndChangesNoAnswer() {
        rollups.refresh();
        RollupStatus first = rollups.status();
        String contents = tables.contents();
        GrossMargin margin = answers.viaRollups().grossMargin(EVERYTHING);
        MarginTrend trend =
                answers.viaRollups().marginTrend(SEPTEMBER_AND_OCTOBER, Granularity.DAY, ZoneId.of("Asia/Kolkata"));
        UserPage users = answers.viaRollups().userBreakdown(EVERYTHING, UserSort.GROSS_MARGIN_DESC, 5, null);

        RefreshResult second = rollups.refresh();

        assertThat(second.rebuilt()).isFalse();
        assertThat(second.quarterHours()).isZero();
        RollupStatus status = rollups.status();
        assertThat(status.builtAt()).isEqualTo(first.builtAt());
        assertThat(status.refreshedAt()).isAfterOrEqualTo(first.refreshedAt());
        assertThat(status.pendingQuarterHours()).isZero();
        assertThat(tables.contents()).isEqualTo(contents);
        assertThat(answers.viaRollups().grossMargin(EVERYTHING)).isEqualTo(margin);
        assertThat(answers.viaRollups().marginTrend(SEPTEMBER_AND_OCTOBER, Granularity.DAY, ZoneId.of("Asia/Kolkata")))
                .isEqualTo(trend);
        assertThat(answers.viaRollups().userBreakdown(EVERYTHING, UserSort.GROSS_MARGIN_DESC, 5, null))
                .isEqualTo(users);
        assertAnswersRight("after a second refresh");
    }

    @Test
    void aLateRowShowsInTheAnswersBeforeTheRefresh() {
        rollups.refresh();
        GrossMargin before = answers.viaRollups().grossMargin(LATE_DAY);
        long dayInRollups = dayRequestsInRollups();

        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000").user(Row.BOB));

        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(1);
        // The rollups do not hold it yet: the answers add the copy the writer made of it.
        assertThat(dayRequestsInRollups()).isEqualTo(dayInRollups);
        GrossMargin after = answers.viaRollups().grossMargin(LATE_DAY);
        assertThat(after.current().requests()).isEqualTo(before.current().requests() + 1);
        assertThat(after.current().vendorCost())
                .isEqualTo(before.current().vendorCost().add(new BigDecimal("0.50000000")));
        assertAnswersRight("a late row before the refresh");

        RefreshResult refresh = rollups.refresh();

        assertThat(refresh.quarterHours()).isEqualTo(1);
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(dayRequestsInRollups()).isEqualTo(dayInRollups + 1);
        assertThat(answers.viaRollups().grossMargin(LATE_DAY)).isEqualTo(after);
        assertAnswersRight("a late row after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void aQuarterHourOfInsertsAloneIsReadAsItsRollupsAndTheCopiesOfItsNewRows() {
        rollups.refresh();
        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000").user(Row.BOB));
        GrossMargin exact = answers.raw().grossMargin(LATE_DAY);
        assertThat(answers.viaRollups().grossMargin(LATE_DAY)).isEqualTo(exact);

        // What the answer adds to the rollups is the copy, not the ledger's row: the copy shows.
        ledger.execute("UPDATE analytics.rollup_new_rows SET vendor_cost = vendor_cost + 1");
        assertThat(answers.viaRollups().grossMargin(LATE_DAY).current().vendorCost())
                .isEqualTo(exact.current().vendorCost().add(BigDecimal.ONE));

        // Once an update touches the quarter hour, the ledger alone answers it.
        ledger.execute("UPDATE analytics.token_usage_ledger SET credits_deducted = credits_deducted + 1 "
                + "WHERE created_at = '2026-09-10T10:02:00Z'");
        assertThat(answers.viaRollups().grossMargin(LATE_DAY))
                .isEqualTo(answers.raw().grossMargin(LATE_DAY));
        assertAnswersRight("an insert and an update in one quarter hour before the refresh");

        rollups.refresh();
        assertAnswersRight("an insert and an update in one quarter hour after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void aRangeEndingNowIsReadFromWholeRollupBucketsWhileNoRowLiesBeyondItInThem() throws SQLException {
        ledger.insert(
                Row.at("2026-11-15T08:05:00Z", "0.00300000", "0.00100000").user(Row.ALICE),
                Row.at("2026-11-15T09:20:00Z", "0.00200000", "0.00100000").user(Row.BOB));
        rollups.refresh();
        // Pending: read from its copy.
        ledger.insert(Row.at("2026-11-15T09:35:00Z", "0.00500000", "0.00200000").user(Row.ALICE));
        LedgerFilter untilNow =
                LedgerFilter.between(Instant.parse("2026-10-16T00:00:00Z"), Instant.parse("2026-11-15T09:40:00.5Z"));
        answers.assertSame("a range ending now", untilNow, Granularity.DAY, ZoneId.of("UTC"), UserSort.REVENUE_DESC, 3);
        long aliceRequests = aliceRequests(answers.raw(), untilNow);

        // The user rollups answer for today, which only a whole day of theirs (or week, or month)
        // can: their finest grain is a day. Alice's rows are all today's.
        String today = "analytics.rollup_users WHERE status = 'success' AND user_id = '" + Row.ALICE + "'";
        ledger.execute("UPDATE " + today.replace(" WHERE ", " SET requests = requests + 1000 WHERE "));
        try {
            assertThat(aliceRequests(answers.viaRollups(), untilNow)).isEqualTo(aliceRequests + 1000);
            // In the host's transactions: at REPEATABLE READ all its statements share the snapshot in
            // which the ledger was found empty past the range; at READ COMMITTED they do not, and the
            // ledger answers for the rest of the day.
            for (int isolation :
                    List.of(Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_READ_COMMITTED)) {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    connection.setTransactionIsolation(isolation);
                    AnalyticsQueries inHostTransaction =
                            AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES));
                    assertThat(aliceRequests(inHostTransaction, untilNow))
                            .as("isolation %d", isolation)
                            .isEqualTo(
                                    isolation == Connection.TRANSACTION_READ_COMMITTED
                                            ? aliceRequests
                                            : aliceRequests + 1000);
                    connection.rollback();
                }
            }

            // A row later the same day: the day is no longer the range's, and the ledger answers the rest.
            ledger.insert(
                    Row.at("2026-11-15T11:00:00Z", "0.00700000", "0.00300000").user(Row.ALICE));
            assertThat(aliceRequests(answers.viaRollups(), untilNow)).isEqualTo(aliceRequests);
        } finally {
            ledger.execute("UPDATE " + today.replace(" WHERE ", " SET requests = requests - 1000 WHERE "));
        }
        answers.assertSame(
                "a range ending before a row of its last day",
                untilNow,
                Granularity.HOUR,
                ZoneId.of("Asia/Kolkata"),
                UserSort.REQUESTS_DESC,
                2);
        rollups.refresh();
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void theRowsAfterARangesEndAreTakenAwayFromItsLastBucketReadWhole() throws SQLException {
        ledger.insert(
                Row.at("2026-11-15T09:31:00Z", "0.00300000", "0.00100000").user(Row.ALICE),
                Row.at("2026-11-15T09:42:00Z", "0.00200000", "0.00100000").user(Row.BOB),
                Row.at("2026-11-15T09:44:00Z", "0.00400000", "0.00200000").model("later-model"));
        rollups.refresh();
        // Pending: in the quarter hour through its copy, taken away from the ledger.
        ledger.insert(Row.at("2026-11-15T09:43:00Z", "0.00500000", "0.00200000").user(Row.ALICE));
        LedgerFilter untilNow =
                LedgerFilter.between(Instant.parse("2026-10-16T00:00:00Z"), Instant.parse("2026-11-15T09:40:00Z"));
        answers.assertSame(
                "rows after the end", untilNow, Granularity.HOUR, ZoneId.of("UTC"), UserSort.REVENUE_DESC, 3);
        // Keys whose rows all lie after the end are not listed, as the ledger would not list them.
        LedgerFilter laterModel = untilNow.models("later-model");
        assertThat(answers.viaRollups().providerCosts(laterModel)).isEmpty();
        answers.assertSame(
                "a model with rows only after the end",
                laterModel,
                Granularity.DAY,
                ZoneId.of("UTC"),
                UserSort.REQUESTS_DESC,
                2);

        // The last quarter hour is read whole from the rollups: tampering with it shows.
        long requests = answers.raw().grossMargin(untilNow).current().requests();
        String lastQuarterHour = "analytics.rollup_status SET requests = requests + %d WHERE grain = 1 "
                + "AND bucket_start = '2026-11-15T09:30:00Z' AND status = 'success'";
        ledger.execute("UPDATE " + lastQuarterHour.formatted(1000));
        try {
            assertThat(answers.viaRollups().grossMargin(untilNow).current().requests())
                    .isEqualTo(requests + 1000);
            // Not inside a host's READ COMMITTED transaction, whose statements do not share a snapshot.
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                assertThat(AnalyticsQueries.create(DSL.using(connection, SQLDialect.POSTGRES))
                                .grossMargin(untilNow)
                                .current()
                                .requests())
                        .isEqualTo(requests);
                connection.rollback();
            }
        } finally {
            ledger.execute("UPDATE " + lastQuarterHour.formatted(-1000));
        }
        rollups.refresh();
        answers.assertSame(
                "rows after the end, refreshed",
                untilNow,
                Granularity.DAY,
                ZoneId.of("Asia/Kolkata"),
                UserSort.GROSS_MARGIN_DESC,
                2);
        assertRefreshedEqualsRebuilt();
    }

    private static long aliceRequests(AnalyticsQueries queries, LedgerFilter filter) {
        return queries.userBreakdown(filter.users(Row.ALICE), UserSort.REQUESTS_DESC, 10, null).users().stream()
                .filter(user -> user.userId().equals(Row.ALICE))
                .findFirst()
                .orElseThrow()
                .requests();
    }

    @Test
    void aCostDistributionFromAnHourInsideADayReadsTheHourlyCostRollups() {
        rollups.refresh();
        LedgerFilter hours = LedgerFilter.between(
                        Instant.parse("2026-09-10T10:00:00Z"), Instant.parse("2026-09-12T14:00:00Z"))
                .anyStatus();
        answers.assertSame(
                "whole hours inside days", hours, Granularity.HOUR, ZoneId.of("UTC"), UserSort.REQUESTS_DESC, 3);
        long count = answers.raw().costDistribution(hours).count();

        // The first hour is its rollup row, not the ledger's rows: tampering with it shows.
        String firstHour = "analytics.rollup_costs SET requests = requests + %d WHERE grain = 2 "
                + "AND bucket_start = '2026-09-10T10:00:00Z' AND cost_bucket = (SELECT min(cost_bucket) "
                + "FROM analytics.rollup_costs WHERE grain = 2 AND bucket_start = '2026-09-10T10:00:00Z')";
        ledger.execute("UPDATE " + firstHour.formatted(1000));
        try {
            assertThat(answers.viaRollups().costDistribution(hours).count()).isEqualTo(count + 1000);
        } finally {
            ledger.execute("UPDATE " + firstHour.formatted(-1000));
        }
        // A late row in that hour is read from its copy until the refresh adds it.
        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000").user(Row.BOB));
        answers.assertSame(
                "a late row in the first hour", hours, Granularity.DAY, ZoneId.of("UTC"), UserSort.REQUESTS_DESC, 3);
        rollups.refresh();
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void rollupsBuiltToAnotherLayoutCountAsNotBuiltUntilARefreshBuildsThemAgain() {
        rollups.refresh();
        // As the rollups of a version whose tables kept other grains, which recorded no layout.
        ledger.execute("UPDATE analytics.rollup_state SET layout = NULL");
        ledger.execute("DELETE FROM analytics.rollup_costs WHERE grain = 2");

        assertThat(rollups.status().built()).isFalse();
        assertThat(rollups.status().builtAt()).isNull();
        // The queries read the ledger: tampering with the rollups does not show.
        ledger.execute("UPDATE analytics.rollup_status SET requests = requests + 1000 WHERE grain = 3 "
                + "AND bucket_start = '2026-09-20T00:00:00Z' AND status = 'success'");
        assertAnswersRight("rollups of another layout");

        RefreshResult refresh = rollups.refresh();

        assertThat(refresh.rebuilt()).isTrue();
        assertThat(rollups.status().built()).isTrue();
        assertThat(tables.scalar("SELECT count(*) FROM analytics.rollup_costs WHERE grain = 2"))
                .isPositive();
        assertAnswersRight("after the refresh that built them to this layout");
        assertAnswersReadTheRollups();
    }

    @Test
    void anUpdateShowsInTheAnswersBeforeTheRefresh() {
        rollups.refresh();
        GrossMargin before = answers.viaRollups().grossMargin(LATE_DAY);

        // Out of the late day into another month, failed, and ten times as expensive.
        ledger.execute("UPDATE analytics.token_usage_ledger SET created_at = '2026-10-20T23:59:59.999999Z', "
                + "status = 'failed', vendor_cost = 0.04200000, gross_margin_usd = -0.04200000 "
                + "WHERE created_at = '2026-09-10T10:02:00Z'");

        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(2);
        GrossMargin after = answers.viaRollups().grossMargin(LATE_DAY);
        assertThat(after.current().requests()).isEqualTo(before.current().requests() - 1);
        assertAnswersRight("an update before the refresh");

        assertThat(rollups.refresh().quarterHours()).isEqualTo(2);
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(answers.viaRollups().grossMargin(LATE_DAY)).isEqualTo(after);
        assertAnswersRight("an update after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void aDeleteShowsInTheAnswersBeforeTheRefresh() {
        rollups.refresh();
        long quarterHours = tables.scalar(
                "SELECT count(DISTINCT date_bin('15 minutes', created_at, timestamptz '2000-01-01 00:00:00+00')) "
                        + "FROM analytics.token_usage_ledger WHERE created_at >= '2026-09-10T06:00:00Z' AND created_at < '2026-09-10T12:00:00Z'");
        assertThat(quarterHours).isGreaterThan(1);

        ledger.execute("DELETE FROM analytics.token_usage_ledger "
                + "WHERE created_at >= '2026-09-10T06:00:00Z' AND created_at < '2026-09-10T12:00:00Z'");

        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(quarterHours);
        assertAnswersRight("a delete before the refresh");

        assertThat(rollups.refresh().quarterHours()).isEqualTo(quarterHours);
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertAnswersRight("a delete after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void triggerModeAppliesReadCommittedInsertsAtOnce() throws SQLException {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        assertThat(rollups.status().mode()).isEqualTo(RollupMode.TRIGGER);
        UUID newUser = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
        long dayInRollups = dayRequestsInRollups();
        String quarterHour = "SELECT coalesce(sum(requests), 0) FROM analytics.rollup_status WHERE grain = 1 "
                + "AND bucket_start = '2026-11-03T17:30:00Z'";
        long quarterHourInRollups = tables.scalar(quarterHour);

        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(false);
            writer.insert(
                    connection,
                    List.of(
                            Row.at(LATE.toString(), "0.50000000", "0.25000000").user(newUser),
                            Row.at("2026-11-03T17:44:00Z", "0.00000001", "0.00000001")
                                    .user(newUser)));
            connection.commit();
        }

        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(dayRequestsInRollups()).isEqualTo(dayInRollups + 1);
        assertThat(tables.scalar("SELECT sum(requests) FROM analytics.rollup_users WHERE user_id = '" + newUser
                        + "' AND grain = 3"))
                .isEqualTo(2);
        assertThat(tables.scalar("SELECT sum(requests) FROM analytics.rollup_users WHERE user_id = '" + newUser
                        + "' AND grain = 4"))
                .isEqualTo(2);
        assertThat(tables.scalar(quarterHour)).isEqualTo(quarterHourInRollups + 1);
        assertThat(answers.viaRollups()
                        .userBreakdown(EVERYTHING.users(newUser), UserSort.REQUESTS_DESC, 5, null)
                        .users())
                .singleElement()
                .satisfies(usage -> {
                    assertThat(usage.requests()).isEqualTo(2);
                    assertThat(usage.firstRequest()).isEqualTo(LATE);
                });
        assertAnswersRight("after trigger-mode inserts");
        assertThat(rollups.refresh().quarterHours()).isZero();
        // Added to the rollups as exactly what a build from the ledger makes.
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void triggerModeRecordsInsertsUnderRepeatableReadInstead() throws SQLException {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        String contents = tables.contents();

        try (Connection connection = dataSource.getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setAutoCommit(false);
            writer.insert(
                    connection,
                    List.of(
                            Row.at(LATE.toString(), "0.50000000", "0.25000000"),
                            Row.at(LATE.plusSeconds(60).toString(), "0.70000000", "0.25000000")
                                    .status(RequestStatus.CANCELLED)));
            connection.commit();
        }

        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(1);
        assertThat(tables.scalar(
                        "SELECT count(*) FROM analytics.rollup_changes WHERE quarter_hour = '2026-09-10T10:00:00Z'"))
                .isPositive();
        assertThat(tables.contents()).isEqualTo(contents);
        assertAnswersRight("after a trigger-mode insert under REPEATABLE READ");

        assertThat(rollups.refresh().quarterHours()).isEqualTo(1);
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(tables.contents()).isNotEqualTo(contents);
        assertAnswersRight("after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void triggerModeRecordsUpdatesAndDeletes() {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        String contents = tables.contents();

        ledger.execute(
                "UPDATE analytics.token_usage_ledger SET vendor_cost = vendor_cost + 1 WHERE created_at = '2026-09-10T10:02:00Z'");
        ledger.execute("DELETE FROM analytics.token_usage_ledger WHERE created_at = '2026-09-10T10:31:00Z'");

        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(2);
        assertThat(tables.contents()).isEqualTo(contents);
        assertAnswersRight("after trigger-mode updates and deletes");
        assertThat(rollups.refresh().quarterHours()).isEqualTo(2);
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertAnswersRight("after the refresh");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void truncateEmptiesTheRollupsAndTheChangeLog() {
        rollups.refresh();
        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000"));
        assertThat(rollups.status().pendingQuarterHours()).isEqualTo(1);

        ledger.clear();

        assertThat(tables.rows()).isZero();
        RollupStatus status = rollups.status();
        assertThat(status.built()).isTrue();
        assertThat(status.pendingQuarterHours()).isZero();
        assertThat(answers.viaRollups().grossMargin(EVERYTHING).current().requests())
                .isZero();
        assertAnswersRight("after TRUNCATE");

        ledger.insert(RandomLedger.rows(18L, 300, 10));
        assertThat(rollups.status().pendingQuarterHours()).isPositive();
        assertAnswersRight("after inserts into the truncated ledger");
        assertThat(rollups.refresh().rebuilt()).isFalse();
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertAnswersRight("after refreshing the truncated ledger");
        assertRefreshedEqualsRebuilt();
    }

    @Test
    void disableStopsMaintainingTheRollupsAndTheNextRefreshBuildsThem() {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);

        rollups.disable();

        RollupStatus status = rollups.status();
        assertThat(status.built()).isFalse();
        assertThat(status.builtAt()).isNull();
        assertThat(status.refreshedAt()).isNull();
        assertThat(tables.rows()).isZero();
        assertThat(enabledTriggers()).isZero();
        ledger.insert(Row.at(LATE.toString(), "0.50000000", "0.25000000"));
        ledger.execute("DELETE FROM analytics.token_usage_ledger WHERE created_at = '2026-09-10T10:31:00Z'");
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(tables.rows()).isZero();
        assertAnswersRight("after disable");

        assertThat(rollups.refresh().rebuilt()).isTrue();
        assertThat(rollups.status().built()).isTrue();
        assertAnswersRight("after the refresh that built them again");
        assertAnswersReadTheRollups();
    }

    @Test
    void rebuildRepairsRollupsThatNoLongerMatchTheLedger() {
        rollups.refresh();
        // As after restoring a backup of the ledger alone.
        ledger.execute("UPDATE analytics.rollup_users SET requests = requests + 7 WHERE grain = 5"); // months
        ledger.execute("DELETE FROM analytics.rollup_dims WHERE grain = 3 AND bucket_start = '2026-09-10T00:00:00Z'");
        assertThat(answers.viaRollups().userBreakdown(SEPTEMBER_AND_OCTOBER, UserSort.REQUESTS_DESC, 3, null))
                .isNotEqualTo(answers.raw().userBreakdown(SEPTEMBER_AND_OCTOBER, UserSort.REQUESTS_DESC, 3, null));

        RefreshResult rebuild = rollups.rebuild();

        assertThat(rebuild.rebuilt()).isTrue();
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertAnswersRight("after the rebuild");
    }

    /**
     * Three writers insert current and late rows, each transaction one multi-row INSERT (every
     * fourth one under REPEATABLE READ, which trigger mode records for the refresh), while
     * another thread refreshes in a loop. After a last refresh the rollups answer like the
     * ledger, nothing is pending, and no refresh or write failed on the way.
     */
    @ParameterizedTest
    @EnumSource(RollupMode.class)
    void writersAndARefreshLoopLeaveRollupsThatAnswerLikeTheLedger(RollupMode mode) throws Exception {
        rollups.refresh();
        rollups.mode(mode);
        long rowsBefore = tables.scalar("SELECT count(*) FROM analytics.token_usage_ledger");
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        int inserted = 0;
        int refreshes;
        try {
            Future<Integer> refresher = threads.submit(() -> {
                int calls = 0;
                do {
                    try {
                        rollups.refresh();
                    } catch (AnalyticsException e) {
                        failures.add("refresh: " + e.getMessage() + ": " + firstLine(e.getCause()));
                    }
                    calls++;
                } while (writing.get());
                return calls;
            });
            List<Future<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long seed = 100 + i;
                writers.add(threads.submit(() -> insertConcurrently(seed, failures)));
            }
            try {
                for (Future<Integer> rows : writers) {
                    inserted += rows.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writing.set(false);
            }
            refreshes = refresher.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(rollups.refresh().rebuilt()).isFalse();
        assertThat(rollups.status().pendingQuarterHours()).isZero();
        assertThat(tables.scalar("SELECT count(*) FROM analytics.token_usage_ledger"))
                .isEqualTo(rowsBefore + inserted);
        assertAnswersRight("after concurrent writers and refreshes in " + mode + " mode");
        assertRefreshedEqualsRebuilt();
        assertThat(failures)
                .as(
                        "refreshes and writes that failed while %d rows were inserted and %d refreshes ran, in %s mode",
                        inserted, refreshes, mode)
                .isEmpty();
    }

    /**
     * Two trigger-mode writers in READ COMMITTED, each inserting twice in its transaction, as a
     * host inserting rows one statement at a time (a JDBC batch, say) does. Without the rollups
     * both commit; the second waits for nothing. With them, the first writer's rows lock the
     * day's totals, the second writer locks the rollup rows of its own keys and waits for those
     * totals, and the first writer's second row needs one of the second writer's rollup rows:
     * PostgreSQL detects the deadlock and aborts one writer's INSERT.
     */
    @Test
    void triggerModeWritersInsertingTwiceInATransactionBothCommit() throws Exception {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        Row first = Row.at("2026-11-20T10:05:00Z", "0.00100000", "0.00050000");
        Row second = Row.at("2026-11-20T10:20:00Z", "0.00200000", "0.00100000")
                .provider("anthropic")
                .model("claude-sonnet-4")
                .user(Row.BOB);
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (Connection one = dataSource.getConnection();
                Connection two = dataSource.getConnection()) {
            one.setAutoCommit(false);
            two.setAutoCommit(false);
            writer.insert(one, List.of(first));
            Future<?> twoFirstInsert = threads.submit(() -> insertAndCommit(two, second, second.tokens(1, 1, 1)));
            awaitWaitingForALockOrDone(1, twoFirstInsert);

            Throwable oneFailure = null;
            try {
                writer.insert(one, List.of(second.tokens(7, 7, 0)));
                one.commit();
            } catch (SQLException e) {
                oneFailure = e;
                one.rollback();
            }
            Throwable twoFailure = outcome(twoFirstInsert);

            assertThat(oneFailure).as("the first writer's transaction").isNull();
            assertThat(twoFailure).as("the second writer's transaction").isNull();
        } finally {
            threads.shutdownNow();
        }
        assertThat(rollups.refresh().quarterHours()).isZero();
        assertAnswersRight("after two trigger-mode writers");
    }

    /**
     * A trigger-mode insert while a rebuild runs. The rebuild deletes the rollup tables in the
     * order status, provider, dims, and the insert's trigger updates them in the order dims,
     * provider, status: an insert that updated its dims row and then waits for a provider or
     * status row the rebuild deleted closes a cycle as soon as the rebuild reaches that dims row. A session
     * holding one provider row keeps the rebuild between the two tables until the insert waits,
     * so that the interleaving, which concurrent writers and rebuilds also reach on their own
     * (see RollupPropertyTest), happens every time.
     */
    @Test
    void aTriggerModeInsertCommitsWhileARebuildRuns() throws Exception {
        rollups.refresh();
        rollups.mode(RollupMode.TRIGGER);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Connection holder = dataSource.getConnection();
                Connection insert = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            insert.setAutoCommit(false);
            ledgerSql(
                    holder,
                    "SELECT 1 FROM analytics.rollup_provider WHERE grain = 3 AND bucket_start = '2026-10-20T00:00:00Z' "
                            + "LIMIT 1 FOR UPDATE");
            Future<RefreshResult> rebuild = threads.submit(rollups::rebuild);
            awaitWaitingForALockOrDone(1, rebuild);

            // The same dimensions as the row at 10:02, so that its dims rows exist and the insert updates them.
            Future<?> inserting = threads.submit(
                    () -> insertAndCommit(insert, Row.at("2026-09-10T10:12:00Z", "0.00420000", "0.00210000")));
            awaitWaitingForALockOrDone(2, inserting);
            holder.rollback();

            Throwable insertFailure = outcome(inserting);
            assertThat(rebuild.get(60, TimeUnit.SECONDS).rebuilt()).isTrue();
            assertThat(insertFailure)
                    .as("the insert that ran while the rollups were rebuilt")
                    .isNull();
        } finally {
            threads.shutdownNow();
        }
        assertThat(rollups.refresh().rebuilt()).isFalse();
        assertAnswersRight("after an insert during a rebuild");
    }

    /** One writer of the concurrent test; returns how many rows it inserted. */
    private int insertConcurrently(long seed, List<String> failures) throws SQLException {
        Random random = new Random(seed);
        LedgerWriter rows = new LedgerWriter(random, LedgerWriter.users(random, 8));
        int inserted = 0;
        try (Connection connection = dataSource.getConnection()) {
            for (int transaction = 0; transaction < 25; transaction++) {
                boolean repeatableRead = transaction % 4 == 3;
                connection.setTransactionIsolation(
                        repeatableRead
                                ? Connection.TRANSACTION_REPEATABLE_READ
                                : Connection.TRANSACTION_READ_COMMITTED);
                connection.setAutoCommit(false);
                int count = 1 + random.nextInt(8);
                try {
                    rows.insert(
                            connection,
                            random.nextInt(5) == 0
                                    ? rows.rows(count, RandomLedger.START, NOW.minus(Duration.ofDays(1)))
                                    : rows.rows(count, NOW, NOW.plus(Duration.ofHours(3))));
                    connection.commit();
                    inserted += count;
                } catch (SQLException e) {
                    connection.rollback();
                    failures.add("insert (" + (repeatableRead ? "REPEATABLE READ" : "READ COMMITTED") + "): "
                            + firstLine(e));
                } finally {
                    connection.setAutoCommit(true);
                }
            }
        }
        return inserted;
    }

    private Void insertAndCommit(Connection connection, Row... rows) throws SQLException {
        try {
            for (Row row : rows) {
                writer.insert(connection, List.of(row));
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
        return null;
    }

    /** The failure of a task, or {@code null} if it succeeded. */
    private static Throwable outcome(Future<?> task) throws InterruptedException {
        try {
            task.get(60, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            task.cancel(true);
            return e;
        }
    }

    /** Waits until {@code sessions} sessions of this database wait for a lock, or {@code task} is done. */
    private void awaitWaitingForALockOrDone(int sessions, Future<?> task) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!task.isDone()
                && tables.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                + "AND wait_event_type = 'Lock'")
                        < sessions) {
            assertThat(System.nanoTime())
                    .as("waiting for %d sessions to wait for a lock", sessions)
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void ledgerSql(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String firstLine(Throwable e) {
        return e == null
                ? ""
                : e.getClass().getSimpleName() + ": "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                        + (e instanceof SQLException sql ? " (SQL state " + sql.getSQLState() + ")" : "");
    }

    private long enabledTriggers() {
        return tables.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'analytics.token_usage_ledger'::regclass "
                + "AND tgname LIKE 'rollup_after_%' AND tgenabled <> 'D'");
    }

    private long dayRequestsInRollups() {
        return tables.scalar(
                "SELECT sum(requests) FROM analytics.rollup_status WHERE grain = 3 AND bucket_start = '2026-09-10T00:00:00Z'");
    }

    /** What refreshes and trigger-mode inserts maintained is exactly what a build from the ledger makes. */
    private void assertRefreshedEqualsRebuilt() {
        String maintained = tables.contents();
        assertThat(rollups.rebuild().rebuilt()).isTrue();
        assertThat(maintained).as("the rollup tables against a rebuild").isEqualTo(tables.contents());
    }

    /** Tampering with one day of the rollups shows in an answer over whole days: the queries read them. */
    private void assertAnswersReadTheRollups() {
        GrossMargin exact = answers.raw().grossMargin(SEPTEMBER_AND_OCTOBER);
        ledger.execute("UPDATE analytics.rollup_status SET requests = requests + 1000 WHERE grain = 3 "
                + "AND bucket_start = '2026-09-20T00:00:00Z' AND status = 'success'");
        try {
            assertThat(answers.viaRollups()
                            .grossMargin(SEPTEMBER_AND_OCTOBER)
                            .current()
                            .requests())
                    .isEqualTo(exact.current().requests() + 1000);
        } finally {
            ledger.execute("UPDATE analytics.rollup_status SET requests = requests - 1000 WHERE grain = 3 "
                    + "AND bucket_start = '2026-09-20T00:00:00Z' AND status = 'success'");
        }
    }

    /**
     * Every query through the rollups against the ledger alone, over ranges on and off bucket
     * boundaries, with filters each rollup table can and cannot apply, in zones offset by whole,
     * half and quarter hours; and the KPIs against totals computed here from the rows.
     */
    private void assertAnswersRight(String context) {
        List<Row> rows = ledger.readBack();
        for (LedgerFilter filter : List.of(EVERYTHING, LATE_DAY)) {
            assertThat(answers.viaRollups().grossMargin(filter))
                    .as("%s: %s", context, filter)
                    .isEqualTo(Oracle.grossMargin(rows, filter));
        }
        answers.assertSame(
                context, EVERYTHING, Granularity.MONTH, ZoneId.of("Pacific/Chatham"), UserSort.LAST_REQUEST_DESC, 4);
        answers.assertSame(
                context,
                SEPTEMBER_AND_OCTOBER,
                Granularity.WEEK,
                ZoneId.of("America/New_York"),
                UserSort.REVENUE_ASC,
                3);
        answers.assertSame(
                context, LATE_DAY, Granularity.HOUR, ZoneId.of("Asia/Kathmandu"), UserSort.MARGIN_RATIO_DESC, 2);
        answers.assertSame(
                context,
                LedgerFilter.between(Instant.parse("2026-09-10T10:00:00Z"), Instant.parse("2026-09-10T10:45:00Z"))
                        .anyStatus(),
                Granularity.HOUR,
                ZoneId.of("Asia/Kolkata"),
                UserSort.FIRST_REQUEST_ASC,
                1);
        answers.assertSame(
                context,
                LedgerFilter.between(Instant.parse("2026-09-03T05:17:12.5Z"), Instant.parse("2026-10-28T19:44:03Z"))
                        .providers("openai", "anthropic"),
                Granularity.DAY,
                ZoneId.of("Australia/Lord_Howe"),
                UserSort.TOKENS_DESC,
                5);
        answers.assertSame(
                context,
                EVERYTHING.users(Row.ALICE, Row.BOB),
                Granularity.DAY,
                ZoneId.of("Asia/Kolkata"),
                UserSort.REQUESTS_ASC,
                1);
        answers.assertSame(
                context,
                SEPTEMBER_AND_OCTOBER
                        .statuses(RequestStatus.FAILED, RequestStatus.CANCELLED)
                        .tiers("pro"),
                Granularity.MONTH,
                ZoneId.of("UTC"),
                UserSort.VENDOR_COST_DESC,
                2);
    }
}
