package dev.zerok.adapters.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SystemProvidersTest {
    @Test
    void drbg_loadedByName_givesDistinctBytesFromDrbg() throws ConfigException {
        Entropy entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
        byte[] first = entropy.bytes(32);
        byte[] second = entropy.bytes(32);
        assertThat(first).isNotEqualTo(second);
        assertThat(entropy.toString()).contains("DRBG");
    }

    @Test
    void drbg_unknownKey_rejected() {
        assertThatThrownBy(() -> new DrbgEntropyProvider().open(ProviderConfig.of("source", "/dev/random")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source");
    }

    @Test
    void systemClock_now_neverDecreases() throws ConfigException {
        Clock clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        Instant previous = clock.now();
        for (int i = 0; i < 10_000; i++) {
            Instant next = clock.now();
            assertThat(next).isAfterOrEqualTo(previous);
            previous = next;
        }
    }

    @Test
    void systemClock_schedule_runsTaskAndCancelPreventsIt() throws Exception {
        Clock clock = new SystemClockProvider().open(ProviderConfig.EMPTY);
        CountDownLatch ran = new CountDownLatch(1);
        clock.schedule(Duration.ofMillis(5), ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();

        AtomicBoolean cancelledRan = new AtomicBoolean();
        Timer timer = clock.schedule(Duration.ofHours(1), () -> cancelledRan.set(true));
        assertThat(timer.cancel()).isTrue();
        assertThat(timer.cancel()).isFalse();
        assertThat(cancelledRan).isFalse();
        assertThatThrownBy(() -> clock.schedule(Duration.ofMillis(-1), () -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
