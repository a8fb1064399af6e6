package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportProvider;

/**
 * The {@code quic} Transport provider: Netty's QUIC codec (quiche + BoringSSL, native, Linux
 * x86-64), RFC 9000 / RFC 9001. Each port {@code Channel} is one bidirectional QUIC stream on its
 * own QUIC connection; ALPN is {@value QuicTransport#ALPN}. Each message travels on the stream as
 * a 2-byte big-endian length and the bytes:
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+--------------------------+
 * |  length (uint16, big-endian)  |  length bytes of message  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+--------------------------+
 *   length is 1..65535; 0 is a framing violation
 * </pre>
 *
 * <p>TLS 1.3 is QUIC's mandatory wrapper only: the server presents a self-signed certificate
 * generated at start-up and clients accept any certificate. Peer identity comes from the Noise
 * handshake above the transport, with the pinned relay key; never rely on TLS here.
 *
 * <p>Configuration keys (unknown keys are rejected; durations like {@code 30s}, {@code 250ms}):
 * <ul>
 *   <li>{@code idle.timeout} (30s): QUIC max_idle_timeout; a connection with no packets for this
 *       long closes, and its channel reports {@code TIMEOUT}.
 *   <li>{@code read.timeout} (10s): a message whose first bytes arrived must be complete within
 *       this, else the connection closes with {@code TIMEOUT} (slowloris guard).
 *   <li>{@code connect.timeout} (10s): a connect not established within this fails {@code TIMEOUT}.
 *   <li>{@code max.connections} (1024): connections a server holds at once; more are refused.
 *   <li>{@code max.streams.per.connection} (1): bidirectional streams a peer may open on one
 *       connection (QUIC initial_max_streams_bidi).
 *   <li>{@code datagram.size} (1350): largest UDP payload sent and received, 1200..65527.
 *   <li>{@code event.loop.threads} (2): Netty event-loop threads of this transport.
 *   <li>{@code stream.window.bytes} (8 MiB): QUIC flow-control window per stream; the connection
 *       window is twice this.
 * </ul>
 *
 * <p>Thread-safe and stateless; each {@link #open} starts a transport with its own event loops.
 */
public final class QuicTransportProvider implements TransportProvider {
    public QuicTransportProvider() {}

    @Override
    public String name() {
        return "quic";
    }

    /**
     * @throws ConfigException if a key is unknown or a value invalid
     * @throws TransportException coded {@code PROTOCOL} if the native QUIC library cannot load on
     *     this platform or the TLS certificate cannot be generated
     */
    @Override
    public Transport open(ProviderConfig config, ProviderContext context) throws ConfigException, TransportException {
        return QuicTransport.start(QuicSettings.parse(config), context);
    }
}
