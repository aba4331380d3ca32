package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.jooq.LedgerDsl;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.Test;

@AnalyticsDatabase
class QueryErrorsTest {

    private static final LedgerFilter NOVEMBER =
            LedgerFilter.between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    private final DataSource dataSource;
    private final AnalyticsQueries queries;

    QueryErrorsTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.queries = AnalyticsQueries.create(dataSource);
    }

    @Test
    void aStatementThatRunsPastTheTimeoutIsCancelledByTheServer() throws SQLException {
        AnalyticsQueries impatient = queries.withStatementTimeout(Duration.ofMillis(300));
        try (Connection blocker = dataSource.getConnection();
                Statement statement = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            statement.execute("LOCK TABLE analytics.token_usage_ledger IN ACCESS EXCLUSIVE MODE");

            assertThatThrownBy(() -> impatient.grossMargin(NOVEMBER))
                    .isInstanceOf(AnalyticsException.class)
                    .hasMessageStartingWith("Computing the gross margin failed")
                    .satisfies(
                            e -> assertThat(((AnalyticsException) e).sqlState()).contains("57014"));
            blocker.rollback();
        }
        assertThat(impatient.grossMargin(NOVEMBER).current().requests()).isZero();
    }

    @Test
    void theTimeoutIsLocalToTheQuerysTransaction() throws SQLException {
        DSLContext host = LedgerDsl.using(dataSource);
        host.connection(connection -> {
            DSLContext onConnection = onConnection(connection);
            AnalyticsQueries.create(onConnection)
                    .withStatementTimeout(Duration.ofMillis(1234))
                    .grossMargin(NOVEMBER);
            assertThat(onConnection.fetchValue("SHOW statement_timeout")).isEqualTo("0");
        });
    }

    @Test
    void onAnAutoCommitConnectionEveryStatementRunsInAReadOnlyRepeatableReadTransactionWithTheTimeout()
            throws SQLException {
        List<List<String>> settings = new ArrayList<>();
        List<String> snapshots = new ArrayList<>();
        ExecuteListener readSettings = new ExecuteListener() {
            @Override
            public void executeEnd(ExecuteContext ctx) {
                settings.add(settings(
                        ctx.connection(), "transaction_isolation", "transaction_read_only", "statement_timeout"));
                snapshots.add(onConnection(ctx.connection())
                        .select(DSL.field("pg_current_snapshot()::text", String.class))
                        .fetchOne(0, String.class));
            }
        };
        try (Connection connection = dataSource.getConnection()) {
            DSLContext listened = DSL.using(new DefaultConfiguration()
                    .set(connection)
                    .set(SQLDialect.POSTGRES)
                    .set(new DefaultExecuteListenerProvider(readSettings)));

            AnalyticsQueries.create(listened)
                    .withStatementTimeout(Duration.ofMillis(1234))
                    .costDistribution(NOVEMBER);

            assertThat(settings)
                    .hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(each -> assertThat(each).containsExactly("repeatable read", "on", "1234ms"));
            assertThat(snapshots)
                    .as("one snapshot for every statement of the call")
                    .containsOnly(snapshots.get(0));
            assertThat(connection.getAutoCommit()).isTrue();
            assertThat(settings(connection, "transaction_isolation", "statement_timeout"))
                    .containsExactly("read committed", "0");
        }
    }

    @Test
    void insideAHostTransactionTheHostsOwnTimeoutComesBackAfterwards() {
        List<String> duringTheQuery = new ArrayList<>();
        ExecuteListener readTimeout = new ExecuteListener() {
            @Override
            public void executeEnd(ExecuteContext ctx) {
                if (!ctx.sql().contains("statement_timeout")) {
                    duringTheQuery.add(
                            settings(ctx.connection(), "statement_timeout").get(0));
                }
            }
        };
        LedgerDsl.using(dataSource).transaction(transaction -> {
            DSLContext host = transaction
                    .derive(new DefaultExecuteListenerProvider(readTimeout))
                    .dsl();
            host.execute("SET LOCAL statement_timeout = '5s'");

            AnalyticsQueries.create(host)
                    .withStatementTimeout(Duration.ofMillis(1234))
                    .costDistribution(NOVEMBER);

            assertThat(duringTheQuery).isNotEmpty().containsOnly("1234ms");
            assertThat(host.fetchValue("SHOW statement_timeout")).isEqualTo("5s");
        });
    }

    @Test
    void aConnectionGoesBackToThePoolAsItCame() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);

            AnalyticsQueries.create(onConnection(connection)).grossMargin(NOVEMBER);

            assertThat(connection.isReadOnly()).isTrue();
            assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(connection.getAutoCommit()).isTrue();
        }
    }

    @Test
    void aRangeTooLongForAPreviousPeriodIsRefusedBeforeAnySqlRuns() {
        LedgerFilter ages =
                LedgerFilter.between(Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));

        assertThatThrownBy(() -> queries.grossMargin(ages))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
        assertThat(queries.providerCosts(ages)).isEmpty();
    }

    @Test
    void aMissingSchemaSurfacesAsAnalyticsExceptionWithItsSqlState() {
        assertThatThrownBy(() -> queries.withSchema("nowhere").providerCosts(NOVEMBER))
                .isInstanceOf(AnalyticsException.class)
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("42P01"));
    }

    @Test
    void readsALedgerInstalledIntoAnotherSchema() {
        try (TestDatabase billing = TestDatabase.migrated("billing")) {
            new Ledger(billing.dataSource())
                    .execute("INSERT INTO billing.providers (slug, display_name) VALUES ('openai', 'OpenAI')");
            new Ledger(billing.dataSource()).execute("""
                    INSERT INTO billing.token_usage_ledger (request_id, user_id, model_id, provider_id, vendor_cost,
                        credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens,
                        output_tokens, user_tier, request_type)
                    SELECT gen_random_uuid(), gen_random_uuid(), 'gpt-4o', id, 0.5, 1, 1.5, 0.25, 'success',
                        '2026-11-02T00:00:00Z', 1, 1, 'pro', 'chat' FROM billing.providers""");

            AnalyticsQueries billingQueries =
                    AnalyticsQueries.create(billing.dataSource()).withSchema("billing");

            assertThat(billingQueries.grossMargin(NOVEMBER).current().requests())
                    .isEqualTo(1);
            assertThat(billingQueries.providerCosts(NOVEMBER))
                    .extracting(ProviderCost::slug)
                    .containsExactly("openai");
            assertThat(billingQueries
                            .userBreakdown(NOVEMBER, UserSort.REVENUE_DESC, 10, null)
                            .users())
                    .hasSize(1);
        }
    }

    @Test
    void joinsTheHostsTransactionWhenGivenItsContext() {
        class Rollback extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
        assertThatThrownBy(() -> LedgerDsl.using(dataSource).transaction(transaction -> {
                    DSLContext host = transaction.dsl();
                    host.execute(
                            "INSERT INTO analytics.providers (slug, display_name) VALUES ('uncommitted', 'Uncommitted')");
                    host.execute("""
                    INSERT INTO analytics.token_usage_ledger (request_id, user_id, model_id, provider_id, vendor_cost,
                        credits_deducted, margin_multiplier, gross_margin_usd, status, created_at, input_tokens,
                        output_tokens, user_tier, request_type)
                    SELECT gen_random_uuid(), gen_random_uuid(), 'gpt-4o', id, 0.5, 1, 1.5, 0.25, 'success',
                        '2026-11-02T00:00:00Z', 1, 1, 'pro', 'chat' FROM analytics.providers WHERE slug = 'uncommitted'""");

                    assertThat(AnalyticsQueries.create(host)
                                    .grossMargin(NOVEMBER)
                                    .current()
                                    .requests())
                            .isEqualTo(1);
                    assertThat(queries.grossMargin(NOVEMBER).current().requests())
                            .isZero();
                    throw new Rollback();
                }))
                .isInstanceOf(Rollback.class);
        assertThat(queries.grossMargin(NOVEMBER).current().requests()).isZero();
    }

    @Test
    void callerMistakesFailFastNamingTheParameterAndValue() {
        assertThatThrownBy(() -> queries.grossMargin(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filter");
        assertThatThrownBy(() -> queries.marginTrend(NOVEMBER, null, ZoneId.of("UTC")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("granularity");
        assertThatThrownBy(() -> queries.marginTrend(NOVEMBER, Granularity.DAY, (ZoneId) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone");
        assertThatThrownBy(() -> queries.marginTrend(NOVEMBER, Granularity.DAY, "Mars/Olympus_Mons"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone")
                .hasMessageContaining("Mars/Olympus_Mons");
        assertThat(queries.marginTrend(NOVEMBER, Granularity.WEEK, "Europe/Berlin")
                        .zone())
                .isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThatThrownBy(() -> queries.withStatementTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> queries.withStatementTimeout(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> queries.withStatementTimeout(Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout")
                .hasMessageContaining("PT720H");
        assertThatThrownBy(() -> queries.withStatementTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThat(queries.withStatementTimeout(Duration.ofMillis(AnalyticsQueries.MAX_STATEMENT_TIMEOUT_MILLIS))
                        .grossMargin(NOVEMBER)
                        .current()
                        .requests())
                .isNotNegative();
        assertThatThrownBy(() -> queries.withSchema("Not A Schema"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Not A Schema\"");
        assertThatThrownBy(() -> AnalyticsQueries.create((DataSource) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataSource");
        assertThatThrownBy(() -> AnalyticsQueries.create((DSLContext) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dsl");
    }

    /** The current values of server settings, read on {@code connection} in its transaction, if any. */
    private static List<String> settings(Connection connection, String... names) {
        List<String> values = new ArrayList<>();
        for (String name : names) {
            values.add(onConnection(connection)
                    .select(DSL.function("current_setting", String.class, DSL.val(name)))
                    .fetchOne(0, String.class));
        }
        return values;
    }

    private static DSLContext onConnection(Connection connection) {
        return DSL.using(connection, SQLDialect.POSTGRES);
    }
}
