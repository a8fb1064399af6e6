package dev.zerok.client;

import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test clock provider {@code jump}: the system clock shifted by an offset a test moves forward
 * ({@link #jump}), so a relay's TTL and purge see weeks pass while QUIC's timers run in real time.
 */
public final class JumpClockProvider implements ClockProvider {
    private static final AtomicReference<Duration> OFFSET = new AtomicReference<>(Duration.ZERO);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jump-clock");
        t.setDaemon(true);
        return t;
    });

    /** Moves every {@code jump} clock forward by {@code by}. */
    static void jump(Duration by) {
        OFFSET.accumulateAndGet(by, Duration::plus);
    }

    static void reset() {
        OFFSET.set(Duration.ZERO);
    }

    @Override
    public String name() {
        return "jump";
    }

    @Override
    public Clock open(ProviderConfig config) {
        return new Clock() {
            @Override
            public Instant now() {
                return Instant.now().plus(OFFSET.get());
            }

            @Override
            public Timer schedule(Duration delay, Runnable task) {
                ScheduledFuture<?> f = TIMERS.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }
        };
    }
}
