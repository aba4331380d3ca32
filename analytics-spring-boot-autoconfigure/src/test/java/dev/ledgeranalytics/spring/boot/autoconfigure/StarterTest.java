package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import dev.ledgeranalytics.testkit.spring.AutoConfigureAnalyticsDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

/** A Boot host with jOOQ, Flyway, actuator and Jackson, that adds nothing but the starter and a test database. */
@SpringBootTest(classes = TestHost.class, properties = "ledger.analytics.statement-timeout=2s")
@AutoConfigureAnalyticsDatabase
class StarterTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-02T00:00:00Z");

    @Autowired
    ApplicationContext context;

    @Autowired
    AnalyticsQueries queries;

    @Autowired
    DataSource dataSource;

    @Autowired
    TestDatabase database;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void queriesThroughTheHostsJooqContextAndAnswersAllFiveQueries() {
        assertThat(context.getBeanNamesForType(DSLContext.class)).hasSize(1);
        TestLedger ledger = TestLedger.in(database.dataSource());
        ledger.row()
                .at(FROM.plusSeconds(60))
                .vendorCost("0.00200000")
                .credits(300)
                .insert();
        ledger.row()
                .at(FROM.plusSeconds(120))
                .vendorCost("0.00100000")
                .credits(150)
                .insert();
        LedgerFilter day = LedgerFilter.between(FROM, TO);

        assertThat(queries.grossMargin(day).current().requests()).isEqualTo(2);
        assertThat(queries.providerCosts(day)).hasSize(1);
        assertThat(queries.marginTrend(day, Granularity.HOUR, ZoneOffset.UTC).buckets())
                .hasSize(24);
        assertThat(queries.costDistribution(day).count()).isEqualTo(2);
        assertThat(queries.userBreakdown(day, UserSort.REQUESTS_DESC, 10, null).users())
                .hasSize(1);
    }

    @Test
    void aRolledBackTransactionLeavesNoRowAndAQueryInsideItSeesItsOwnRows() {
        LedgerFilter day = LedgerFilter.between(FROM.minusSeconds(86_400), FROM);
        TestLedger inTransaction = TestLedger.in(new TransactionAwareDataSourceProxy(dataSource));

        long seenInside = transactions.execute(status -> {
            inTransaction.row().at(FROM.minusSeconds(3_600)).insert();
            long requests = queries.grossMargin(day).current().requests();
            status.setRollbackOnly();
            return requests;
        });

        assertThat(seenInside).isEqualTo(1);
        assertThat(queries.grossMargin(day).current().requests()).isZero();
    }

    @Test
    void aStatementTimeoutRaisesAnalyticsExceptionWithSqlState57014() throws SQLException {
        try (Connection locker = database.dataSource().getConnection();
                Statement statement = locker.createStatement()) {
            locker.setAutoCommit(false);
            statement.execute("LOCK TABLE analytics.token_usage_ledger IN ACCESS EXCLUSIVE MODE");

            assertThatThrownBy(() -> queries.grossMargin(LedgerFilter.between(FROM, TO)))
                    .isInstanceOf(AnalyticsException.class)
                    .satisfies(
                            e -> assertThat(((AnalyticsException) e).sqlState()).contains("57014"));
            locker.rollback();
        }
    }

    @Test
    void reportsHealthUpWithTheVerifiersStatus() {
        BootLine.Health health = BootLine.health(context);

        assertThat(health.status()).isEqualTo("UP");
        assertThat(health.details()).containsEntry("schema", "analytics").containsKey("findings");
        assertThat(health.details().get("status")).isIn("READY", "DEGRADED");
    }

    @Test
    void writesResultsToJsonWithTheirDerivedValuesAndPlainZeros() {
        TestLedger.in(database.dataSource())
                .row()
                .at(TO.plusSeconds(60))
                .vendorCost("0")
                .grossMargin("0")
                .insert();
        GrossMargin free = queries.grossMargin(LedgerFilter.between(TO, TO.plusSeconds(3_600)));

        String json = BootLine.json(context, free);

        assertThat(json)
                .contains("\"vendorCost\":0.00000000")
                .doesNotContain("E-")
                .contains(
                        "\"requestsChange\":null", "\"vendorCostChange\"", "\"revenueChange\"", "\"grossMarginChange\"")
                .contains("\"from\":\"" + TO + "\"");
        assertThat(BootLine.json(
                        context,
                        queries.userBreakdown(
                                LedgerFilter.between(TO, TO.plusSeconds(3_600)), UserSort.REQUESTS_DESC, 1, null)))
                .contains("\"hasNext\":false", "\"totalTokens\":");
    }
}
