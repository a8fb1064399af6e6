package dev.zerok.relayapp;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a backing executor (virtual threads). Each
 * connection has one, so its session machine is never entered concurrently while blocking store
 * calls stay off the transport's event loop. A task that throws is handed to the failure handler
 * (the connection answers it with a close), never swallowed; the next task still runs. The queue
 * is bounded by its users: the connection stops reading while too many inbound bytes wait here.
 */
final class SerialExecutor implements Executor {
    private final Executor backing;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor backing, Consumer<Throwable> onFailure) {
        this.backing = backing;
        this.onFailure = onFailure;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        backing.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | OutOfMemoryError e) {
                // An OutOfMemoryError too: the connection is closed and its memory freed, and the
                // lane stays alive (left to escape, it would wedge this connection for good).
                try {
                    onFailure.accept(e);
                } catch (RuntimeException | OutOfMemoryError second) {
                    e.addSuppressed(second); // the lane must keep draining whatever the handler does
                }
            }
        }
    }
}
