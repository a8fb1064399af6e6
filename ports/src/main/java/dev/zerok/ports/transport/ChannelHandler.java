package dev.zerok.ports.transport;

import java.util.Optional;

/**
 * Receives one channel's events, one at a time and in order: zero or more
 * {@link #onMessage(byte[])}, then exactly one {@link #onClosed(Optional)}.
 * Implementations must return quickly and must not block.
 */
public interface ChannelHandler {
    /**
     * One whole message, 1 to {@link Transport#MAX_MESSAGE_BYTES} bytes, in send order. The array
     * belongs to the handler.
     */
    void onMessage(byte[] message);

    /**
     * The channel closed: {@code cause} is empty for an orderly close by either side, otherwise
     * the failure (timeout, reset, protocol violation, oversize frame from the peer).
     */
    void onClosed(Optional<TransportException> cause);
}
