package dev.zerok.ports.transport;

import java.util.concurrent.CompletionStage;

/**
 * One open, ordered, reliable, bidirectional message channel (for QUIC: one bidirectional stream
 * on its own connection). Thread-safe.
 */
public interface Channel {
    /** The peer's address, as the transport saw it. It is metadata: log it only through redaction. */
    Endpoint remoteEndpoint();

    /**
     * Queues one message for sending, after every message queued before it.
     *
     * @param message 1 to {@link Transport#MAX_MESSAGE_BYTES} bytes; the caller must not modify the
     *     array afterwards
     * @return completes once the transport has accepted the message for delivery (not when the
     *     peer has processed it), or exceptionally with a {@link TransportException}: coded
     *     {@link TransportException.Code#TOO_LARGE} for an empty or oversize message (the channel stays
     *     open), {@link TransportException.Code#CLOSED} after {@link #close()} or
     *     {@link TransportException.Code#RESET} if the channel broke
     */
    CompletionStage<Void> send(byte[] message);

    /**
     * Closes the channel after the messages already queued have been sent. The handler's
     * {@link ChannelHandler#onClosed} runs once, with no cause. Idempotent.
     */
    void close();

    /** False once the channel is closed, by either side or by a failure. */
    boolean isOpen();
}
