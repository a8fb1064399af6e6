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

    /**
     * Stops inbound delivery: while paused the transport delivers no {@link ChannelHandler#onMessage}
     * to this channel's handler and stops reading from the network, so the peer is held back by the
     * transport's own flow control (for QUIC, RFC 9000 section 4.1: the stream's credit,
     * MAX_STREAM_DATA, is not returned, and the peer's sends stop completing once its window is
     * used up). Data that already arrived is kept, in order, for {@link #resumeReading()}.
     *
     * <p>The pause is the receiver's choice, not the peer's slowness: a message left incomplete by
     * the pause does not count against the transport's read timeout while paused (its timer starts
     * afresh on resume). The idle timeout still applies. An orderly close by the peer is reported
     * behind the held messages, so only after {@link #resumeReading()}; a failure (reset, timeout)
     * is reported at once and what was held is dropped.
     *
     * <p>Idempotent; thread-safe; callable from any thread, including from inside
     * {@link ChannelHandler#onMessage}. A message already being delivered when this is called may
     * finish; no other message is delivered after it returns. The mock transport holds messages
     * the same way but models no credit, so there the peer's sends keep completing.
     */
    void pauseReading();

    /**
     * Undoes {@link #pauseReading()}: the messages held while paused are delivered first, in order,
     * then reading from the network continues and the peer gets its credit back. Idempotent;
     * thread-safe; callable from any thread. No effect on a closed channel.
     */
    void resumeReading();
}
