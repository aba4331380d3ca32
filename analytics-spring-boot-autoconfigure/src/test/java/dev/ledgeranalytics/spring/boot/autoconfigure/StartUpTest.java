package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testkit.TestDatabase;
import dev.ledgeranalytics.testkit.TestLedger;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Start-ups of a host application with the starter, each with its own settings. */
class StartUpTest {

    private static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.migrated();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void migratesAnEmptyDatabaseAfterTheHostsOwnFlywayMigrations() throws SQLException {
        try (TestDatabase empty = TestDatabase.empty();
                ConfigurableApplicationContext host = new SpringApplicationBuilder(TestHost.class)
                        .properties("spring.datasource.url=" + empty.jdbcUrl())
                        .run();
                Connection connection = empty.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet histories = statement.executeQuery("SELECT"
                        + " (SELECT max(installed_on) FROM public.flyway_schema_history),"
                        + " (SELECT min(installed_on) FROM analytics.analytics_schema_history),"
                        + " (SELECT count(*) FROM analytics.analytics_schema_history WHERE success)")) {
            histories.next();
            Timestamp hostMigrated = histories.getTimestamp(1);
            Timestamp ledgerMigrated = histories.getTimestamp(2);

            assertThat(hostMigrated).isNotNull();
            assertThat(ledgerMigrated).isAfterOrEqualTo(hostMigrated);
            assertThat(histories.getLong(3)).isPositive();
            assertThat(host.getBean(AnalyticsQueries.class)
                            .grossMargin(LedgerFilter.between(Instant.EPOCH, Instant.now()))
                            .current()
                            .requests())
                    .isZero();
        }
    }

    @Test
    void timesEveryQueryAndReportsTheRollupLag() {
        try (ConfigurableApplicationContext host = start()) {
            AnalyticsQueries queries = host.getBean(AnalyticsQueries.class);
            Rollups rollups = host.getBean(Rollups.class);
            MeterRegistry meters = host.getBean(MeterRegistry.class);
            rollups.refresh();
            TestLedger.in(database.dataSource())
                    .row()
                    .at(Instant.now().minusSeconds(60))
                    .insert();
            LedgerFilter lastDay = LedgerFilter.between(Instant.now().minus(Duration.ofDays(1)), Instant.now());

            queries.grossMargin(lastDay);
            queries.withRawReads().providerCosts(lastDay);

            assertThat(meters.get(QueryObservations.NAME)
                            .tags("query", "grossMargin", "source", "rollups", "outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(meters.get(QueryObservations.NAME)
                            .tags("query", "providerCosts", "source", "ledger", "outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(1);
            Gauge lag = meters.get(RollupLagMeter.NAME).gauge();
            assertThat(lag.value()).isPositive();
            rollups.refresh();
            assertThat(lag.value()).isZero();
        }
    }

    @Test
    void countsAStatementTimeoutAsSuch() throws SQLException {
        try (ConfigurableApplicationContext host = start("ledger.analytics.statement-timeout=300ms");
                Connection locker = database.dataSource().getConnection();
                Statement statement = locker.createStatement()) {
            locker.setAutoCommit(false);
            statement.execute("LOCK TABLE analytics.token_usage_ledger IN ACCESS EXCLUSIVE MODE");

            assertThatThrownBy(() -> host.getBean(AnalyticsQueries.class)
                            .withRawReads()
                            .costDistribution(LedgerFilter.between(Instant.EPOCH, Instant.now())))
                    .isInstanceOf(AnalyticsException.class);
            locker.rollback();

            assertThat(host.getBean(MeterRegistry.class)
                            .get(QueryObservations.NAME)
                            .tags("query", "costDistribution", "outcome", "timeout")
                            .timer()
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void configuresNothingWhenDisabled() {
        try (ConfigurableApplicationContext host = start("ledger.analytics.enabled=false")) {
            assertThat(host.getBeanNamesForType(AnalyticsQueries.class)).isEmpty();
            assertThat(host.getBeanNamesForType(LedgerSchemaMigration.class)).isEmpty();
        }
    }

    @Test
    void schedulesNoRefreshUnlessAskedTo() {
        try (ConfigurableApplicationContext host = start()) {
            assertThat(host.getBeanNamesForType(AnalyticsQueries.class)).hasSize(1);
            assertThat(host.getBeanNamesForType(RollupRefresher.class)).isEmpty();
        }
    }

    @Test
    void anInvalidSchemaNameStopsTheStartUpNamingTheProperty() {
        assertThatThrownBy(() -> start("ledger.analytics.schema=Ledger-1").close())
                .hasMessageContaining("ledger.analytics")
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Ledger-1\"");
    }

    @Test
    void anInvalidStatementTimeoutStopsTheStartUp() {
        assertThatThrownBy(() -> start("ledger.analytics.statement-timeout=0s").close())
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be between 1 ms");
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TestHost.class)
                .properties("spring.datasource.url=" + database.jdbcUrl())
                .properties(properties)
                .run();
    }
}
