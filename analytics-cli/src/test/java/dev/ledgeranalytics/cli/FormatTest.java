package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void aDurationIsWrittenExactlyInItsLargestWholeUnits() {
        assertThat(Format.duration(Duration.ofDays(30))).isEqualTo("30 days");
        assertThat(Format.duration(Duration.ofDays(1))).isEqualTo("1 day");
        assertThat(Format.duration(Duration.ofHours(71))).isEqualTo("2 days 23 hours");
        assertThat(Format.duration(Duration.ofHours(743))).isEqualTo("30 days 23 hours");
        assertThat(Format.duration(Duration.ofMinutes(90))).isEqualTo("1 hour 30 minutes");
        assertThat(Format.duration(Duration.ofSeconds(90))).isEqualTo("1 minute 30 seconds");
        assertThat(Format.duration(Duration.ofDays(2).plusSeconds(1))).isEqualTo("2 days 1 second");
        assertThat(Format.duration(Duration.ofMillis(1_500))).isEqualTo("1.5 seconds");
        assertThat(Format.duration(Duration.ofNanos(1))).isEqualTo("0.000000001 seconds");
        assertThat(Format.duration(Duration.ZERO)).isEqualTo("0 seconds");
    }
}
