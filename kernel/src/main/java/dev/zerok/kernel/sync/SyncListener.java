package dev.zerok.kernel.sync;

/**
 * Receives {@link SyncEvent}s, synchronously, on the thread that called {@link SyncEngine#handle}
 * or {@link SyncEngine#push}, in the order they happened. A listener must return quickly and must
 * not call back into the engine; an exception it throws is caught and ignored by the engine so one
 * faulty listener cannot stop sync.
 */
@FunctionalInterface
public interface SyncListener {
    /** One event. */
    void onEvent(SyncEvent event);
}
