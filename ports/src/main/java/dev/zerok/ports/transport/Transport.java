package dev.zerok.ports.transport;

import java.util.concurrent.CompletionStage;

/**
 * The Transport port: ordered, reliable, bidirectional channels that carry whole messages
 * (framing is the transport's job), as a client ({@link #connect}) and as a server ({@link #bind}).
 *
 * <p>A <b>message</b> is 1 to {@value #MAX_MESSAGE_BYTES} bytes: one Noise message (Noise spec
 * rev 34 section 3 caps those at 65535 bytes). The kernel splits larger protocol frames across
 * messages; see docs/PROTOCOL.md. A channel delivers messages in the order they were sent, each
 * exactly once and unmodified, or it closes with a {@link TransportException}; it never delivers a
 * partial message.
 *
 * <p><b>Threading.</b> Implementations are thread-safe. Events of one channel (its messages, then
 * its single close) are delivered to its {@link ChannelHandler} one at a time, in order, on a thread
 * the transport owns; handlers must not block. The deterministic mock transport delivers them on
 * the simulation's scheduler instead.
 *
 * <p>Implementations come from a {@link TransportProvider} selected by name.
 */
public interface Transport extends AutoCloseable {
    /** The largest message a channel carries, in bytes (the Noise message limit). */
    int MAX_MESSAGE_BYTES = 65_535;

    /**
     * Opens a channel to {@code remote}.
     *
     * @param remote where the server listens
     * @param handler receives this channel's messages and its close; installed before the first
     *     message can arrive
     * @return completes with the open channel, or exceptionally with a {@link TransportException}
     *     coded {@link TransportException.Code#REFUSED} (nobody listens or the peer rejected the
     *     connection), {@link TransportException.Code#TIMEOUT} (no answer within the transport's
     *     connect timeout) or {@link TransportException.Code#PROTOCOL} (the peer speaks another
     *     protocol or version)
     */
    CompletionStage<Channel> connect(Endpoint remote, ChannelHandler handler);

    /**
     * Listens on {@code local}; every accepted channel is passed to {@code acceptor}.
     *
     * @param local the address and port to bind; port 0 picks a free port (see
     *     {@link Server#localEndpoint()})
     * @throws TransportException coded {@link TransportException.Code#ADDRESS_IN_USE} if the
     *     address cannot be bound
     */
    Server bind(Endpoint local, Acceptor acceptor) throws TransportException;

    /** Closes every channel and server this transport opened and releases its threads. Idempotent. */
    @Override
    void close();
}
