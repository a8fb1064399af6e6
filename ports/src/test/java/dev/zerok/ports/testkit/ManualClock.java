package dev.zerok.ports.testkit;

import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A virtual {@link Clock} for tests and the mock chaos topology: time moves only when the test
 * says so, and due tasks run on the calling thread in (due time, scheduling order) order, so a
 * run is fully deterministic. Thread-safe for scheduling; {@link #advance} and
 * {@link #runUntilIdle} must be called from one driver thread.
 */
public final class ManualClock implements Clock {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private Instant now;
    private long sequence;

    /** A clock at {@code start}. */
    public ManualClock(Instant start) {
        this.now = start;
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized Timer schedule(Duration delay, Runnable task) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        Task t = new Task(now.plus(delay), sequence++, task);
        queue.add(t);
        return t;
    }

    /** Moves time forward by {@code step}, running every task that falls due on the way, in order. */
    public void advance(Duration step) {
        Instant target;
        synchronized (this) {
            target = now.plus(step);
        }
        runDueUntil(target);
        synchronized (this) {
            if (now.isBefore(target)) {
                now = target;
            }
        }
    }

    /** Runs tasks (jumping time to each) until none is left or {@code maxTasks} have run. */
    public int runUntilIdle(int maxTasks) {
        int ran = 0;
        while (ran < maxTasks) {
            Task next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    return ran;
                }
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            if (next.claim()) {
                next.action.run();
                ran++;
            }
        }
        return ran;
    }

    /** Number of tasks scheduled and not yet run or cancelled. */
    public synchronized int pendingTasks() {
        return (int) queue.stream().filter(t -> !t.cancelled && !t.started).count();
    }

    private void runDueUntil(Instant target) {
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    return;
                }
                queue.poll();
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            if (next.claim()) {
                next.action.run();
            }
        }
    }

    private static final class Task implements Timer, Comparable<Task> {
        final Instant due;
        final long order;
        final Runnable action;
        boolean cancelled;
        boolean started;

        Task(Instant due, long order, Runnable action) {
            this.due = due;
            this.order = order;
            this.action = action;
        }

        synchronized boolean claim() {
            if (cancelled || started) {
                return false;
            }
            started = true;
            return true;
        }

        @Override
        public synchronized boolean cancel() {
            if (cancelled || started) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public int compareTo(Task o) {
            int byTime = due.compareTo(o.due);
            return byTime != 0 ? byTime : Long.compare(order, o.order);
        }
    }
}
