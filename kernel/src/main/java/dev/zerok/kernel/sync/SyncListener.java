package dev.zerok.kernel.sync;

/**
 * Receives {@link SyncEvent}s from a {@link SyncRunner}, synchronously, on the thread that called
 * {@link SyncRunner#handle} or {@link SyncRunner#push}, in the order they happened, after the
 * call's local work ran. A listener must return quickly and must not call back into the runner;
 * an exception it throws is caught and ignored so one faulty listener cannot stop sync.
 */
@FunctionalInterface
public interface SyncListener {
    /** One event. */
    void onEvent(SyncEvent event);
}
