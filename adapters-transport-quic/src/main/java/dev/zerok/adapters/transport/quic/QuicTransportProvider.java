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
 *   <li>{@code connect.timeout} (30s): a connect not established within this fails {@code TIMEOUT}.
 *       30 s so that a 5 s one-way delay (satellite, seed 000 E-HS-04) connects: a handshake with
 *       Retry takes two round trips (20 s there) before the client is connected.
 *   <li>{@code max.connections} (1024): connections a server holds at once; more are refused.
 *   <li>{@code max.streams.per.connection} (1): bidirectional streams a peer may open on one
 *       connection (QUIC initial_max_streams_bidi).
 *   <li>{@code datagram.size} (1350): largest UDP payload sent and received, 1200..65527.
 *   <li>{@code event.loop.threads} (2): Netty event-loop threads of this transport.
 *   <li>{@code stream.window.bytes} (8 MiB): QUIC flow-control window per stream; the connection
 *       window is twice this. It is also what a peer can have outstanding while the receiver is
 *       paused ({@code Channel.pauseReading()} withholds the stream's credit).
 *   <li>{@code retry} (true): QUIC Retry (RFC 9000 section 8.1.2) with an HMAC-SHA256 address
 *       validation token (key per transport, from the Entropy port; valid for
 *       {@code retry.token.lifetime}): no connection state for an address that has not echoed a
 *       token, so spoofed sources cannot open connections or fill the per-source table. Costs one
 *       round trip per connect.
 *   <li>{@code max.connections.per.source} (32): open connections one remote IP address (any
 *       port) may hold; more are refused ({@code SOURCE_CONNECTION_CAP}).
 *   <li>{@code handshake.rate.per.source.per.second} (20) and
 *       {@code handshake.rate.per.source.burst} (40): a token bucket per remote IP address on new
 *       connections; an empty bucket refuses ({@code SOURCE_HANDSHAKE_RATE}).
 *   <li>{@code max.sources.tracked} (100000): bound of the per-source table; sources with no
 *       connection and a full bucket are evicted, and when the table is full of busy sources new
 *       sources are refused ({@code SERVER_FULL}).
 *   <li>{@code log.source.addresses} (false): refusals are logged at WARN (at most one line per
 *       source per 10 s, 20 lines per 10 s in all, then a summary) with the address printed
 *       {@code [REDACTED]}; {@code true} prints it, an explicit opt-in for fail2ban-style tooling.
 *   <li>{@code first.stream.timeout} (5s): a connection that opens no stream within this of its
 *       QUIC handshake's completion is closed (the client sees {@code TIMEOUT}); PINGs do not
 *       extend it.
 *   <li>{@code handshake.timeout} (15s): an admitted connection whose QUIC handshake does not
 *       complete within this is closed (application code 6; the client sees {@code REFUSED}).
 *       One round trip must fit: 15 s admits the 10 s round trips of a 5 s one-way path.
 *   <li>{@code retry.token.lifetime} (30s): how long a Retry token validates after it was issued;
 *       it must exceed one round trip plus the echoing Initial's retransmissions (the former 10 s
 *       refused every echo over a 5 s one-way path).
 *   <li>{@code congestion.control} (bbr): quiche's congestion controller, {@code bbr}, {@code cubic}
 *       or {@code reno}; BBR keeps a lossy long path (200 ms each way, 5% loss) moving where CUBIC
 *       collapses (adapter README).
 *   <li>{@code close.linger} (3s, at most {@code idle.timeout}): after an orderly {@code close()},
 *       how long this side waits for the peer to end the connection before closing it itself;
 *       queued messages and the FIN get this long to arrive. A peer that never answers (a hostile
 *       one) holds the connection no longer than this.
 * </ul>
 *
 * <p>Refused connections (server closed, {@code max.connections}, the per-source limits) are
 * closed with application code 4, usually just after the client's handshake completed, so the
 * client sees {@code REFUSED} as the close of a just-connected channel or, less often, as a failed
 * connect.
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
