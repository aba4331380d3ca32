package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testing.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class GrossMarginTest extends LedgerQueryTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-08T00:00:00Z");

    GrossMarginTest(DataSource dataSource) {
        super(dataSource);
    }

    @Test
    void totalsTheRangeIncludingARowExactlyAtFromAndExcludingOneExactlyAtTo() {
        ledger.insert(
                Row.at("2026-11-01T00:00:00Z", "0.01000000", "0.00500000").tokens(1000, 200, 3),
                Row.at("2026-11-07T23:59:59.999999Z", "0.02000000", "0.01000000")
                        .tokens(500, 50, 2),
                Row.at("2026-11-08T00:00:00Z", "5.00000000", "5.00000000"));

        PeriodTotals current =
                queries.grossMargin(LedgerFilter.between(FROM, TO)).current();

        assertThat(current.requests()).isEqualTo(2);
        assertThat(current.inputTokens()).isEqualTo(1500);
        assertThat(current.outputTokens()).isEqualTo(250);
        assertThat(current.credits()).isEqualTo(5);
        assertThat(current.vendorCost()).isEqualTo(new BigDecimal("0.03000000"));
        assertThat(current.revenue()).isEqualTo(new BigDecimal("0.04500000"));
        assertThat(current.grossMargin()).isEqualTo(new BigDecimal("0.01500000"));
        assertThat(current.marginRatio()).isEqualTo(new BigDecimal("0.333333"));
        assertThat(current.from()).isEqualTo(FROM);
        assertThat(current.to()).isEqualTo(TO);
    }

    @Test
    void comparesWithThePrecedingPeriodOfEqualLength() {
        ledger.insert(
                Row.at("2026-10-25T00:00:00Z", "0.10000000", "0.10000000"), // first instant of the previous week
                Row.at("2026-10-24T23:59:59Z", "9.00000000", "9.00000000"), // before it: in neither period
                Row.at("2026-11-03T12:00:00Z", "0.12000000", "0.12000000"),
                Row.at("2026-11-04T12:00:00Z", "0.00000000", "0.00000000"));

        GrossMargin kpi = queries.grossMargin(LedgerFilter.between(FROM, TO));

        assertThat(kpi.previous().from()).isEqualTo(Instant.parse("2026-10-25T00:00:00Z"));
        assertThat(kpi.previous().to()).isEqualTo(FROM);
        assertThat(kpi.previous().requests()).isEqualTo(1);
        assertThat(kpi.previous().revenue()).isEqualTo(new BigDecimal("0.20000000"));
        assertThat(kpi.current().revenue()).isEqualTo(new BigDecimal("0.24000000"));
        assertThat(kpi.revenueChange()).isEqualTo(new BigDecimal("0.200000"));
        assertThat(kpi.requestsChange()).isEqualTo(new BigDecimal("1.000000"));
        assertThat(kpi.grossMarginChange()).isEqualTo(new BigDecimal("0.200000"));
        assertThat(kpi.vendorCostChange()).isEqualTo(new BigDecimal("0.200000"));
    }

    @Test
    void countsFailedRequestsThatCostMoneyAsNegativeMarginWhenAsked() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0.04000000", "0.02000000"),
                Row.at("2026-11-02T01:00:00Z", "0.03000000", "-0.03000000")
                        .status(RequestStatus.FAILED)
                        .tokens(900, 0, 0));

        LedgerFilter successOnly = LedgerFilter.between(FROM, TO);
        LedgerFilter everything = successOnly.anyStatus();

        assertThat(queries.grossMargin(successOnly).current().grossMargin()).isEqualTo(new BigDecimal("0.02000000"));
        PeriodTotals all = queries.grossMargin(everything).current();
        assertThat(all.requests()).isEqualTo(2);
        assertThat(all.grossMargin()).isEqualTo(new BigDecimal("-0.01000000"));
        assertThat(all.revenue()).isEqualTo(new BigDecimal("0.06000000"));
        assertThat(all.marginRatio()).isEqualTo(new BigDecimal("-0.166667"));
        assertThat(queries.grossMargin(successOnly.statuses(RequestStatus.FAILED))
                        .current()
                        .grossMargin())
                .isEqualTo(new BigDecimal("-0.03000000"));
    }

    @Test
    void anEmptyRangeIsAllZerosWithoutRatiosOrChanges() {
        ledger.insert(Row.at("2026-12-01T00:00:00Z", "1.00000000", "1.00000000"));

        GrossMargin kpi = queries.grossMargin(LedgerFilter.between(FROM, TO));

        assertThat(kpi.current().requests()).isZero();
        assertThat(kpi.current().vendorCost()).isZero();
        assertThat(kpi.current().revenue()).isZero();
        assertThat(kpi.current().marginRatio()).isNull();
        assertThat(kpi.revenueChange()).isNull();
        assertThat(kpi.requestsChange()).isNull();
    }

    @Test
    void aFilterThatMatchesNothingGivesZeros() {
        ledger.insert(Row.at("2026-11-02T00:00:00Z", "0.04000000", "0.02000000"));

        assertThat(queries.grossMargin(LedgerFilter.between(FROM, TO).providers(List.of()))
                        .current()
                        .requests())
                .isZero();
        assertThat(queries.grossMargin(LedgerFilter.between(FROM, TO).providers("no-such-provider"))
                        .current()
                        .requests())
                .isZero();
        assertThat(queries.grossMargin(LedgerFilter.between(FROM, TO).statuses(List.of()))
                        .current()
                        .requests())
                .isZero();
        assertThat(queries.grossMargin(LedgerFilter.between(FROM, TO).tiers("free"))
                        .current()
                        .requests())
                .isZero();
        assertThat(queries.grossMargin(LedgerFilter.between(FROM, TO).tiers("pro"))
                        .current()
                        .requests())
                .isEqualTo(1);
    }

    @Test
    void appliesEveryKindOfFilter() {
        ledger.insert(
                Row.at("2026-11-02T00:00:00Z", "0.00000001", "0.00000001"),
                Row.at("2026-11-02T00:00:00Z", "0.00000010", "0.00000010").provider("anthropic"),
                Row.at("2026-11-02T00:00:00Z", "0.00000100", "0.00000100").model("gpt-4o-mini"),
                Row.at("2026-11-02T00:00:00Z", "0.00001000", "0.00001000").user(Row.BOB),
                Row.at("2026-11-02T00:00:00Z", "0.00010000", "0.00010000").tier("free"),
                Row.at("2026-11-02T00:00:00Z", "0.00100000", "0.00100000").requestType("embedding"),
                Row.at("2026-11-02T00:00:00Z", "0.01000000", "0.01000000").status(RequestStatus.CANCELLED));
        LedgerFilter week = LedgerFilter.between(FROM, TO);

        assertThat(cost(week)).isEqualTo("0.00111111");
        assertThat(cost(week.providers("anthropic"))).isEqualTo("0.00000010");
        assertThat(cost(week.models("gpt-4o-mini", "unknown"))).isEqualTo("0.00000100");
        assertThat(cost(week.users(Row.BOB))).isEqualTo("0.00001000");
        assertThat(cost(week.tiers("free"))).isEqualTo("0.00010000");
        assertThat(cost(week.requestTypes("embedding"))).isEqualTo("0.00100000");
        assertThat(cost(week.statuses(RequestStatus.CANCELLED))).isEqualTo("0.01000000");
        assertThat(cost(week.anyStatus())).isEqualTo("0.01111111");
        assertThat(cost(week.providers("openai")
                        .tiers("pro")
                        .users(Row.ALICE)
                        .models("gpt-4o")
                        .requestTypes("chat")))
                .isEqualTo("0.00000001");
    }

    private String cost(LedgerFilter filter) {
        return queries.grossMargin(filter).current().vendorCost().toPlainString();
    }
}
