package dev.ledgeranalytics.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.partition.LedgerPartition;
import dev.ledgeranalytics.partition.Partitions;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The months ahead of a partitioned ledger, created by the application from its start. */
class PartitionKeeperTest {

    @Test
    void createsTheMonthsAheadAtStartUpAndCanBeTurnedOff() throws InterruptedException {
        YearMonth fifthAhead = YearMonth.now(ZoneOffset.UTC).plusMonths(5);
        try (TestDatabase database = TestDatabase.migrated()) {
            Partitions partitions = Partitions.create(database.dataSource());
            try (ConfigurableApplicationContext host = new SpringApplicationBuilder(TestHost.class)
                    .properties(
                            "spring.datasource.url=" + database.jdbcUrl(),
                            "ledger.analytics.partitions.enabled=false",
                            "ledger.analytics.partitions.months-ahead=5")
                    .run()) {
                assertThat(host.getBeanNamesForType(PartitionKeeper.class)).isEmpty();
                assertThat(months(partitions)).doesNotContain(fifthAhead);
            }
            try (ConfigurableApplicationContext host = new SpringApplicationBuilder(TestHost.class)
                    .properties(
                            "spring.datasource.url=" + database.jdbcUrl(), "ledger.analytics.partitions.months-ahead=5")
                    .run()) {
                Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
                while (!months(partitions).contains(fifthAhead) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(50);
                }
                assertThat(months(partitions)).contains(fifthAhead).doesNotContain(fifthAhead.plusMonths(1));
                assertThat(host.getBean(PartitionKeeper.class).isRunning()).isTrue();
            }
        }
    }

    private static List<YearMonth> months(Partitions partitions) {
        return partitions.list().stream().map(LedgerPartition::month).toList();
    }
}
