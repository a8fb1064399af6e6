package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The QUIC adapter over a slow path: a {@link DelayLink} between client and server delays every
 * datagram by the same one-way latency in both directions, where seed 000 E-HS-04 puts its 5 s
 * ("latency 5000ms" on the device's link). Both ends run the shipped settings.
 */
class QuicTransportSlowLinkTest {
    /** Seed 000 E-HS-04: 5 s per handshake message, one way. */
    private static final Duration ONE_WAY = Duration.ofSeconds(5);

    private final RealTimeClock clock = new RealTimeClock();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        clock.close();
    }

    @Test
    void E_HS_04_connect_fiveSecondOneWayLink_connectsAndCarriesMessagesWithTheShippedSettings() throws Exception {
        QuicTransport serverTransport = open();
        Recorder server = new Recorder();
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        Server bound = track(serverTransport.bind(new Endpoint("127.0.0.1", 0), channel -> {
            accepted.add(channel);
            return server;
        }));
        DelayLink link = track(new DelayLink(new InetSocketAddress("127.0.0.1", bound.localEndpoint().port()), ONE_WAY));
        QuicTransport clientTransport = open();
        Recorder client = new Recorder();
        long started = System.nanoTime();

        CompletableFuture<Channel> connect = clientTransport.connect(new Endpoint("127.0.0.1", link.port()), client)
                .toCompletableFuture();
        await(connect::isDone, clientTransport.settings.connectTimeout().plusSeconds(5), "the connect finishes");
        Duration connectTook = Duration.ofNanos(System.nanoTime() - started);
        RetryTokenHandler tokens = serverTransport.retryTokens.orElseThrow();
        String evidence = "connect took " + connectTook.toMillis() + " ms; datagrams up " + link.upDatagrams() + " down "
                + link.downDatagrams() + "; Retry tokens issued " + tokens.issuedCount() + " accepted "
                + tokens.acceptedCount() + " rejected " + tokens.rejectedCount();
        assertThat(connect).as("connect over a 5 s one-way link (" + evidence + ")").isCompleted();
        // Retry then the handshake: four one-way trips at least, or the delay was not applied.
        assertThat(connectTook).as(evidence).isGreaterThanOrEqualTo(ONE_WAY.multipliedBy(4));
        assertThat(tokens.rejectedCount()).as("echoed Retry tokens refused (" + evidence + ")").isZero();

        connect.join().send(new byte[] {42});
        await(() -> server.messages.size() == 1, ONE_WAY.multipliedBy(3), "the client's message reaches the server ("
                + evidence + ", server closed " + server.closed + ", client closed " + client.closed + ")");
        accepted.get(0).send(new byte[] {43});
        await(() -> client.messages.size() == 1, ONE_WAY.multipliedBy(3), "the server's reply reaches the client");

        assertThat(server.messages.get(0)).containsExactly(42);
        assertThat(client.messages.get(0)).containsExactly(43);
        assertThat(accepted).as("one connection, one stream").hasSize(1);
        assertThat(server.closed).as("no server deadline closed the slow connection").isEmpty();
        assertThat(client.closed).isEmpty();
        System.out.println("E-HS-04 QUIC over " + ONE_WAY.toMillis() + " ms one way: " + evidence);
    }

    /**
     * The server's handshake deadline still ends a handshake that does not complete in time (here
     * a 1 s deadline against a 1.5 s one-way path: the client's Finished comes 3 s after admission),
     * so a validated address cannot hold connection state with a stalled handshake. The client
     * learns it when the server's CONNECTION_CLOSE arrives (about 5.5 s after the connect), not
     * three PTOs of draining later (about 27 s after a 3 s round trip).
     */
    @Test
    void connect_handshakeSlowerThanTheHandshakeTimeout_isClosedByTheServer() throws Exception {
        Duration oneWay = Duration.ofMillis(1_500);
        Duration handshakeTimeout = Duration.ofSeconds(1);
        QuicTransport serverTransport = open("handshake.timeout", handshakeTimeout.toMillis() + "ms");
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        Server bound = track(serverTransport.bind(new Endpoint("127.0.0.1", 0), channel -> {
            accepted.add(channel);
            return new Recorder();
        }));
        DelayLink link = track(new DelayLink(new InetSocketAddress("127.0.0.1", bound.localEndpoint().port()), oneWay));
        Recorder client = new Recorder();

        CompletableFuture<Channel> connect = open().connect(new Endpoint("127.0.0.1", link.port()), client)
                .toCompletableFuture();
        connect.thenAccept(channel -> channel.send(new byte[] {42}));

        // Admission at 3 s (Retry round trip), the deadline at 4 s, its close at the client at 5.5 s.
        await(() -> connect.isCompletedExceptionally() || !client.closed.isEmpty(), Duration.ofSeconds(15),
                "the client learns that the server ended the handshake");
        assertThat(serverTransport.retryTokens.orElseThrow().acceptedCount()).as("the client passed Retry").isPositive();
        assertThat(accepted).as("the server never accepted a stream on the late connection").isEmpty();
        Optional<TransportException> why = connect.isCompletedExceptionally()
                ? Optional.of((TransportException) connect.handle((c, f) -> f.getCause()).join())
                : client.closed.get(0);
        assertThat(why).map(TransportException::code).hasValueSatisfying(
                code -> assertThat(code).isIn(Code.REFUSED, Code.TIMEOUT));
    }

    private QuicTransport open(String... keysAndValues) throws Exception {
        List<String> config = new ArrayList<>(List.of("event.loop.threads", "1"));
        config.addAll(List.of(keysAndValues));
        return track((QuicTransport) new QuicTransportProvider().open(ProviderConfig.of(config.toArray(String[]::new)),
                new ProviderContext(clock, new SeededEntropy(5))));
    }

    private <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline < 0).as("waited " + limit + " for: " + what).isTrue();
            LockSupport.parkNanos(10_000_000);
        }
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
