package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FaultProfileTest {

    @Test
    void withers_changeOneParameter_keepTheOthers() {
        FaultProfile p = FaultProfile.NONE.withLoss(0.2).withLatency(Duration.ofMillis(50), Duration.ofMillis(10))
                .withBandwidth(1_000).withLimitData(5).withPartitioned(true).withDuplicate(0.1).withCorrupt(0.3)
                .withReorder(0.4, Duration.ofMillis(7)).withQueueLimit(9).withBurstLoss(new BurstLoss(0.1, 0.2, 0.9));

        assertThat(p).isEqualTo(new FaultProfile(Duration.ofMillis(50), Duration.ofMillis(10), 0.2,
                new BurstLoss(0.1, 0.2, 0.9), 0.4, Duration.ofMillis(7), 0.1, 0.3, OptionalLong.of(1_000), 9, true,
                OptionalLong.of(5)));
        assertThat(p.withBandwidth(OptionalLong.empty()).bandwidthBytesPerSecond()).isEmpty();
        assertThat(p.withLimitData(OptionalLong.empty()).limitDataBytes()).isEmpty();
    }

    @Test
    void constructor_probabilityOutOfRange_throwsNamingTheParameter() {
        assertThatThrownBy(() -> FaultProfile.NONE.withLoss(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lossProbability");
        assertThatThrownBy(() -> FaultProfile.NONE.withDuplicate(-0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicateProbability");
        assertThatThrownBy(() -> FaultProfile.NONE.withCorrupt(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corruptProbability");
        assertThatThrownBy(() -> new BurstLoss(0.1, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burstBadToGoodProbability");
    }

    @Test
    void constructor_negativeOrZeroSizes_throw() {
        assertThatThrownBy(() -> FaultProfile.NONE.withLatency(Duration.ofMillis(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latencyMean");
        assertThatThrownBy(() -> FaultProfile.NONE.withBandwidth(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bandwidthBytesPerSecond");
        assertThatThrownBy(() -> FaultProfile.NONE.withQueueLimit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueLimitBytes");
        assertThatThrownBy(() -> FaultProfile.NONE.withLimitData(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limitDataBytes");
        assertThat(FaultProfile.NONE.withLimitData(0).limitDataBytes()).hasValue(0);
    }

    @Test
    void burstLoss_none_isDisabled() {
        assertThat(BurstLoss.NONE.enabled()).isFalse();
        assertThat(new BurstLoss(0.01, 0.5, 1).enabled()).isTrue();
    }
}
