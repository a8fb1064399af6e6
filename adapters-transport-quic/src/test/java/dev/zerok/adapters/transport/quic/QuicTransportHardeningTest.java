package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The QUIC adapter's defences against unauthenticated peers, over real loopback: Retry, per-source
 * limits, the first-stream deadline, and inbound flow control that really withholds credit.
 */
class QuicTransportHardeningTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RealTimeClock clock = new RealTimeClock();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        clock.close();
    }

    // ---------------------------------------------------------------- Retry

    @Test
    void retry_clientWithoutToken_isRetriedAndConnects() throws Exception {
        QuicTransport serverTransport = open();
        Recorder server = new Recorder();
        Server bound = track(serverTransport.bind(loopback(), channel -> server));

        Channel channel = connected(open().connect(bound.localEndpoint(), new Recorder()));
        channel.send(new byte[] {42});

        await(() -> server.messages.size() == 1, "the message arrives over the retried connection");
        RetryTokenHandler tokens = serverTransport.retryTokens.orElseThrow();
        assertThat(tokens.issuedCount()).as("Retry packets sent").isGreaterThanOrEqualTo(1);
        assertThat(tokens.acceptedCount()).as("tokens echoed and validated").isGreaterThanOrEqualTo(1);
        assertThat(tokens.rejectedCount()).isZero();
    }

    @Test
    void retry_off_connectsWithoutAToken() throws Exception {
        QuicTransport serverTransport = open("retry", "false");
        Recorder server = new Recorder();
        Server bound = track(serverTransport.bind(loopback(), channel -> server));

        connected(open().connect(bound.localEndpoint(), new Recorder())).send(new byte[] {42});

        await(() -> server.messages.size() == 1, "the message arrives");
        assertThat(serverTransport.retryTokens).isEmpty();
    }

    // ---------------------------------------------------------------- per-source limits

    @Test
    void connect_oneMoreThanThePerSourceCap_isRefusedUntilOneCloses() throws Exception {
        int cap = 3;
        Server bound = track(open("max.connections.per.source", String.valueOf(cap), "first.stream.timeout", "60s")
                .bind(loopback(), channel -> new Recorder()));
        QuicTransport client = open();
        List<Channel> held = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            held.add(connected(client.connect(bound.localEndpoint(), new Recorder())));
        }

        assertThat(refusal(client, bound.localEndpoint()).code()).isEqualTo(Code.REFUSED);

        held.get(0).close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean admitted = false;
        for (int attempt = 0; attempt < 20 && !admitted && System.nanoTime() - deadline < 0; attempt++) {
            CompletableFuture<Channel> again = client.connect(bound.localEndpoint(), new Recorder()).toCompletableFuture();
            await(again::isDone, "a connect attempt finishes");
            admitted = !again.isCompletedExceptionally();
        }
        assertThat(admitted).as("a slot frees once a held connection closes").isTrue();
    }

    @Test
    void connect_burstAboveTheHandshakeRate_isPartlyRefused() throws Exception {
        int attempts = 8;
        int burst = 3;
        Server bound = track(open("handshake.rate.per.source.per.second", "1",
                "handshake.rate.per.source.burst", String.valueOf(burst)).bind(loopback(), channel -> new Recorder()));
        QuicTransport client = open();
        List<CompletableFuture<Channel>> connects = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            Recorder recorder = new Recorder();
            recorders.add(recorder);
            connects.add(client.connect(bound.localEndpoint(), recorder).toCompletableFuture());
        }
        // A refusal shows as a failed connect or as the close of a just-connected channel.
        BooleanSupplier refusalsSeen = () -> refused(connects, recorders) >= attempts - burst - 2;
        await(refusalsSeen, "the attempts beyond the burst are refused");

        // At 1/s, at most a couple of tokens refill while the burst is handled.
        assertThat(refused(connects, recorders)).isBetween((long) attempts - burst - 2, (long) attempts - burst);
        for (int i = 0; i < attempts; i++) {
            if (connects.get(i).isCompletedExceptionally()) {
                assertThat(failure(connects.get(i)).code()).isEqualTo(Code.REFUSED);
            } else if (!recorders.get(i).closed.isEmpty()) {
                assertThat(recorders.get(i).closed.get(0)).map(TransportException::code).contains(Code.REFUSED);
            }
        }
    }

    private static long refused(List<CompletableFuture<Channel>> connects, List<Recorder> recorders) {
        long count = 0;
        for (int i = 0; i < connects.size(); i++) {
            if (connects.get(i).isCompletedExceptionally() || !recorders.get(i).closed.isEmpty()) {
                count++;
            }
        }
        return count;
    }

    // ---------------------------------------------------------------- first stream deadline

    @Test
    void connection_openingNoStream_isClosedAtTheFirstStreamTimeout() throws Exception {
        Duration firstStream = Duration.ofMillis(500);
        Server bound = track(open("first.stream.timeout", firstStream.toMillis() + "ms")
                .bind(loopback(), channel -> new Recorder()));
        Recorder silent = new Recorder();
        long start = System.nanoTime();
        // QUIC opens streams lazily: a client that sends nothing has opened no stream at the server.
        connected(open().connect(bound.localEndpoint(), silent));

        await(() -> silent.closed.size() == 1, "the silent connection is closed");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(silent.closed.get(0)).map(TransportException::code).contains(Code.TIMEOUT);
        assertThat(took).isGreaterThanOrEqualTo(firstStream).isLessThan(firstStream.plusSeconds(5));
    }

    // ---------------------------------------------------------------- flow control

    @Test
    void pauseReading_senderFarAheadOfTheStreamWindow_sendsStopCompletingUntilResume() throws Exception {
        int window = 65_537;
        int count = 60;
        int size = 8_000;
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        Recorder server = new Recorder();
        Server bound = track(open("stream.window.bytes", String.valueOf(window)).bind(loopback(), channel -> {
            channel.pauseReading();
            accepted.add(channel);
            return server;
        }));
        Channel channel = connected(open("stream.window.bytes", String.valueOf(window))
                .connect(bound.localEndpoint(), new Recorder()));
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] message = new byte[size];
            ByteBuffer.wrap(message).putInt(i);
            sends.add(channel.send(message).toCompletableFuture());
        }

        await(() -> accepted.size() == 1, "the server accepts the stream");
        assertThat(within(Duration.ofSeconds(2), () -> sends.stream().allMatch(CompletableFuture::isDone)))
                .as("sends beyond the withheld credit stay pending").isFalse();
        long completedBytes = sends.stream().filter(CompletableFuture::isDone).count() * (size + 2L);
        // One window, plus what the first read took before the pause reached the stream's autoRead.
        assertThat(completedBytes).isLessThan(3L * window);
        assertThat(server.messages).isEmpty();

        accepted.get(0).resumeReading();
        await(() -> sends.stream().allMatch(CompletableFuture::isDone) && server.messages.size() == count,
                "every send completes and every message arrives after resume");
        for (int i = 0; i < count; i++) {
            assertThat(ByteBuffer.wrap(server.messages.get(i)).getInt()).isEqualTo(i);
        }
    }

    @Test
    void pauseReading_partialMessageBuffered_doesNotTimeOutUntilResumed() throws Exception {
        Duration readTimeout = Duration.ofSeconds(1);
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        Recorder server = new Recorder();
        Server bound = track(open("read.timeout", readTimeout.toMillis() + "ms").bind(loopback(), channel -> {
            accepted.add(channel);
            return server;
        }));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        opened.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS));
        // A header announcing 100 bytes, then 10 of them: a message left incomplete.
        QuicStreamChannel raw = rawStream(group, bound.localEndpoint());
        raw.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));

        await(() -> accepted.size() == 1, "the server accepts the stream");
        accepted.get(0).pauseReading();

        assertThat(within(readTimeout.multipliedBy(3), () -> !server.closed.isEmpty()))
                .as("no read timeout while we hold the stream paused").isFalse();
        long resumed = System.nanoTime();
        accepted.get(0).resumeReading();
        await(() -> !server.closed.isEmpty(), "the read timeout runs again after resume");
        assertThat(server.closed.get(0)).map(TransportException::code).contains(Code.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - resumed)).isGreaterThanOrEqualTo(readTimeout);
        assertThat(server.messages).isEmpty();
    }

    // ---------------------------------------------------------------- support

    private QuicTransport open(String... keysAndValues) throws Exception {
        List<String> config = new ArrayList<>(List.of("connect.timeout", "3s", "event.loop.threads", "1"));
        config.addAll(List.of(keysAndValues));
        return track((QuicTransport) new QuicTransportProvider().open(ProviderConfig.of(config.toArray(String[]::new)),
                new ProviderContext(clock, new SeededEntropy(5))));
    }

    private <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    private static Endpoint loopback() {
        return new Endpoint("127.0.0.1", 0);
    }

    /** A bare Netty QUIC client stream to {@code server}, for bytes the port cannot send. */
    private QuicStreamChannel rawStream(EventLoopGroup group, Endpoint server) throws Exception {
        io.netty.channel.ChannelHandler codec = new QuicClientCodecBuilder()
                .sslContext(QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .applicationProtocols(QuicTransport.ALPN).build())
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(1 << 20)
                .initialMaxStreamDataBidirectionalLocal(1 << 20)
                .initialMaxStreamDataBidirectionalRemote(1 << 20)
                .initialMaxStreamsBidirectional(1)
                .build();
        io.netty.channel.Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        QuicChannel connection = QuicChannel.newBootstrap(udp)
                .handler(new ChannelInboundHandlerAdapter())
                .streamHandler(new ChannelInboundHandlerAdapter())
                .remoteAddress(new InetSocketAddress(server.host(), server.port()))
                .connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * The refusal of a connect: the connect itself fails, or (when the server's refusal reaches
     * the client only after the handshake) the channel closes with it.
     */
    private TransportException refusal(Transport client, Endpoint server) {
        Recorder recorder = new Recorder();
        CompletableFuture<Channel> connect = client.connect(server, recorder).toCompletableFuture();
        await(() -> connect.isCompletedExceptionally() || !recorder.closed.isEmpty(), "the connect is refused");
        if (connect.isCompletedExceptionally()) {
            return failure(connect);
        }
        return recorder.closed.get(0).orElseThrow(() -> new AssertionError("closed without a cause"));
    }

    private Channel connected(CompletionStage<Channel> connect) {
        CompletableFuture<Channel> future = connect.toCompletableFuture();
        await(future::isDone, "connect finishes");
        return future.join();
    }

    private TransportException failure(CompletionStage<?> stage) {
        CompletableFuture<?> future = stage.toCompletableFuture();
        await(future::isDone, "the operation finishes");
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("unreachable");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportException.class);
            return (TransportException) e.getCause();
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        assertThat(within(WAIT, condition)).as("waited for: " + what).isTrue();
    }

    /** Polls {@code condition} until it holds or {@code limit} passes. */
    private static boolean within(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** Records one channel's events. Thread-safe. */
    private static final class Recorder implements ChannelHandler {
        final List<byte[]> messages = new CopyOnWriteArrayList<>();
        final List<Optional<TransportException>> closed = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(byte[] message) {
            messages.add(message);
        }

        @Override
        public void onClosed(Optional<TransportException> cause) {
            closed.add(cause);
        }
    }
}
