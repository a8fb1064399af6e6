package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void baseDelay_consecutiveFailures_doublesFromOneSecondToThirtySecondCap() {
        assertThat(IntStream.rangeClosed(1, 9).mapToObj(Backoff::baseDelay).map(Duration::toSeconds).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L, 30L);
        assertThat(Backoff.baseDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void delay_jitterOutOfRangeOrNoFailure_rejected() {
        assertThatThrownBy(() -> Backoff.delay(1, Duration.ofMillis(5001))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.delay(1, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.baseDelay(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jitter_manyDraws_coverBothEndsOfTheRange() {
        SeededEntropy entropy = new SeededEntropy(1);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 20_000; i++) {
            long ms = Backoff.jitter(entropy).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).isBetween(0L, 10L);
        assertThat(max).isBetween(4990L, 5000L);
    }

    @Property(tries = 500)
    void delay_anyFailureCountAndSeed_withinBasePlusFiveSecondsAndCapped(
            @ForAll @IntRange(min = 1, max = 10_000) int failures, @ForAll long seed) {
        Duration base = Backoff.baseDelay(failures);
        Duration delay = Backoff.delay(failures, Backoff.jitter(new SeededEntropy(seed)));
        assertThat(base).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(delay).isBetween(base, base.plusSeconds(5));
        if (failures >= 6) {
            assertThat(base).isEqualTo(Duration.ofSeconds(30));
        } else {
            assertThat(base).isEqualTo(Duration.ofSeconds(1L << (failures - 1)));
        }
    }
}
