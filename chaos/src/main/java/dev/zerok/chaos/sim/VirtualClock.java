package dev.zerok.chaos.sim;

import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * The simulator's virtual {@link Clock} and scheduler: time moves only when the driver says so;
 * due tasks run on the driver's thread ordered by (due time, submission order), so ties run in the
 * order they were scheduled and a run is fully deterministic. Thread-safe for scheduling;
 * {@link #advance} and {@link #runUntil} must be called from one driver thread.
 */
public final class VirtualClock implements Clock {
    /** The start of every simulation: 2026-01-01T00:00:00Z. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final long maxTasksPerStep;
    private Instant now;
    private long sequence;
    private long tasksRun;

    /**
     * @param start the initial time
     * @param maxTasksPerStep the most tasks one {@link #advance} may run before it declares a
     *     livelock (tasks rescheduling themselves at zero delay forever)
     */
    public VirtualClock(Instant start, long maxTasksPerStep) {
        this.now = start;
        this.maxTasksPerStep = maxTasksPerStep;
    }

    /** A clock at {@link #EPOCH} allowing 2,000,000 tasks per step. */
    public VirtualClock() {
        this(EPOCH, 2_000_000);
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

    /**
     * Moves time forward by {@code step}, running every task due on the way, in order.
     *
     * @throws IllegalStateException if more than the configured number of tasks run in this step
     */
    public void advance(Duration step) {
        Instant target;
        synchronized (this) {
            target = now.plus(step);
        }
        runUntil(target);
    }

    /**
     * Runs every task due at or before {@code target}, then sets the time to {@code target}.
     *
     * @throws IllegalStateException on a livelock (see the constructor)
     */
    public void runUntil(Instant target) {
        long ran = 0;
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    if (now.isBefore(target)) {
                        now = target;
                    }
                    return;
                }
                queue.poll();
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            if (next.claim()) {
                next.action.run();
                tasksRun++;
                if (++ran > maxTasksPerStep) {
                    throw new IllegalStateException("livelock: more than " + maxTasksPerStep
                            + " tasks ran without time reaching " + target);
                }
            }
        }
    }

    /** Tasks run since creation (a cost figure for reports). */
    public synchronized long tasksRun() {
        return tasksRun;
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pendingTasks() {
        return (int) queue.stream().filter(t -> !t.cancelled && !t.started).count();
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
