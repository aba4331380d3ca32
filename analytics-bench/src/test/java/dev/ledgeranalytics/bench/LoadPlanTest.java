package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LoadPlanTest {

    @ParameterizedTest
    @CsvSource({"30s, PT30S", "5m, PT5M", "2H, PT2H", "3d, PT72H"})
    void parsesDurationsInSecondsMinutesHoursAndDays(String text, String duration) {
        assertThat(OptionValue.duration(text)).isEqualTo(Duration.parse(duration));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0s", "5", "1.5m", "PT5M", "5 m", "1w", "-1s"})
    void rejectsAnyOtherDurationNamingTheValue(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OptionValue.duration(text))
                .withMessageStartingWith("duration must be")
                .withMessageEndingWith("but was \"" + text + "\"");
    }

    @Test
    void showsDurationsInTheLargestUnitThatDividesThem() {
        assertThat(List.of(
                        Duration.ofDays(3),
                        Duration.ofDays(1),
                        Duration.ofHours(2),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(90)))
                .extracting(LoadPlan::shown)
                .containsExactly("3 days", "1 day", "2 h", "5 min", "90 s");
    }

    @Test
    void refusesLateRowsYoungerThanTheirMinimumAgeAndASharePastAHundredPercent() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> plan(1, Duration.ofHours(1), Duration.ofSeconds(5)))
                .withMessage("late max age must be between 3,601 s and 365 days, but was 1 h");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> plan(101, Duration.ofDays(1), Duration.ofSeconds(5)))
                .withMessage("late share must be between 0 and 100 %, but was 101.0");
    }

    @Test
    void refusesARefreshIntervalLongerThanTheLoad() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> plan(1, Duration.ofDays(1), Duration.ofMinutes(2)))
                .withMessage("refresh interval must be between 1 s and 1 min, but was 2 min");
    }

    private static LoadPlan plan(double latePercent, Duration lateMaxAge, Duration refreshEvery) {
        return new LoadPlan(
                new LedgerSize(100_000),
                2,
                2,
                200,
                latePercent,
                lateMaxAge,
                Duration.ofSeconds(5),
                Duration.ofMinutes(1),
                refreshEvery,
                Duration.ofSeconds(5),
                List.of(new QueryRange(1)));
    }
}
