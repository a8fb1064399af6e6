package dev.zerok.chaos.sim;

import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * A view of another clock shifted by a fixed offset (a device whose wall clock is skewed): reads
 * are shifted, timer delays are not. Thread-safe if the underlying clock is.
 */
public final class OffsetClock implements Clock {
    private final Clock base;
    private final Duration offset;

    /** @param offset positive: this clock is ahead of {@code base} */
    public OffsetClock(Clock base, Duration offset) {
        this.base = base;
        this.offset = offset;
    }

    @Override
    public Instant now() {
        return base.now().plus(offset);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        return base.schedule(delay, task);
    }
}
