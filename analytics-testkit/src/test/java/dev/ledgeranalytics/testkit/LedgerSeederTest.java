package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LedgerSeederTest {

    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant FROM = TO.minus(Duration.ofDays(28));
    private static final int ROWS = 100_000;

    private static TestDatabase seeded;

    @BeforeAll
    static void seedOnce() {
        seeded = TestDatabase.migrated();
        SeedResult result = LedgerSeeder.into(seeded.dataSource())
                .rows(ROWS)
                .between(FROM, TO)
                .users(5_000)
                .seed(11)
                .load();
        assertThat(result.rows()).isEqualTo(ROWS);
    }

    @AfterAll
    static void drop() {
        seeded.close();
    }

    @Test
    void writesExactlyTheRowsAskedForInsideTheRange() throws SQLException {
        assertThat(number("SELECT count(*) FROM analytics.token_usage_ledger")).isEqualTo(ROWS);
        assertThat(number("SELECT count(*) FROM analytics.token_usage_ledger WHERE created_at < '" + FROM
                        + "' OR created_at >= '" + TO + "'"))
                .isZero();
        assertThat(number("SELECT count(DISTINCT provider_id) FROM analytics.token_usage_ledger"))
                .isEqualTo(5);
    }

    @Test
    void theSameSeedGivesIdenticalRowsAndAnotherSeedDifferentOnes() {
        try (TestDatabase again = TestDatabase.migrated();
                TestDatabase other = TestDatabase.migrated()) {
            LedgerSeeder seeder = LedgerSeeder.into(again.dataSource())
                    .rows(5_000)
                    .between(FROM, TO)
                    .users(500)
                    .seed(3);
            seeder.load();
            LedgerSeeder.into(other.dataSource())
                    .rows(5_000)
                    .between(FROM, TO)
                    .users(500)
                    .seed(3)
                    .rebuildIndexes(true)
                    .load();
            try (TestDatabase third = TestDatabase.migrated()) {
                LedgerSeeder.into(third.dataSource())
                        .rows(5_000)
                        .between(FROM, TO)
                        .users(500)
                        .seed(4)
                        .load();

                assertThat(fingerprint(again.dataSource())).isEqualTo(fingerprint(other.dataSource()));
                assertThat(fingerprint(again.dataSource())).isNotEqualTo(fingerprint(third.dataSource()));
            }
        }
    }

    @Test
    void everyRowsMoneyFollowsFromItsTokensPricesAndTier() throws SQLException {
        StringBuilder prices = new StringBuilder();
        for (ModelPrice price : ModelPrice.catalog()) {
            prices.append(prices.length() == 0 ? "" : ", ")
                    .append("('")
                    .append(price.modelId())
                    .append("', ")
                    .append(price.inputPerMillion())
                    .append(", ")
                    .append(price.cachedInputPerMillion())
                    .append(", ")
                    .append(price.outputPerMillion())
                    .append(")");
        }
        String inconsistent = """
                SELECT count(*) FROM analytics.token_usage_ledger l
                JOIN (VALUES %s) AS p(model_id, input_price, cached_price, output_price) USING (model_id)
                WHERE l.vendor_cost <> round(((l.input_tokens - l.cached_input_tokens) * p.input_price
                                              + l.cached_input_tokens * p.cached_price
                                              + l.output_tokens * p.output_price) / 1000000, 8)
                   OR l.margin_multiplier <> CASE l.user_tier WHEN 'free' THEN 2.50 WHEN 'pro' THEN 1.80 ELSE 1.50 END
                   OR (l.status = 'success' AND (
                          l.gross_margin_usd <> round(l.vendor_cost * l.margin_multiplier, 8) - l.vendor_cost
                       OR l.credits_deducted <> ceil((l.gross_margin_usd + l.vendor_cost) / 0.001)))
                   OR (l.status <> 'success' AND (l.credits_deducted <> 0 OR l.gross_margin_usd <> -l.vendor_cost))
                   OR l.updated_at <> l.created_at""".formatted(prices);

        assertThat(number("SELECT count(*) FROM analytics.token_usage_ledger l WHERE l.model_id NOT IN ("
                        + ModelPrice.catalog().stream()
                                .map(p -> "'" + p.modelId() + "'")
                                .collect(Collectors.joining(", "))
                        + ")"))
                .isZero();
        assertThat(number(inconsistent)).isZero();
    }

    @Test
    void followsTheStatedShapes() throws SQLException {
        double failed = number("SELECT count(*) FILTER (WHERE status = 'failed') FROM analytics.token_usage_ledger")
                / (double) ROWS;
        double cancelled =
                number("SELECT count(*) FILTER (WHERE status = 'cancelled') FROM analytics.token_usage_ledger")
                        / (double) ROWS;
        assertThat(failed).isCloseTo(0.025, within(0.003));
        assertThat(cancelled).isCloseTo(0.010, within(0.002));

        Map<String, Double> tierOfUsers =
                shares("SELECT user_tier, count(DISTINCT user_id) FROM analytics.token_usage_ledger GROUP BY 1");
        assertThat(tierOfUsers.get("free")).isCloseTo(0.60, within(0.05));
        assertThat(tierOfUsers.get("pro")).isCloseTo(0.32, within(0.05));
        assertThat(tierOfUsers.get("enterprise")).isCloseTo(0.08, within(0.03));

        int totalPopularity =
                ModelPrice.catalog().stream().mapToInt(ModelPrice::popularity).sum();
        Map<String, Double> expectedProviders = ModelPrice.catalog().stream()
                .collect(Collectors.groupingBy(
                        ModelPrice::providerSlug,
                        Collectors.summingDouble(p -> p.popularity() / (double) totalPopularity)));
        Map<String, Double> providers = shares("""
                SELECT p.slug, count(*) FROM analytics.token_usage_ledger l JOIN analytics.providers p ON p.id = l.provider_id
                GROUP BY 1""");
        expectedProviders.forEach(
                (slug, share) -> assertThat(providers.get(slug)).as(slug).isCloseTo(share, within(0.01)));

        // Heavy tail: the busiest 1 % of users make a large part of the traffic.
        double topUsers = number("""
                SELECT sum(n) FROM (SELECT count(*) AS n FROM analytics.token_usage_ledger GROUP BY user_id
                                    ORDER BY n DESC LIMIT (SELECT count(DISTINCT user_id) / 100 FROM analytics.token_usage_ledger)) t""") / (double) ROWS;
        assertThat(topUsers).isGreaterThan(0.25);

        // Weekends are quieter, afternoons (UTC) busier than nights.
        double weekdayPerDay =
                number("SELECT count(*) FROM analytics.token_usage_ledger WHERE extract(isodow FROM created_at) < 6")
                        / 20.0;
        double weekendPerDay =
                number("SELECT count(*) FROM analytics.token_usage_ledger WHERE extract(isodow FROM created_at) >= 6")
                        / 8.0;
        assertThat(weekendPerDay / weekdayPerDay).isCloseTo(0.55, within(0.05));
        assertThat(number("SELECT count(*) FROM analytics.token_usage_ledger WHERE extract(hour FROM created_at) = 15"))
                .isGreaterThan(
                        4
                                * number(
                                        "SELECT count(*) FROM analytics.token_usage_ledger WHERE extract(hour FROM created_at) = 3"));
    }

    @Test
    void rebuildingTheIndexesLeavesTheSameValidIndexes() throws SQLException {
        try (TestDatabase database = TestDatabase.migrated()) {
            String indexes =
                    "SELECT string_agg(pg_get_indexdef(indexrelid) || indisvalid, ';' ORDER BY indexrelid::regclass::text) "
                            + "FROM pg_index WHERE indrelid = 'analytics.token_usage_ledger'::regclass";
            String before = text(database.dataSource(), indexes);

            LedgerSeeder.into(database.dataSource())
                    .rows(20_000)
                    .rebuildIndexes(true)
                    .load();

            assertThat(text(database.dataSource(), indexes)).isEqualTo(before);
            assertThat(text(database.dataSource(), "SELECT count(*)::text FROM analytics.token_usage_ledger"))
                    .isEqualTo("20000");
        }
    }

    @Test
    void seedsALedgerInAnotherSchemaEvenOneNamedLikeAKeyword() {
        try (TestDatabase database = TestDatabase.migrated("order")) {
            LedgerSeeder.into(database.dataSource())
                    .schema("order")
                    .rows(1_000)
                    .rebuildIndexes(true)
                    .load();
            TestLedger.in(database.dataSource()).schema("order").row().insert();

            assertThat(text(database.dataSource(), "SELECT count(*)::text FROM \"order\".token_usage_ledger"))
                    .isEqualTo("1001");
        }
    }

    @Test
    void loadsWithOtherOptionsAddRowsWithFreshIds() {
        try (TestDatabase database = TestDatabase.migrated()) {
            LedgerSeeder.into(database.dataSource()).rows(1_000).load();
            LedgerSeeder.into(database.dataSource()).rows(2_000).load();

            assertThat(text(database.dataSource(), "SELECT count(*)::text FROM analytics.token_usage_ledger"))
                    .isEqualTo("3000");
        }
    }

    @Test
    void aFailedRebuildStillRestoresEveryOtherIndexAndSaysWhy() {
        try (TestDatabase database = TestDatabase.migrated()) {
            String indexCount =
                    "SELECT count(*)::text FROM pg_index WHERE indrelid = 'analytics.token_usage_ledger'::regclass";
            LedgerSeeder twice =
                    LedgerSeeder.into(database.dataSource()).rows(1_000).rebuildIndexes(true);
            twice.load();

            assertThatThrownBy(twice::load)
                    .isInstanceOf(dev.ledgeranalytics.AnalyticsException.class)
                    .hasMessageContaining("Could not restore every index and key");
            // The primary key and the unique request id cannot come back over duplicated rows; the other six do.
            assertThat(text(database.dataSource(), indexCount)).isEqualTo("6");
        }
    }

    @Test
    void refusesBadOptions() {
        LedgerSeeder seeder = LedgerSeeder.into(seeded.dataSource());
        assertThatThrownBy(() -> seeder.rows(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> seeder.users(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("users");
        assertThatThrownBy(() -> seeder.between(TO, FROM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start");
        assertThatThrownBy(() -> seeder.between(FROM.plusNanos(1), TO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole microseconds");
        assertThatThrownBy(() -> seeder.schema("Bad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Bad\"");
        assertThatThrownBy(() -> LedgerSeeder.into(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSource");
    }

    /** Every column of every row, providers by slug since their ids are per database. */
    private static String fingerprint(DataSource dataSource) {
        return text(dataSource, """
                SELECT md5(string_agg((to_jsonb(l) - 'provider_id')::text || p.slug, '|' ORDER BY l.request_id))
                FROM analytics.token_usage_ledger l JOIN analytics.providers p ON p.id = l.provider_id""");
    }

    private static long number(String sql) throws SQLException {
        return Long.parseLong(text(seeded.dataSource(), sql));
    }

    private static Map<String, Double> shares(String sql) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = seeded.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> shares = new LinkedHashMap<>();
        counts.forEach((key, count) -> shares.put(key, count / (double) total));
        return shares;
    }

    private static String text(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
