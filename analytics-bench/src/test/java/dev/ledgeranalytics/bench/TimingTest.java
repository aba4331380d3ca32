package dev.ledgeranalytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TimingTest {

    @Test
    void takesNearestRankPercentilesOfTheRuns() {
        long[] nanos = LongStream.rangeClosed(1, 20).map(ms -> ms * 1_000_000).toArray();

        Timing timing = Timing.of(nanos);

        assertThat(timing).isEqualTo(new Timing(20, 10.0, 19.0, 20.0));
        assertThat(timing).hasToString("10.0 / 19.0 / 20.0");
    }

    @Test
    void aSingleRunIsEveryPercentile() {
        assertThat(Timing.of(new long[] {1_234_567_890})).hasToString("1,235 / 1,235 / 1,235");
    }

    @Test
    void runsTheWarmUpThenTheTimedRuns() {
        int[] calls = new int[1];

        Timing timing = Timing.measure(() -> calls[0]++, 3, 20);

        assertThat(calls[0]).isEqualTo(23);
        assertThat(timing.runs()).isEqualTo(20);
    }

    @Test
    void warmsUpAsManyTimesAsAskedAndNotAtAllForNone() {
        int[] calls = new int[1];

        Timing.warmUp(() -> calls[0]++, 5);
        int asked = calls[0];
        Timing.warmUp(() -> calls[0]++, 0);

        assertThat(asked).isEqualTo(5);
        assertThat(calls[0]).isEqualTo(5);
    }
}
