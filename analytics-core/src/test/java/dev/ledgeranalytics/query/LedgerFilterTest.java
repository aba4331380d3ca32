package dev.ledgeranalytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LedgerFilterTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-02T00:00:00Z");

    @Test
    void defaultsToSuccessfulRequestsWithNoOtherRestriction() {
        LedgerFilter filter = LedgerFilter.between(FROM, TO);

        assertThat(filter.statuses()).containsExactly(RequestStatus.SUCCESS);
        assertThat(filter.providers()).isNull();
        assertThat(filter.models()).isNull();
        assertThat(filter.users()).isNull();
        assertThat(filter.tiers()).isNull();
        assertThat(filter.requestTypes()).isNull();
    }

    @Test
    void refusesAnEmptyOrReversedRange() {
        assertThatThrownBy(() -> LedgerFilter.between(FROM, FROM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from must be before to, but from = 2026-11-01T00:00:00Z and to = 2026-11-01T00:00:00Z");
        assertThatThrownBy(() -> LedgerFilter.between(TO, FROM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LedgerFilter.between(null, TO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from must not be null");
        assertThatThrownBy(() -> LedgerFilter.between(FROM, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("to must not be null");
    }

    @Test
    void refusesNullRestrictions() {
        LedgerFilter filter = LedgerFilter.between(FROM, TO);

        assertThatThrownBy(() -> filter.providers("openai", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("providers")
                .hasMessageContaining("null");
        assertThatThrownBy(() -> filter.users((UUID[]) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("users");
        assertThatThrownBy(() -> filter.tiers((List<String>) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tiers");
        assertThatThrownBy(() -> new LedgerFilter(FROM, TO, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statuses");
    }

    @Test
    void refusesInstantsOutsideYearsOneTo9999AndNullStatuses() {
        assertThatThrownBy(() -> LedgerFilter.between(Instant.EPOCH, Instant.MAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to must lie between");
        assertThatThrownBy(() -> LedgerFilter.between(Instant.MIN, TO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from must lie between");
        Set<RequestStatus> withNull = new HashSet<>();
        withNull.add(null);
        assertThatThrownBy(() -> new LedgerFilter(FROM, TO, withNull, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statuses must not contain null");
    }

    @Test
    void refusesTheFirstInstantOfYear10000WhichTheRollupReadsCannotBind() {
        Instant year10000 = Instant.parse("+10000-01-01T00:00:00Z");

        assertThatThrownBy(() -> LedgerFilter.between(FROM, year10000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to must lie between")
                .hasMessageContaining("+10000-01-01T00:00:00Z");
        assertThat(LedgerFilter.between(FROM, year10000.minusNanos(1000)).to()).isBefore(year10000);
    }

    @Test
    void anEmptyRestrictionIsKeptAsMatchingNothing() {
        LedgerFilter filter = LedgerFilter.between(FROM, TO).models(List.of()).statuses(List.of());

        assertThat(filter.models()).isEmpty();
        assertThat(filter.statuses()).isEmpty();
    }

    @Test
    void isImmutable() {
        Set<String> tiers = new HashSet<>(Set.of("pro"));
        LedgerFilter filter =
                new LedgerFilter(FROM, TO, EnumSet.of(RequestStatus.FAILED), null, null, null, tiers, null);
        tiers.add("free");

        assertThat(filter.tiers()).containsExactly("pro");
        assertThatThrownBy(() -> filter.tiers().add("enterprise")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> filter.statuses().add(RequestStatus.SUCCESS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(filter.during(TO, TO.plusSeconds(1)).tiers()).containsExactly("pro");
        assertThat(filter.anyStatus().statuses()).containsExactlyInAnyOrder(RequestStatus.values());
    }
}
