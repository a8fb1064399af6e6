package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The system clock with one daemon timer thread, for tests of a real-network transport. */
final class RealTimeClock implements Clock, AutoCloseable {
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "test-clock");
        t.setDaemon(true);
        return t;
    });

    RealTimeClock() {
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        ScheduledFuture<?> future = timers.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // Swallowed, as the Clock port requires.
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
