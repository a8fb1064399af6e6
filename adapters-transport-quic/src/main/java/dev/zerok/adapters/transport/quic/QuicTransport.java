package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicClosedChannelException;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.AttributeKey;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The QUIC {@link Transport}: one Netty event-loop group, one server TLS context with a throwaway
 * self-signed certificate, one client TLS context that trusts any certificate (Noise authenticates
 * peers, see {@link QuicTransportProvider}).
 *
 * <p>Application error codes this transport puts in QUIC CONNECTION_CLOSE frames (RFC 9000 section
 * 20.2) and how the receiving side maps them to port codes:
 *
 * <table>
 *   <caption>application close codes</caption>
 *   <tr><th>code</th><th>meaning</th><th>peer reports</th></tr>
 *   <tr><td>0</td><td>orderly close (after a FIN, or transport close)</td><td>no cause</td></tr>
 *   <tr><td>2</td><td>read timeout: a message stayed incomplete</td><td>{@code TIMEOUT}</td></tr>
 *   <tr><td>3</td><td>framing violation (zero length, stream ended inside a message)</td>
 *       <td>{@code PROTOCOL}</td></tr>
 *   <tr><td>4</td><td>refused (server closed, at {@code max.connections}, or a per-source limit)</td>
 *       <td>{@code REFUSED}</td></tr>
 *   <tr><td>5</td><td>no stream opened within {@code first.stream.timeout} of the handshake's
 *       completion</td><td>{@code TIMEOUT}</td></tr>
 *   <tr><td>6</td><td>QUIC handshake not completed within {@code handshake.timeout} of admission
 *       (sent during the handshake, so the peer sees transport error APPLICATION_ERROR)</td>
 *       <td>{@code REFUSED}</td></tr>
 * </table>
 *
 * <p>Thread-safe. Every channel's events run on its connection's event loop, one at a time.
 */
final class QuicTransport implements Transport {
    /** The ALPN protocol name: protocol and wire version (RFC 7301). */
    static final String ALPN = "zerok/1";

    static final int APP_NO_ERROR = 0;
    static final int APP_READ_TIMEOUT = 2;
    static final int APP_BAD_FRAME = 3;
    static final int APP_REFUSED = 4;
    static final int APP_NO_STREAM = 5;
    static final int APP_HANDSHAKE_TIMEOUT = 6;
    /** RFC 9000 section 20.1: APPLICATION_ERROR, what an application close becomes during the handshake. */
    private static final int TRANSPORT_APPLICATION_ERROR = 0x0c;

    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    static final AttributeKey<QuicConnectionCloseEvent> CLOSE_EVENT = AttributeKey.valueOf("zerok.quic.closeEvent");
    /** Set on a server-side connection once the peer opened a stream (first.stream.timeout). */
    static final AttributeKey<Boolean> STREAM_OPENED = AttributeKey.valueOf("zerok.quic.streamOpened");
    /** Set on a server-side connection that admission refused; its close is on the way. */
    static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("zerok.quic.refused");

    final QuicSettings settings;
    final Clock clock;
    /** Address validation for every server of this transport; empty when {@code retry=false}. */
    final Optional<RetryTokenHandler> retryTokens;
    private final EventLoopGroup group;
    private final QuicSslContext serverTls;
    private final QuicSslContext clientTls;
    final Set<StreamChannel> channels = ConcurrentHashMap.newKeySet();
    private final Set<QuicServer> servers = ConcurrentHashMap.newKeySet();
    private final Set<io.netty.channel.Channel> clientDatagrams = ConcurrentHashMap.newKeySet();
    private final CloseEventRecorder closeEventRecorder = new CloseEventRecorder();
    private volatile boolean closed;

    private QuicTransport(QuicSettings settings, Clock clock, Optional<RetryTokenHandler> retryTokens,
            QuicSslContext serverTls, QuicSslContext clientTls) {
        this.settings = settings;
        this.clock = clock;
        this.retryTokens = retryTokens;
        this.serverTls = serverTls;
        this.clientTls = clientTls;
        this.group = new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(), NioIoHandler.newFactory());
    }

    static QuicTransport start(QuicSettings settings, ProviderContext context) throws TransportException {
        if (!Quic.isAvailable()) {
            throw new TransportException(Code.PROTOCOL, "the native QUIC library does not load on this platform ("
                    + Quic.unavailabilityCause() + "); use linux-x86_64 or another transport", Quic.unavailabilityCause());
        }
        SelfSignedCertificate certificate = null;
        try {
            certificate = new SelfSignedCertificate("zerok-relay", secureRandomFrom(context.entropy()), "EC", 256);
            QuicSslContext serverTls = QuicSslContextBuilder.forServer(certificate.key(), null, certificate.cert())
                    .applicationProtocols(ALPN)
                    .build();
            QuicSslContext clientTls = QuicSslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocols(ALPN)
                    .build();
            Optional<RetryTokenHandler> retryTokens = settings.retry()
                    ? Optional.of(new RetryTokenHandler(context.entropy().bytes(RetryTokenHandler.KEY_BYTES), context.clock(),
                            settings.retryTokenLifetime()))
                    : Optional.empty();
            return new QuicTransport(settings, context.clock(), retryTokens, serverTls, clientTls);
        } catch (CertificateException | RuntimeException e) {
            throw new TransportException(Code.PROTOCOL, "could not set up TLS for QUIC: " + e.getMessage(), e);
        } finally {
            if (certificate != null) {
                certificate.delete();
            }
        }
    }

    /** A SecureRandom view of the Entropy port, so the certificate key comes from the context. */
    private static SecureRandom secureRandomFrom(Entropy entropy) {
        SecureRandomSpi spi = new SecureRandomSpi() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void engineSetSeed(byte[] seed) {
                // Entropy is not seedable from here; extra seed material is ignored.
            }

            @Override
            protected void engineNextBytes(byte[] bytes) {
                entropy.nextBytes(bytes);
            }

            @Override
            protected byte[] engineGenerateSeed(int numBytes) {
                return entropy.bytes(numBytes);
            }
        };
        return new SecureRandom(spi, null) {
            private static final long serialVersionUID = 1L;
        };
    }

    // ---------------------------------------------------------------- client

    @Override
    public CompletionStage<Channel> connect(Endpoint remote, ChannelHandler handler) {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException(Code.CLOSED,
                    "connect on a closed transport; open a new transport"));
        }
        InetSocketAddress address = new InetSocketAddress(remote.host(), remote.port());
        if (address.isUnresolved()) {
            return CompletableFuture.failedFuture(new TransportException(Code.REFUSED,
                    "cannot resolve host of " + remote + "; check the address"));
        }
        CompletableFuture<Channel> result = new CompletableFuture<>();
        io.netty.channel.ChannelHandler codec = codecSettings(new QuicClientCodecBuilder()).sslContext(clientTls).build();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, datagramAllocator())
                // Bursts of a whole congestion window must not overflow the socket buffer (the
                // kernel caps this at net.core.rmem_max / wmem_max).
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(codec, new UnreachableDetector(result, remote));
                    }
                });
        // A connected UDP socket receives ICMP port-unreachable, so "nobody listens" is REFUSED at
        // once instead of a connect timeout.
        ChannelFuture udpFuture = bootstrap.connect(address);
        io.netty.channel.Channel udp = udpFuture.channel();
        clientDatagrams.add(udp);
        udp.closeFuture().addListener(f -> clientDatagrams.remove(udp));
        clock.schedule(settings.connectTimeout(), () -> {
            if (result.completeExceptionally(new TransportException(Code.TIMEOUT, "connect to " + remote
                    + " not established within " + settings.connectTimeout() + "; retry with backoff"))) {
                udp.close();
            }
        });
        result.whenComplete((channel, failure) -> {
            if (failure != null) {
                udp.close();
            }
        });
        udpFuture.addListener(bound -> {
            if (!bound.isSuccess()) {
                result.completeExceptionally(connectFailure(remote, bound.cause()));
                return;
            }
            QuicChannel.newBootstrap(udp)
                    .handler(closeEventRecorder)
                    .remoteAddress(address)
                    .connect()
                    .addListener(established -> {
                        if (!established.isSuccess()) {
                            result.completeExceptionally(connectFailure(remote, established.cause()));
                            return;
                        }
                        QuicChannel connection = (QuicChannel) established.getNow();
                        connection.closeFuture().addListener(f -> udp.close());
                        StreamChannel channel = new StreamChannel(this, connection, remote, handler, null);
                        connection.createStream(QuicStreamType.BIDIRECTIONAL, channel.inbound())
                                .addListener(created -> {
                                    if (!created.isSuccess()) {
                                        result.completeExceptionally(connectFailure(remote, created.cause()));
                                        connection.close();
                                    } else if (!result.complete(channel)) {
                                        connection.close();
                                    }
                                });
                    });
        });
        return result;
    }

    /** Maps why a connect failed to a port code. */
    private static TransportException connectFailure(Endpoint remote, Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            return new TransportException(Code.REFUSED, "nobody listens at " + remote + "; retry later", cause);
        }
        if (cause instanceof QuicClosedChannelException closedException && closedException.event() != null) {
            TransportException mapped = fromCloseEvent(closedException.event(), "connect to " + remote);
            if (mapped != null) {
                return mapped;
            }
        }
        if (cause instanceof SSLHandshakeException || cause instanceof SSLException) {
            return new TransportException(Code.PROTOCOL, "TLS/ALPN handshake with " + remote
                    + " failed (another protocol or version?); do not retry blindly", cause);
        }
        return new TransportException(Code.REFUSED, "connect to " + remote + " failed: "
                + cause.getClass().getSimpleName() + "; retry later", cause);
    }

    /**
     * Maps a peer's CONNECTION_CLOSE to a port exception; {@code null} for an orderly close.
     */
    static TransportException fromCloseEvent(QuicConnectionCloseEvent event, String what) {
        if (event.isApplicationClose()) {
            return switch (event.error()) {
                case APP_NO_ERROR -> null;
                case APP_READ_TIMEOUT -> new TransportException(Code.TIMEOUT,
                        what + ": the peer timed out waiting for the rest of a message; reconnect");
                case APP_BAD_FRAME -> new TransportException(Code.PROTOCOL,
                        what + ": the peer rejected our framing; do not retry blindly");
                case APP_REFUSED -> new TransportException(Code.REFUSED,
                        what + ": the peer refused the connection (closed, full or too many from this address);"
                                + " retry later");
                case APP_NO_STREAM -> new TransportException(Code.TIMEOUT,
                        what + ": the peer closed a connection that opened no stream in time; send promptly"
                                + " after connecting");
                case APP_HANDSHAKE_TIMEOUT -> new TransportException(Code.TIMEOUT,
                        what + ": the peer's QUIC handshake deadline passed (a path slower than its"
                                + " handshake.timeout); retry with backoff");
                default -> new TransportException(Code.RESET,
                        what + ": the peer closed the connection with application code " + event.error() + "; reconnect");
            };
        }
        if (event.isTlsError()) {
            return new TransportException(Code.PROTOCOL, what + ": TLS alert "
                    + QuicConnectionCloseEvent.extractTlsError(event.error())
                    + " (wrong ALPN or TLS failure); do not retry blindly");
        }
        if (event.error() == TRANSPORT_APPLICATION_ERROR) {
            return new TransportException(Code.REFUSED, what + ": the peer refused the connection; retry later");
        }
        return new TransportException(Code.RESET, what + ": the peer closed the connection with QUIC error 0x"
                + Integer.toHexString(event.error()) + "; reconnect");
    }

    /** Fails a pending connect when the kernel reports the port unreachable. */
    private static final class UnreachableDetector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Channel> result;
        private final Endpoint remote;

        UnreachableDetector(CompletableFuture<Channel> result, Endpoint remote) {
            this.result = result;
            this.remote = remote;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException && !result.isDone()) {
                result.completeExceptionally(connectFailure(remote, cause));
                ctx.close();
            } else if (!(cause instanceof SocketException)) {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    /**
     * Keeps the peer's CONNECTION_CLOSE on the connection, for the stream's close to read, and
     * ends the connection then. quiche keeps a connection whose peer closed it in the draining
     * state for three PTOs (RFC 9000 section 10.2.2) and Netty closes the channel only after that;
     * nothing can be sent or received meanwhile, and after round trips of 10 s (a 5 s one-way
     * path, seed 000 E-HS-04) the PTO is tens of seconds, so the channel would learn of a refusal
     * or a deadline close only a minute or more after it arrived. The close runs one event-loop
     * turn later, after Netty delivered the stream data that came in the same datagrams.
     */
    @Sharable
    static class CloseEventRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof QuicConnectionCloseEvent close) {
                ctx.channel().attr(CLOSE_EVENT).set(close);
                io.netty.channel.Channel connection = ctx.channel();
                connection.eventLoop().execute(() -> {
                    if (connection.isOpen()) {
                        connection.close();
                    }
                });
            }
            ctx.fireUserEventTriggered(event);
        }
    }

    private <B extends io.netty.handler.codec.quic.QuicCodecBuilder<B>> B codecSettings(B builder) {
        long window = settings.streamWindowBytes();
        return builder
                .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .maxSendUdpPayloadSize(settings.datagramSizeBytes())
                .maxRecvUdpPayloadSize(settings.datagramSizeBytes())
                .initialMaxData(2 * window)
                .initialMaxStreamDataBidirectionalLocal(window)
                .initialMaxStreamDataBidirectionalRemote(window)
                .initialMaxStreamsBidirectional(settings.maxStreamsPerConnection())
                .initialMaxStreamsUnidirectional(0)
                .activeMigration(false)
                .congestionControlAlgorithm(settings.congestionControl());
    }

    /** Netty reads UDP into 2048-byte buffers by default; larger datagrams would be truncated. */
    private FixedRecvByteBufAllocator datagramAllocator() {
        return new FixedRecvByteBufAllocator(Math.max(2_048, settings.datagramSizeBytes()));
    }

    // ---------------------------------------------------------------- server

    @Override
    public Server bind(Endpoint local, Acceptor acceptor) throws TransportException {
        if (closed) {
            throw new TransportException(Code.CLOSED, "bind on a closed transport; open a new transport");
        }
        InetSocketAddress address = new InetSocketAddress(local.host(), local.port());
        if (address.isUnresolved()) {
            throw new TransportException(Code.ADDRESS_IN_USE, "cannot resolve bind host of " + local);
        }
        QuicServer server = new QuicServer(this, acceptor);
        QuicServerCodecBuilder builder = codecSettings(new QuicServerCodecBuilder()).sslContext(serverTls);
        // With Retry, a connection exists only for an address that echoed our token (RFC 9000
        // section 8.1.2), so the per-source limits cannot be filled with spoofed addresses. Without
        // it, quiche's 3x anti-amplification limit still applies (section 8.1).
        retryTokens.ifPresent(builder::tokenHandler);
        io.netty.channel.ChannelHandler codec = builder
                .handler(server.connectionHandler())
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        QuicChannel connection = stream.parent();
                        if (Boolean.TRUE.equals(connection.attr(REFUSED).get())) {
                            stream.close();
                            return;
                        }
                        connection.attr(STREAM_OPENED).set(Boolean.TRUE);
                        InetSocketAddress peer = (InetSocketAddress) connection.remoteSocketAddress();
                        Endpoint remote = peer == null ? new Endpoint("unknown", 0)
                                : new Endpoint(peer.getAddress().getHostAddress(), peer.getPort());
                        StreamChannel channel = new StreamChannel(QuicTransport.this, connection, remote, null, acceptor);
                        stream.pipeline().addLast(channel.inbound());
                    }
                })
                .build();
        ChannelFuture bound = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, datagramAllocator())
                // Bursts of a whole congestion window must not overflow the socket buffer (the
                // kernel caps this at net.core.rmem_max / wmem_max).
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .handler(codec)
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String why = cause instanceof BindException ? "is in use or not local" : "cannot be bound";
            throw new TransportException(Code.ADDRESS_IN_USE, "UDP " + local + " " + why
                    + "; stop the other process or pick another port", cause);
        }
        InetSocketAddress actual = (InetSocketAddress) bound.channel().localAddress();
        server.started(bound.channel(), new Endpoint(local.host(), actual.getPort()));
        servers.add(server);
        if (closed) {
            server.close();
        }
        return server;
    }

    void serverClosed(QuicServer server) {
        servers.remove(server);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
        for (StreamChannel channel : List.copyOf(channels)) {
            closing.add(channel.closeConnectionNow());
        }
        for (io.netty.util.concurrent.Future<?> f : closing) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (QuicServer server : List.copyOf(servers)) {
            server.closeNow().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (io.netty.channel.Channel udp : List.copyOf(clientDatagrams)) {
            udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /**
     * How long the side that closed first waits for the peer to end the connection: the queued
     * messages and the FIN get this long to arrive (several round trips), then the connection is
     * closed. Bounded by {@code close.linger}, not the idle timeout, so a peer that never answers a
     * FIN (a hostile one) holds no connection state for long.
     */
    Duration lingerTimeout() {
        return settings.closeLinger().compareTo(settings.idleTimeout()) < 0 ? settings.closeLinger() : settings.idleTimeout();
    }

    static io.netty.buffer.ByteBuf noReason() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public String toString() {
        return "QuicTransport[" + ALPN + ", " + settings + "]";
    }
}
