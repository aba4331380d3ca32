package dev.ledgeranalytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.query.UserUsage;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testing.Row;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user breakdown's first page by gross margin through the rollups: the users that can be on it
 * are found from each rollup bucket's top users, and only theirs are summed, where the lists prove
 * no other user can rank before the page's last; every page equals the ledger's either way.
 */
@AnalyticsDatabase
class UserLeadersTest {

    /** Whole months: every piece of the range is a rollup bucket. */
    private static final LedgerFilter TWO_MONTHS =
            LedgerFilter.between(Instant.parse("2026-09-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));

    private final DataSource dataSource;
    private final Rollups rollups;
    private final RollupAnswers answers;
    private final Ledger ledger;
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AnalyticsQueries watched;

    UserLeadersTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.rollups = Rollups.create(dataSource);
        this.answers = new RollupAnswers(dataSource);
        this.ledger = new Ledger(dataSource);
        this.watched = AnalyticsQueries.create(new DefaultConfiguration()
                .set(dataSource)
                .set(SQLDialect.POSTGRES)
                .set(ExecuteListener.onExecuteStart(context -> {
                    if (context.sql() != null) {
                        sent.add(context.sql().toLowerCase(Locale.ROOT));
                    }
                }))
                .dsl());
    }

    @BeforeAll
    static void registerProviders(DataSource dataSource) {
        new Ledger(dataSource).withProviders();
    }

    @BeforeEach
    void emptyLedger() {
        rollups.disable();
        ledger.clear();
    }

    @Test
    void aSkewedLedgerSumsOnlyTheLeaders() {
        ledger.insert(skewed(40));
        rollups.refresh();

        UserPage first = firstPage(TWO_MONTHS, 3);

        assertThat(first).isEqualTo(answers.raw().userBreakdown(TWO_MONTHS, UserSort.GROSS_MARGIN_DESC, 3, null));
        assertThat(first.users()).extracting(u -> u.userId()).containsExactly(user(1), user(2), user(3));
        assertThat(leadersSent()).isTrue();
        assertThat(everyUserSummed())
                .as("the page read every user's sums: %s", sent)
                .isFalse();
        assertPagesAfterTheFirstAsTheLedgers(TWO_MONTHS, 3);
    }

    @Test
    void theListedUsersWithTheHighestBoundsAreSummedFirst() {
        // Other heavy users in October, users 101 to 140: 16 listed users, of whom the 8 with the
        // highest bounds (the depth of a list for a page of 3) hold the page.
        Instant october = Instant.parse("2026-10-01T00:00:00Z");
        ledger.insert(skewed(40).stream()
                .map(row -> row.createdAt().isBefore(october)
                        ? row
                        : row.user(user(
                                100 + Integer.parseInt(row.user().toString().substring(24)))))
                .toList());
        rollups.refresh();

        UserPage first = assertFirstPageAsTheLedgers(TWO_MONTHS, 3);

        // Users 1 and 101 have the same margin, in two months: the higher id first.
        assertThat(first.users()).extracting(u -> u.userId()).containsExactly(user(101), user(1), user(102));
        assertThat(usersNamedByTheLastStatement(150)).hasSize(8);
    }

    @Test
    void whenTheUsersWithTheHighestBoundsCannotProveThePageEveryListedUserIsSummed() {
        // Three users high in September's list and as low in October: their bounds lead, their sums
        // do not. Users 4 and 5 lead October's list alone.
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            rows.add(Row.at("2026-09-10T10:00:00Z", "0.01000000", "20.00000000").user(user(i)));
            rows.add(
                    Row.at("2026-10-10T10:00:00Z", "0.01000000", "-19.00000000").user(user(i)));
        }
        rows.add(Row.at("2026-09-11T10:00:00Z", "0.01000000", "1.00000000").user(user(6)));
        rows.add(Row.at("2026-10-11T10:00:00Z", "0.01000000", "5.00000000").user(user(4)));
        rows.add(Row.at("2026-10-12T10:00:00Z", "0.01000000", "4.00000000").user(user(5)));
        rows.add(Row.at("2026-10-13T10:00:00Z", "0.01000000", "0.50000000").user(user(7)));
        rows.add(Row.at("2026-10-14T10:00:00Z", "0.01000000", "0.50000000").user(user(8)));
        ledger.insert(rows);
        rollups.refresh();

        UserPage first = assertFirstPageAsTheLedgers(TWO_MONTHS, 1);

        assertThat(first.users()).extracting(u -> u.userId()).containsExactly(user(4));
        // First the four with the highest bounds (users 1 to 3 and 4), then all eight listed.
        assertThat(sent.get(sent.size() - 2))
                .contains(user(1).toString(), user(4).toString())
                .doesNotContain(user(5).toString());
        assertThat(usersNamedByTheLastStatement(8)).hasSize(8);
    }

    @Test
    void aLedgerWithoutLeadersReadsEveryUserAndStillAnswersRight() {
        // Every user alike: no list can prove a page.
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            rows.add(Row.at("2026-09-10T10:00:00Z", "0.01000000", "0.05000000").user(user(i)));
            rows.add(Row.at("2026-10-10T10:00:00Z", "0.01000000", "0.05000000").user(user(i)));
        }
        ledger.insert(rows);
        rollups.refresh();

        UserPage first = firstPage(TWO_MONTHS, 3);

        assertThat(first).isEqualTo(answers.raw().userBreakdown(TWO_MONTHS, UserSort.GROSS_MARGIN_DESC, 3, null));
        assertThat(leadersSent()).isTrue();
        assertThat(everyUserSummed()).isTrue();
        assertPagesAfterTheFirstAsTheLedgers(TWO_MONTHS, 3);
    }

    @Test
    void negativeMarginsOtherStatusesAndLedgerEdgesAnswerAsTheLedger() {
        List<Row> rows = new ArrayList<>(skewed(30));
        for (int i = 1; i <= 30; i++) {
            // Losses spread over many users, and failed requests beside the successful ones.
            rows.add(Row.at("2026-09-20T12:00:00Z", "0.02000000", "-0.01000000").user(user(i)));
            rows.add(Row.at("2026-10-02T08:30:00Z", "0.01000000", "0.30000000")
                    .user(user(31 - i))
                    .status(RequestStatus.FAILED));
        }
        // A user whose whole margin lies in the ledger's edge of the range, above every list's bound.
        rows.add(Row.at("2026-09-01T18:00:00Z", "0.01000000", "40.00000000").user(user(99)));
        ledger.insert(rows);
        rollups.refresh();

        // Starts 14 hours into the first day: that edge is read from the ledger.
        LedgerFilter withEdge =
                LedgerFilter.between(Instant.parse("2026-09-01T14:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));
        for (LedgerFilter filter : List.of(TWO_MONTHS, withEdge, withEdge.anyStatus())) {
            UserPage first = firstPage(filter, 4);
            assertThat(first)
                    .as("%s", filter)
                    .isEqualTo(answers.raw().userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, 4, null));
            assertThat(leadersSent()).as("%s", filter).isTrue();
            assertPagesAfterTheFirstAsTheLedgers(filter, 4);
        }
        assertThat(firstPage(withEdge, 4).users().get(0).userId()).isEqualTo(user(99));
    }

    @Test
    void theRestsOwnTopUsersAreCandidatesSoAHeavyUserThereLeavesThePageProven() {
        List<Row> rows = new ArrayList<>(skewed(40));
        // In the first day's 10 hours read from the ledger: one user heavier than anyone, and more
        // light users than the rest's list holds, so that its last value bounds the others.
        rows.add(Row.at("2026-09-01T18:00:00Z", "0.01000000", "40.00000000").user(user(99)));
        for (int i = 1; i <= 30; i++) {
            rows.add(Row.at("2026-09-01T20:00:00Z", "0.01000000", "0.00100000").user(user(100 + i)));
        }
        ledger.insert(rows);
        rollups.refresh();
        LedgerFilter withEdge =
                LedgerFilter.between(Instant.parse("2026-09-01T14:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));

        UserPage first = firstPage(withEdge, 3);

        assertThat(first).isEqualTo(answers.raw().userBreakdown(withEdge, UserSort.GROSS_MARGIN_DESC, 3, null));
        assertThat(first.users()).extracting(u -> u.userId()).containsExactly(user(99), user(1), user(2));
        assertThat(leadersSent()).isTrue();
        assertThat(everyUserSummed())
                .as("the page read every user's sums: %s", sent)
                .isFalse();
        assertPagesAfterTheFirstAsTheLedgers(withEdge, 3);
    }

    @Test
    void aRangeStartingEarlyInADayTakesTheHoursBeforeItAwayFromThatDay() {
        List<Row> rows = new ArrayList<>(skewed(40));
        for (int i = 1; i <= 30; i++) {
            // Before the range, heavier than anyone in it; then light users after its start.
            rows.add(Row.at("2026-09-01T01:00:00Z", "0.01000000", "30.00000000").user(user(200 + i)));
            rows.add(Row.at("2026-09-01T09:00:00Z", "0.01000000", "0.00" + (100 + i))
                    .user(user(i)));
        }
        ledger.insert(rows);
        rollups.refresh();
        LedgerFilter early =
                LedgerFilter.between(Instant.parse("2026-09-01T02:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));

        assertFirstPageAsTheLedgers(early, 3);
        assertThat(leadersStatement()).contains("\"taken_away_rows_1\"");
        // The rest of that day alone: the lists read the day and two hours of the ledger, little
        // enough beside 22 hours to try them.
        assertFirstPageAsTheLedgers(
                LedgerFilter.between(Instant.parse("2026-09-01T02:00:00Z"), Instant.parse("2026-09-02T00:00:00Z")), 3);
        // Sums for some users read the first day whole too, and take its first two hours away.
        LedgerFilter someUsers = early.users(user(1), user(201), user(7));
        sent.clear();
        assertThat(watched.grossMargin(someUsers)).isEqualTo(answers.raw().grossMargin(someUsers));
        assertThat(sent).anySatisfy(sql -> assertThat(sql).contains("\"taken_away_rows_1\""));

        // Inserts no refresh has added, before the range and in it: the day's rollups, the copies of
        // its new rows, less the ledger's rows before the range.
        ledger.insert(
                Row.at("2026-09-01T01:30:00Z", "0.01000000", "90.00000000").user(user(300)));
        ledger.insert(
                Row.at("2026-09-01T03:30:00Z", "0.01000000", "80.00000000").user(user(301)));
        UserPage first = assertFirstPageAsTheLedgers(early, 3);
        assertThat(first.users().get(0).userId()).isEqualTo(user(301));
        assertThat(leadersStatement()).contains("\"taken_away_rows_1\"");

        // An update before the range leaves that day's rollups wrong until a refresh: the ledger answers it.
        ledger.execute(
                "UPDATE analytics.token_usage_ledger SET gross_margin_usd = 1 WHERE user_id = '" + user(201) + "'");
        assertFirstPageAsTheLedgers(early, 3);
        assertThat(leadersStatement()).doesNotContain("taken_away");
        sent.clear();
        assertThat(watched.grossMargin(someUsers)).isEqualTo(answers.raw().grossMargin(someUsers));
    }

    @Test
    void aPageOverEdgeDaysReadWholeLooksTheLeadersFirstAndLastRequestsUpInTheLedger() {
        List<Row> rows = new ArrayList<>(skewed(40));
        for (int i : new int[] {1, 3}) {
            // On the edge days, before the range's start and after its end; in the range, a failed
            // request before the first successful one and after the last.
            rows.add(Row.at("2026-09-01T01:00:00Z", "0.01000000", "0.50000000").user(user(i)));
            rows.add(Row.at("2026-09-01T03:00:00Z", "0.01000000", "0.50000000")
                    .user(user(i))
                    .status(RequestStatus.FAILED));
            rows.add(Row.at("2026-09-01T05:0" + i + ":00Z", "0.01000000", "0.50000000")
                    .user(user(i)));
            rows.add(Row.at("2026-10-31T18:0" + i + ":00Z", "0.01000000", "0.50000000")
                    .user(user(i)));
            rows.add(Row.at("2026-10-31T19:00:00Z", "0.01000000", "0.50000000")
                    .user(user(i))
                    .status(RequestStatus.FAILED));
            rows.add(Row.at("2026-10-31T22:00:00Z", "0.01000000", "0.50000000").user(user(i)));
        }
        // User 2's requests on the edge days lie outside the range alone: its first and last
        // requests in it lie on other days.
        rows.add(Row.at("2026-09-01T01:30:00Z", "0.01000000", "0.50000000").user(user(2)));
        rows.add(Row.at("2026-10-31T23:30:00Z", "0.01000000", "0.50000000").user(user(2)));
        ledger.insert(rows);
        rollups.refresh();
        LedgerFilter edges =
                LedgerFilter.between(Instant.parse("2026-09-01T02:00:00Z"), Instant.parse("2026-10-31T20:00:00Z"));

        UserPage first = assertFirstPageAsTheLedgers(edges, 3);
        assertThat(first.users()).extracting(u -> u.userId()).containsExactlyInAnyOrder(user(1), user(2), user(3));
        assertThat(firstPage(edges, 3)).isEqualTo(first);
        assertThat(usersNamedByTheLastStatement(40)).isNotEmpty();
        assertThat(sent.get(sent.size() - 1))
                .as("the page's statement reads the edge days whole")
                .contains("\"taken_away_rows_1\"", "\"taken_away_rows_2\"");
        // Over every status the lists do not prove the page: it sums every user, as the ledger does.
        assertFirstPageAsTheLedgers(edges.anyStatus(), 3);
        UserUsage successful = firstPage(edges, 3).users().get(0);
        assertThat(successful.firstRequest()).isEqualTo(Instant.parse("2026-09-01T05:01:00Z"));
        assertThat(successful.lastRequest()).isEqualTo(Instant.parse("2026-10-31T18:01:00Z"));
        UserUsage any = firstPage(edges.anyStatus(), 3).users().get(0);
        assertThat(any.firstRequest()).isEqualTo(Instant.parse("2026-09-01T03:00:00Z"));
        assertThat(any.lastRequest()).isEqualTo(Instant.parse("2026-10-31T19:00:00Z"));
    }

    @Test
    void insertsNoRefreshHasAddedCountTowardsTheBound() {
        ledger.insert(skewed(40));
        rollups.refresh();
        // A pending insert, read from its copy: it lifts a user from the bottom to the top.
        ledger.insert(
                Row.at("2026-10-15T09:00:00Z", "0.01000000", "90.00000000").user(user(40)));

        UserPage first = firstPage(TWO_MONTHS, 3);

        assertThat(first).isEqualTo(answers.raw().userBreakdown(TWO_MONTHS, UserSort.GROSS_MARGIN_DESC, 3, null));
        assertThat(first.users().get(0).userId()).isEqualTo(user(40));
    }

    @Test
    void notInsideAHostsReadCommittedTransaction() throws SQLException {
        ledger.insert(skewed(40));
        rollups.refresh();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            sent.clear();
            UserPage page = AnalyticsQueries.create(new DefaultConfiguration()
                            .set(connection)
                            .set(SQLDialect.POSTGRES)
                            .set(ExecuteListener.onExecuteStart(
                                    context -> sent.add(context.sql().toLowerCase(Locale.ROOT))))
                            .dsl())
                    .userBreakdown(TWO_MONTHS, UserSort.GROSS_MARGIN_DESC, 3, null);
            connection.rollback();
            assertThat(page).isEqualTo(answers.raw().userBreakdown(TWO_MONTHS, UserSort.GROSS_MARGIN_DESC, 3, null));
        }
        assertThat(leadersSent()).as("its statements do not share one snapshot").isFalse();
    }

    @Test
    void explainShowsTheLeadersStatement() {
        ledger.insert(skewed(40));
        rollups.refresh();

        assertThat(answers.viaRollups().explain(TWO_MONTHS))
                .extracting(plan -> plan.statement())
                .containsSubsequence("userBreakdown leaders", "userBreakdown");
    }

    private UserPage firstPage(LedgerFilter filter, int size) {
        sent.clear();
        return watched.userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, size, null);
    }

    private void assertPagesAfterTheFirstAsTheLedgers(LedgerFilter filter, int size) {
        UserPage page = answers.viaRollups().userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, size, null);
        while (page.next() != null) {
            UserPage next = answers.viaRollups().userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, size, page.next());
            assertThat(next)
                    .as("the page after %s", page.next())
                    .isEqualTo(answers.raw().userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, size, page.next()));
            page = next;
        }
    }

    /** Which of users 1 to {@code users} the last statement sent names. */
    private List<UUID> usersNamedByTheLastStatement(int users) {
        String last = sent.get(sent.size() - 1);
        assertThat(everyUserSummed())
                .as("the page read every user's sums: %s", last)
                .isFalse();
        return IntStream.rangeClosed(1, users)
                .mapToObj(UserLeadersTest::user)
                .filter(user -> last.contains(user.toString()))
                .toList();
    }

    private UserPage assertFirstPageAsTheLedgers(LedgerFilter filter, int size) {
        UserPage first = firstPage(filter, size);
        assertThat(first)
                .as("%s", filter)
                .isEqualTo(answers.raw().userBreakdown(filter, UserSort.GROSS_MARGIN_DESC, size, null));
        assertThat(leadersSent()).as("%s", filter).isTrue();
        assertPagesAfterTheFirstAsTheLedgers(filter, size);
        return first;
    }

    private String leadersStatement() {
        return sent.stream()
                .filter(sql -> sql.contains("\"lists\""))
                .findFirst()
                .orElseThrow();
    }

    private boolean leadersSent() {
        return sent.stream().anyMatch(sql -> sql.contains("\"lists\""));
    }

    /** Whether the last statement sent summed the users' rows with no restriction to some of them. */
    private boolean everyUserSummed() {
        String last = sent.get(sent.size() - 1);
        return !last.contains("\"user_id\" = any (");
    }

    /**
     * Users 1 to {@code users}, user i making about {@code users / i} requests in each month, as a
     * gateway's few heavy users and many light ones do; every margin distinct.
     */
    private static List<Row> skewed(int users) {
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= users; i++) {
            int requests = Math.max(1, users / i);
            for (int month = 0; month < 2; month++) {
                Instant start = Instant.parse(month == 0 ? "2026-09-02T00:00:00Z" : "2026-10-02T00:00:00Z");
                for (int r = 0; r < requests; r++) {
                    BigDecimal margin = new BigDecimal("0.10000000").add(BigDecimal.valueOf(i * 37 + r, 8));
                    rows.add(Row.at(
                                    start.plus(Duration.ofMinutes((i * 131L + r * 17L) % (27 * 24 * 60)))
                                            .toString(),
                                    "0.01000000",
                                    margin.toPlainString())
                            .user(user(i)));
                }
            }
        }
        return rows;
    }

    private static UUID user(int i) {
        return UUID.fromString(String.format(Locale.ROOT, "00000000-0000-0000-0000-%012d", i));
    }
}
