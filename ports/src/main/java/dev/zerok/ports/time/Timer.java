package dev.zerok.ports.time;

/** A scheduled one-shot task. Thread-safe. */
public interface Timer {
    /**
     * Prevents the task from running if it has not started.
     *
     * @return true if this call cancelled it; false if it already ran, is running or was cancelled
     */
    boolean cancel();
}
