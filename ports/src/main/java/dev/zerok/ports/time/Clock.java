package dev.zerok.ports.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The Clock port: the current time and one-shot timers. Everything in zerok that needs time
 * (timeouts, backoff, TTL, rate limits) reads it here, so the chaos simulator can run thousands
 * of virtual seconds per real second. The kernel never reads a clock: drivers pass {@code now}
 * in.
 *
 * <p>Thread-safe. {@link #now()} never goes backwards within one Clock instance (a system
 * adapter clamps wall-clock steps back).
 */
public interface Clock {
    /** The current instant (UTC), non-decreasing across calls. */
    Instant now();

    /**
     * Runs {@code task} once, no earlier than {@code delay} from {@link #now()}.
     *
     * @param delay zero or positive; zero means "as soon as possible, after the caller returns"
     * @param task must not block; exceptions it throws are logged by the adapter and swallowed
     * @return a handle that can cancel the task before it runs
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    Timer schedule(Duration delay, Runnable task);
}
