package dev.zerok.adapters.crypto;

import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The wall clock, clamped so it never goes backwards (an NTP step back repeats the last instant
 * instead), with one daemon thread running timers. Thread-safe.
 */
final class SystemClock implements Clock {
    private static final System.Logger LOG = System.getLogger(SystemClock.class.getName());
    private final AtomicReference<Instant> last = new AtomicReference<>(Instant.EPOCH);
    private final ScheduledThreadPoolExecutor timers;

    SystemClock() {
        timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "zerok-clock-timer");
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Instant now() {
        Instant wall = Instant.now();
        return last.accumulateAndGet(wall, (previous, current) -> current.isBefore(previous) ? previous : current);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("timer delay must not be negative, got " + delay);
        }
        long delayNanos = delay.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE : delay.toNanos();
        ScheduledFuture<?> future = timers.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "a scheduled task threw " + e.getClass().getName(), e);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
