package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class OptionValueTest {

    @ParameterizedTest
    @CsvSource({"100k, 100000", "1m, 1000000", "10M, 10000000", "250000, 250000", "100m, 100000000"})
    void parsesCountsWithAThousandOrAMillionSuffix(String text, long rows) {
        assertThat(LedgerSize.parse(text).rows()).isEqualTo(rows);
    }

    @ParameterizedTest
    @CsvSource({"100k, 20000", "10m, 20000", "20m, 40000", "100m, 200000"})
    void seedsTwentyThousandUsersUpTo10MRowsAndOnePer500RowsBeyond(String text, int users) {
        assertThat(LedgerSize.parse(text).users()).isEqualTo(users);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"0", "0k", "-1m", "1.5m", "1g", "10 m", "1_000", "k", "101m", "999999999m", "010k"})
    void rejectsAnythingElseNamingTheValue(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LedgerSize.parse(text))
                .withMessageStartingWith("size must be");
    }

    @ParameterizedTest
    @CsvSource({"1d, 1", "30d, 30", "365D, 365"})
    void parsesRangesInDays(String text, int days) {
        assertThat(QueryRange.parse(text).days()).isEqualTo(days);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0d", "366d", "30", "1w", "d"})
    void rejectsRangesOutsideTheSeededYear(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QueryRange.parse(text))
                .withMessageStartingWith("range");
    }
}
