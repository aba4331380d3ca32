package dev.ledgeranalytics.cli;

import static dev.ledgeranalytics.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.cli.CliTest.Run;
import dev.ledgeranalytics.migration.internal.LedgerLayout;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `partitions list|ensure|convert` and `retention`, against real databases of both layouts. */
class CliPartitionsTest {

    private static final YearMonth CURRENT = YearMonth.now(ZoneOffset.UTC);

    @Test
    void listShowsTheMonthsOfANewInstallAndEnsureCreatesTheMissingOnesOnce() {
        try (TestDatabase database = TestDatabase.migrated()) {
            Run list = run("partitions", "list", "--jdbc-url", database.jdbcUrl());

            assertThat(list.exitCode()).as(list.out() + list.err()).isZero();
            assertThat(list.out())
                    .contains(
                            "token_usage_ledger_default",
                            LedgerLayout.partitionName(CURRENT),
                            LedgerLayout.partitionName(CURRENT.plusMonths(2)))
                    .doesNotContain(LedgerLayout.partitionName(CURRENT.plusMonths(3)));

            YearMonth from = CURRENT.minusMonths(2);
            Run ensure = run(
                    "partitions",
                    "ensure",
                    "--ahead",
                    "4",
                    "--from",
                    from.toString(),
                    "--jdbc-url",
                    database.jdbcUrl());

            assertThat(ensure.exitCode()).as(ensure.out() + ensure.err()).isZero();
            assertThat(ensure.out())
                    .contains(
                            "created 4 partitions",
                            "  " + LedgerLayout.partitionName(from),
                            "  " + LedgerLayout.partitionName(CURRENT.plusMonths(4)));
            assertThat(run("partitions", "ensure", "--ahead", "4", "--jdbc-url", database.jdbcUrl())
                            .out())
                    .contains("created 0 partitions");
        }
    }

    @Test
    void convertTurnsAnUnpartitionedLedgerIntoMonthlyPartitions() throws SQLException {
        try (TestDatabase database = TestDatabase.migratedUnpartitioned()) {
            LedgerSeeder.into(database.dataSource())
                    .rows(6_000)
                    .between(Instant.parse("2026-06-01T00:00:00Z"), Instant.parse("2026-09-01T00:00:00Z"))
                    .seed(6)
                    .load();
            Run before = run("partitions", "list", "--jdbc-url", database.jdbcUrl());

            Run convert = run("partitions", "convert", "--jdbc-url", database.jdbcUrl());

            assertThat(before.exitCode()).isNotZero();
            assertThat(before.err()).contains("is not partitioned", "analytics partitions convert");
            assertThat(convert.exitCode()).as(convert.out() + convert.err()).isZero();
            assertThat(convert.out())
                    .contains("converted: 6,000 rows copied into", "writers waited at most")
                    .contains("token_usage_ledger_y2026m06", "token_usage_ledger_y2026m08");
            assertThat(count(database, "SELECT count(*) FROM analytics.token_usage_ledger_y2026m07"))
                    .isPositive();
            assertThat(count(database, "SELECT count(*) FROM analytics.token_usage_ledger"))
                    .isEqualTo(6_000);
        }
    }

    @Test
    void retentionDropsTheOldestMonthsOnceTheRollupsHoldThemAndArchivesThem(@TempDir Path archive) {
        try (TestDatabase database = TestDatabase.migrated()) {
            // Fifteen months up to now: keeping 13 drops the two oldest.
            YearMonth oldest = CURRENT.minusMonths(14);
            LedgerSeeder.into(database.dataSource())
                    .rows(15_000)
                    .between(
                            oldest.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                            Instant.now().truncatedTo(ChronoUnit.SECONDS))
                    .seed(15)
                    .load();
            assertThat(run("rollups", "refresh", "--jdbc-url", database.jdbcUrl())
                            .exitCode())
                    .isZero();

            Run retention = run(
                    "retention",
                    "--keep",
                    "13months",
                    "--archive",
                    archive.toString(),
                    "--jdbc-url",
                    database.jdbcUrl());
            Run status = run("rollups", "status", "--jdbc-url", database.jdbcUrl());

            assertThat(retention.exitCode())
                    .as(retention.out() + retention.err())
                    .isZero();
            Instant boundary =
                    oldest.plusMonths(2).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            assertThat(retention.out())
                    .contains(
                            "dropped 2 partitions",
                            "raw rows kept from " + boundary,
                            "  " + LedgerLayout.partitionName(oldest),
                            "  archived " + archive.resolve(LedgerLayout.partitionName(oldest) + ".csv"));
            assertThat(Files.exists(archive.resolve(LedgerLayout.partitionName(oldest.plusMonths(1)) + ".csv")))
                    .isTrue();
            assertThat(status.out()).contains("raw rows kept from " + boundary + " on (retention)");
        }
    }

    @Test
    void retentionRefusesAKeepThatIsNotANumberOfMonths() {
        Run retention = run("retention", "--keep", "13 weeks", "--jdbc-url", "jdbc:postgresql://localhost:1/none");

        assertThat(retention.exitCode()).isEqualTo(ExitCode.USAGE.code);
        assertThat(retention.err())
                .contains("--keep must be a number of months such as 13months, but was \"13 weeks\"");
    }

    private static long count(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
