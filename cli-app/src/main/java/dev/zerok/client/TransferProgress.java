package dev.zerok.client;

/** Progress of a long transfer, for progress bars; called from the transferring thread. */
@FunctionalInterface
public interface TransferProgress {
    /** Reports nothing. */
    TransferProgress NONE = (done, total) -> { };

    /**
     * @param doneBytes plaintext bytes handled so far
     * @param totalBytes plaintext bytes in the whole transfer
     */
    void update(long doneBytes, long totalBytes);
}
