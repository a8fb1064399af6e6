package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound QUIC listener. Closing it stops accepting at once (new connections are closed with
 * application code {@value QuicTransport#APP_REFUSED}); the UDP socket stays open while accepted
 * connections live, because they share it, and closes with the last of them. Thread-safe.
 *
 * <p>Admission of each new connection (after address validation when Retry is on, before the TLS
 * handshake completes), in this order: the server is accepting; fewer than {@code max.connections}
 * are open ({@code SERVER_FULL}); its source IP address holds fewer than
 * {@code max.connections.per.source} ({@code SOURCE_CONNECTION_CAP}); the source's token bucket
 * ({@code handshake.rate.per.source.per.second}, {@code handshake.rate.per.source.burst}) has a
 * token ({@code SOURCE_HANDSHAKE_RATE}). A refused connection is closed with application code
 * {@value QuicTransport#APP_REFUSED} (the client's connect fails {@code REFUSED}) and logged through
 * {@link RefusalLog}.
 *
 * <p>Deadlines of an admitted connection, one after the other, so that neither depends on the
 * round-trip time of the other phase: its QUIC handshake must complete within
 * {@code handshake.timeout} of admission (one round trip: the server's flight out, the client's
 * Finished back), else it is closed with {@value QuicTransport#APP_HANDSHAKE_TIMEOUT}; once it
 * completed, the client must open a stream within {@code first.stream.timeout}, else the connection
 * is closed with {@value QuicTransport#APP_NO_STREAM}. A first-stream deadline counted from
 * admission would include that round trip and close every connection over a path whose round trip
 * exceeds it (a 5 s one-way satellite path has 10 s, seed 000 E-HS-04). PINGs and other packets
 * extend neither deadline.
 */
final class QuicServer implements Server {
    private static final Logger LOG = LoggerFactory.getLogger(QuicServer.class);
    /** The admitted connection's pending deadline: the handshake's, then the first stream's. */
    private static final AttributeKey<dev.zerok.ports.time.Timer> DEADLINE = AttributeKey.valueOf("zerok.quic.deadline");

    private final QuicTransport transport;
    private final Acceptor acceptor;
    private final Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
    private final SourceAdmission admission;
    private final RefusalLog refusals;
    private volatile io.netty.channel.Channel udp;
    private volatile Endpoint local;
    private volatile boolean accepting = true;

    QuicServer(QuicTransport transport, Acceptor acceptor) {
        this(transport, acceptor, LOG::warn);
    }

    /** With the refusal lines sent to {@code refusalSink} (tests). */
    QuicServer(QuicTransport transport, Acceptor acceptor, RefusalLog.Sink refusalSink) {
        this.transport = transport;
        this.acceptor = acceptor;
        QuicSettings settings = transport.settings;
        this.admission = new SourceAdmission(settings.maxConnectionsPerSource(),
                settings.handshakeRatePerSourcePerSecond(), settings.handshakeRatePerSourceBurst(),
                settings.maxSourcesTracked());
        this.refusals = new RefusalLog(transport.clock, settings.logSourceAddresses(), refusalSink);
    }

    /** The per-source table (tests). */
    SourceAdmission admission() {
        return admission;
    }

    void started(io.netty.channel.Channel udpChannel, Endpoint boundEndpoint) {
        this.udp = udpChannel;
        this.local = boundEndpoint;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public void close() {
        if (!accepting) {
            return;
        }
        accepting = false;
        transport.serverClosed(this);
        closeSocketIfDrained();
    }

    /** Closes the socket now, cutting accepted connections (used by the transport's close). */
    io.netty.util.concurrent.Future<Void> closeNow() {
        accepting = false;
        transport.serverClosed(this);
        return udp.close();
    }

    private void closeSocketIfDrained() {
        if (!accepting && connections.isEmpty()) {
            udp.close();
        }
    }

    /** The handler of each new QUIC connection: admission control and close-event capture. */
    io.netty.channel.ChannelHandler connectionHandler() {
        return new ConnectionHandler();
    }

    @Sharable
    private final class ConnectionHandler extends QuicTransport.CloseEventRecorder {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            QuicChannel connection = (QuicChannel) ctx.channel();
            // Refused before the handshake completes, so the client's connect fails (RFC 9000
            // turns this into APPLICATION_ERROR during the handshake).
            if (!accepting) {
                refuse(connection, "closed");
                ctx.fireChannelRegistered();
                return;
            }
            InetAddress source = sourceOf(connection);
            SourceAdmission.Verdict verdict = connections.size() >= transport.settings.maxConnections()
                    ? SourceAdmission.Verdict.SERVER_FULL
                    : admission.admit(source, transport.clock.now());
            if (verdict != SourceAdmission.Verdict.ADMIT) {
                refusals.refused(source, verdict);
                refuse(connection, verdict == SourceAdmission.Verdict.SERVER_FULL ? "full" : "source limit");
                ctx.fireChannelRegistered();
                return;
            }
            connections.add(connection);
            connection.attr(DEADLINE).set(transport.clock.schedule(transport.settings.handshakeTimeout(),
                    () -> closeIfStill(connection, c -> !c.isActive(), QuicTransport.APP_HANDSHAKE_TIMEOUT)));
            connection.closeFuture().addListener(f -> {
                cancelDeadline(connection);
                connections.remove(connection);
                admission.released(source, transport.clock.now());
                closeSocketIfDrained();
            });
            ctx.fireChannelRegistered();
        }

        /**
         * The QUIC handshake completed (Netty fires this for a server connection once quiche is
         * established): the handshake deadline gives way to the first-stream deadline.
         */
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            QuicChannel connection = (QuicChannel) ctx.channel();
            if (!Boolean.TRUE.equals(connection.attr(QuicTransport.REFUSED).get())) {
                dev.zerok.ports.time.Timer firstStream = transport.clock.schedule(
                        transport.settings.firstStreamTimeout(), () -> closeIfStill(connection,
                                c -> !Boolean.TRUE.equals(c.attr(QuicTransport.STREAM_OPENED).get()),
                                QuicTransport.APP_NO_STREAM));
                dev.zerok.ports.time.Timer handshake = connection.attr(DEADLINE).getAndSet(firstStream);
                if (handshake != null) {
                    handshake.cancel();
                }
                if (!connection.isOpen()) {
                    cancelDeadline(connection);
                }
            }
            ctx.fireChannelActive();
        }

        /**
         * Closes with {@value QuicTransport#APP_REFUSED}, one event-loop turn later. Not from inside
         * channelRegistered: quiche has not processed the client's Initial there yet (it does not
         * know the client's connection id), so a close then sends nothing and the client waits out
         * its connect timeout. Netty sends the server's handshake flight while it processes the
         * Initial, so the client's handshake usually completes and it sees the refusal as the
         * close of a just-connected channel ({@code REFUSED}). The stream initializer ignores
         * streams of a refused connection, so no acceptor ever sees one.
         */
        private void refuse(QuicChannel connection, String reason) {
            connection.attr(QuicTransport.REFUSED).set(Boolean.TRUE);
            connection.eventLoop().execute(() -> connection.close(true, QuicTransport.APP_REFUSED,
                    Unpooled.copiedBuffer(reason, StandardCharsets.US_ASCII)));
        }

        /**
         * A connection still in the phase a deadline bounds ({@code stillDue} holds) holds a slot
         * for nothing: close it with {@code applicationCode}. Runs on the connection's event loop,
         * where the phase changes, so a handshake or stream that just arrived wins.
         */
        private void closeIfStill(QuicChannel connection, java.util.function.Predicate<QuicChannel> stillDue,
                int applicationCode) {
            io.netty.channel.EventLoop loop = connection.eventLoop();
            if (loop.isShuttingDown()) {
                return;
            }
            try {
                loop.execute(() -> {
                    if (connection.isOpen() && stillDue.test(connection)) {
                        connection.close(true, applicationCode, QuicTransport.noReason());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop terminated meanwhile: the connection is gone with it
            }
        }
    }

    /** Cancels the connection's pending deadline, if any (on close). */
    private static void cancelDeadline(QuicChannel connection) {
        dev.zerok.ports.time.Timer pending = connection.attr(DEADLINE).getAndSet(null);
        if (pending != null) {
            pending.cancel();
        }
    }

    /** The peer's IP address (any port), or the wildcard address if Netty has none yet. */
    private static InetAddress sourceOf(QuicChannel connection) {
        if (connection.remoteSocketAddress() instanceof InetSocketAddress peer && peer.getAddress() != null) {
            return peer.getAddress();
        }
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public String toString() {
        return "QuicServer[" + local + (accepting ? "" : ", closed") + "]";
    }
}
