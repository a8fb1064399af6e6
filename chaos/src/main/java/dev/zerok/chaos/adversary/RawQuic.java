package dev.zerok.chaos.adversary;

import dev.zerok.chaos.topology.ChaosException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * QUIC below zerok's Transport port, for the attacks the port cannot express: a connection that
 * never opens a stream (the port's channel always carries one), and a stream written byte by byte
 * or with bytes that break the adapter's {@code uint16 length} message framing. Same wire as
 * adapters-transport-quic (ALPN {@code zerok/1}, Netty's QUIC codec, any server certificate), so the
 * relay cannot tell it from a device until it reads the bytes. Thread-safe; one event-loop thread.
 */
public final class RawQuic implements AutoCloseable {
    /** The ALPN of zerok's QUIC transport (adapters-transport-quic README). */
    public static final String ALPN = "zerok/1";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final QuicSslContext tls = QuicSslContextBuilder.forClient()
            .trustManager(InsecureTrustManagerFactory.INSTANCE).applicationProtocols(ALPN).build();
    private final Duration idleTimeout;

    /** @param idleTimeout the QUIC max_idle_timeout this client advertises (the effective one is the smaller of both ends') */
    public RawQuic(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    /** One QUIC connection: established, no stream until {@link #openStream()}. */
    public final class Connection implements AutoCloseable {
        private final io.netty.channel.Channel udp;
        private final QuicChannel quic;

        private Connection(io.netty.channel.Channel udp, QuicChannel quic) {
            this.udp = udp;
            this.quic = quic;
        }

        /** Opens a bidirectional stream (the relay's acceptor sees it with its first bytes); reads are discarded. */
        public Stream openStream(Duration timeout) {
            try {
                QuicStreamChannel s = quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Stream(s);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChaosException("interrupted", e);
            } catch (Exception e) {
                throw new ChaosException("cannot open a QUIC stream: " + e, e);
            }
        }

        /** True while the QUIC connection is open (the relay has not closed it, no idle timeout yet). */
        public boolean isOpen() {
            return quic.isActive();
        }

        @Override
        public void close() {
            quic.close();
            udp.close();
        }
    }

    /** A QUIC stream the attacker writes raw bytes on. */
    public static final class Stream {
        private final QuicStreamChannel stream;

        private Stream(QuicStreamChannel stream) {
            this.stream = stream;
        }

        /** Writes and flushes {@code bytes} as they are (no framing). */
        public void write(byte[] bytes) {
            stream.writeAndFlush(Unpooled.wrappedBuffer(bytes.clone()));
        }

        /** True while the stream is open. */
        public boolean isOpen() {
            return stream.isActive();
        }
    }

    /**
     * Opens a QUIC connection to {@code relay} (TLS handshake done, no stream).
     *
     * @throws ChaosException if it is refused or not established within {@code timeout}
     */
    public Connection connect(InetSocketAddress relay, Duration timeout) {
        io.netty.channel.ChannelHandler codec = new QuicClientCodecBuilder().sslContext(tls)
                .maxIdleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(1 << 20).initialMaxStreamDataBidirectionalLocal(1 << 20)
                .initialMaxStreamDataBidirectionalRemote(1 << 20).initialMaxStreamsBidirectional(4)
                .initialMaxStreamsUnidirectional(0).activeMigration(false).build();
        io.netty.channel.Channel udp = null;
        try {
            udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec).bind(0).sync().channel();
            QuicChannel quic = QuicChannel.newBootstrap(udp).handler(new ChannelInboundHandlerAdapter())
                    .streamHandler(new ChannelInboundHandlerAdapter()).remoteAddress(relay).connect()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            io.netty.channel.Channel socket = udp;
            quic.closeFuture().addListener(f -> socket.close());
            return new Connection(udp, quic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        } catch (Exception e) {
            if (udp != null) {
                udp.close();
            }
            throw new ChaosException("QUIC connect to " + relay + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
