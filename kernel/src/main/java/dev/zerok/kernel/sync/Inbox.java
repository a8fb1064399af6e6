package dev.zerok.kernel.sync;

/**
 * Where the engine hands received blobs to the application. Called synchronously while a pulled
 * page is processed, <em>before</em> the page is committed to the ClientStateStore, so a crash
 * between the two makes the page be pulled and delivered again: delivery is at least once, and
 * the application recognises a repeat by {@link DeliveredBlob#blob()}. Blobs arrive in the relay's
 * cursor order, which may differ from a sender's sequence order.
 */
@FunctionalInterface
public interface Inbox {
    /**
     * Accepts one blob.
     *
     * @throws SyncException coded {@code INBOX_FAILED} if the application could not take it; the
     *     engine then commits nothing of the page, closes that relay session and pulls the page
     *     again after the backoff
     */
    void deliver(DeliveredBlob blob) throws SyncException;

    /**
     * Called after the last {@link #deliver} of a page (or of a redelivery batch) and before the
     * page is committed: an application that buffers what it was handed makes it durable here, so
     * a page costs one durability barrier instead of one per blob. The default does nothing.
     *
     * @throws SyncException coded {@code INBOX_FAILED} as {@link #deliver}: nothing of the page is
     *     committed and it is pulled again
     */
    default void flush() throws SyncException {
    }
}
