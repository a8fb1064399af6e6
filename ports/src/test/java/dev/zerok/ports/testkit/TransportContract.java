package dev.zerok.ports.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} adapter must show, as one abstract JUnit 5 suite that each
 * adapter's test subclasses (the Netty way: one suite, every transport). A subclass says how to
 * create a transport and how time moves:
 *
 * <ul>
 *   <li>a real-network transport (QUIC) polls {@link #awaitCondition} against a real deadline;
 *   <li>the mock transport runs in virtual time: its {@code awaitCondition} advances a
 *       {@link ManualClock} in small steps until the condition holds or the virtual deadline
 *       passes, so the suite never sleeps.
 * </ul>
 *
 * <p>Handler events may arrive on transport threads, so the recorders here are thread-safe. Every
 * count is bounded; every wait has a deadline. A subclass must keep the transports it creates on
 * one shared "network" (same loopback, same {@code MockNetwork}), because the suite connects a
 * client transport to a server transport.
 *
 * <p>Contract choices that adapters may differ on, spelled out so the suite stays honest:
 * <ul>
 *   <li>A server may see a channel at connect time or only when the client's first message (or
 *       its close) arrives (QUIC opens streams lazily). So the client always speaks first here.
 *   <li>Connecting where nobody listens fails {@code REFUSED}; a datagram transport that cannot
 *       tell silence from absence may fail {@code TIMEOUT} after its connect timeout instead. The
 *       subclass states which codes it may give in {@link #nobodyListeningCodes()}.
 * </ul>
 */
public abstract class TransportContract {
    /** The idle timeout of transports created for tests that are not about idleness. */
    protected static final Duration LONG_IDLE = Duration.ofSeconds(30);

    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * Creates a transport on the suite's shared network.
     *
     * @param idleTimeout how long a channel may carry no message before it closes with
     *     {@link Code#TIMEOUT}
     */
    protected abstract Transport newTransport(Duration idleTimeout) throws Exception;

    /** Where a server binds: a local address, port 0 (any free port). */
    protected abstract Endpoint bindEndpoint();

    /** An endpoint on the shared network where nobody listens. */
    protected abstract Endpoint endpointWithoutListener() throws Exception;

    /**
     * Waits until {@code condition} holds or {@code within} has passed, in the transport's notion
     * of time (virtual for the mock, real for QUIC). Never sleeps a fixed time when the condition
     * already holds.
     *
     * @return whether the condition held before the deadline
     */
    protected abstract boolean awaitCondition(BooleanSupplier condition, Duration within);

    /** The codes a connect may fail with when nobody listens: {@code REFUSED} unless overridden. */
    protected Set<Code> nobodyListeningCodes() {
        return EnumSet.of(Code.REFUSED);
    }

    /** How long the suite waits for one expected event (in the transport's time). */
    protected Duration eventWait() {
        return Duration.ofSeconds(10);
    }

    /** The idle timeout used by {@link #idle_noTraffic_bothSidesCloseWithTimeout()}. */
    protected Duration shortIdleTimeout() {
        return Duration.ofSeconds(1);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    // ---------------------------------------------------------------- connect, bind, accept

    @Test
    void connect_listeningServer_acceptsChannelAndDeliversFirstMessage() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("hello"));

        await(() -> pair.accepted.size() == 1 && pair.serverSide().messageCount() == 1, "server accepts and receives");
        assertThat(pair.serverSide().messages().get(0)).isEqualTo(bytes("hello"));
        assertThat(pair.clientChannel.isOpen()).isTrue();
        assertThat(pair.accepted.get(0).channel.remoteEndpoint()).isNotNull();
        assertThat(pair.clientChannel.remoteEndpoint().port()).isEqualTo(pair.server.localEndpoint().port());
    }

    @Test
    void bind_portZero_reportsTheRealPort() throws Exception {
        Transport transport = track(newTransport(LONG_IDLE));
        Server server = track(transport.bind(bindEndpoint(), channel -> new Recorder()));

        assertThat(server.localEndpoint().port()).isBetween(1, 65_535);
    }

    @Test
    void send_bothDirections_roundTrips() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("ping"));
        await(() -> pair.serverSide().messageCount() == 1, "server receives ping");

        send(pair.accepted.get(0).channel, bytes("pong"));
        await(() -> pair.clientRecorder.messageCount() == 1, "client receives pong");

        assertThat(pair.serverSide().messages()).containsExactly(bytes("ping"));
        assertThat(pair.clientRecorder.messages()).containsExactly(bytes("pong"));
    }

    @Test
    void send_manyMessages_arriveInOrderUnmodified() throws Exception {
        int count = 500;
        Pair pair = openPair(LONG_IDLE);
        List<byte[]> sent = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        List<CompletionStage<Void>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] message = new byte[4 + random.nextInt(1, 3000)];
            random.nextBytes(message);
            ByteBuffer.wrap(message).putInt(i);
            sent.add(message.clone());
            acks.add(pair.clientChannel.send(message));
        }
        await(() -> pair.serverSide().messageCount() == count, count + " messages arrive");

        List<byte[]> received = pair.serverSide().messages();
        for (int i = 0; i < count; i++) {
            assertThat(received.get(i)).as("message %d", i).isEqualTo(sent.get(i));
        }
        await(() -> acks.stream().allMatch(a -> a.toCompletableFuture().isDone()), "every send completes");
        assertThat(acks).allMatch(a -> !a.toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void send_exactlyMaxMessageBytes_isDelivered() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        byte[] big = new byte[Transport.MAX_MESSAGE_BYTES];
        new SplittableRandom(11).nextBytes(big);

        send(pair.client, big.clone());
        await(() -> pair.serverSide().messageCount() == 1, "65535-byte message arrives");

        assertThat(pair.serverSide().messages().get(0)).isEqualTo(big);
    }

    @Test
    void send_emptyOrOversize_failsTooLargeAndChannelStaysUsable() throws Exception {
        Pair pair = openPair(LONG_IDLE);

        assertThat(failure(pair.clientChannel.send(new byte[0])).code()).isEqualTo(Code.TOO_LARGE);
        assertThat(failure(pair.clientChannel.send(new byte[Transport.MAX_MESSAGE_BYTES + 1])).code())
                .isEqualTo(Code.TOO_LARGE);

        send(pair.client, bytes("still fine"));
        await(() -> pair.serverSide().messageCount() == 1, "the channel still carries messages");
        assertThat(pair.serverSide().messages()).containsExactly(bytes("still fine"));
        assertThat(pair.clientChannel.isOpen()).isTrue();
    }

    @Test
    void connect_nobodyListening_failsRefused() throws Exception {
        Transport transport = track(newTransport(LONG_IDLE));
        Recorder recorder = new Recorder();

        CompletionStage<Channel> connect = transport.connect(endpointWithoutListener(), recorder);

        assertThat(failure(connect).code()).isIn(nobodyListeningCodes());
        assertThat(recorder.messageCount()).isZero();
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_byClient_peerSeesOrderlyCloseAfterQueuedMessages() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("first"));
        pair.clientChannel.send(bytes("last"));
        pair.clientChannel.close();

        await(() -> pair.accepted.size() == 1 && pair.serverSide().closed().isPresent(), "server sees the close");
        assertThat(pair.serverSide().messages()).containsExactly(bytes("first"), bytes("last"));
        assertThat(pair.serverSide().closed()).contains(Optional.empty());
        await(() -> pair.clientRecorder.closed().isPresent(), "client handler sees its own close");
        assertThat(pair.clientRecorder.closed()).contains(Optional.empty());
        assertThat(pair.clientChannel.isOpen()).isFalse();
        await(() -> !pair.accepted.get(0).channel.isOpen(), "server channel reports closed");
    }

    @Test
    void close_byServer_clientSeesOrderlyClose() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("hello"));
        await(() -> pair.serverSide().messageCount() == 1, "server receives");

        Channel serverChannel = pair.accepted.get(0).channel;
        serverChannel.send(bytes("goodbye"));
        serverChannel.close();

        await(() -> pair.clientRecorder.closed().isPresent(), "client sees the close");
        assertThat(pair.clientRecorder.messages()).containsExactly(bytes("goodbye"));
        assertThat(pair.clientRecorder.closed()).contains(Optional.empty());
        // The server's own close is reported on its event thread, which may run after the client's.
        await(() -> pair.serverSide().closed().isPresent(), "server handler sees its own close");
        assertThat(pair.serverSide().closed()).contains(Optional.empty());
    }

    @Test
    void close_twice_reportsClosedOnce() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("x"));
        pair.clientChannel.close();
        pair.clientChannel.close();

        await(() -> pair.accepted.size() == 1 && pair.serverSide().closed().isPresent(), "server sees the close");
        // the local close report is asynchronous too (it runs on the transport's thread)
        await(() -> pair.clientRecorder.closed().isPresent(), "client reports its own close");
        assertThat(pair.clientRecorder.closeCount()).isEqualTo(1);
        assertThat(pair.serverSide().closeCount()).isEqualTo(1);
    }

    @Test
    void send_afterClose_failsClosed() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        pair.clientChannel.close();

        assertThat(failure(pair.clientChannel.send(bytes("too late"))).code()).isEqualTo(Code.CLOSED);
    }

    @Test
    void serverClose_stopsAcceptingButKeepsAcceptedChannels() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("before"));
        await(() -> pair.serverSide().messageCount() == 1, "first channel accepted");
        Endpoint where = pair.server.localEndpoint();

        pair.server.close();
        pair.server.close();

        Recorder late = new Recorder();
        CompletionStage<Channel> lateConnect = pair.client.connect(where, late);
        TransportException refused = lateFailure(lateConnect, late);
        assertThat(refused.code()).isIn(nobodyListeningCodes());

        send(pair.client, bytes("after"));
        await(() -> pair.serverSide().messageCount() == 2, "accepted channel still delivers");
        send(pair.accepted.get(0).channel, bytes("reply"));
        await(() -> pair.clientRecorder.messageCount() == 1, "accepted channel still sends");
        assertThat(pair.accepted).hasSize(1);
    }

    @Test
    void bind_samePortTwice_failsAddressInUse() throws Exception {
        Transport first = track(newTransport(LONG_IDLE));
        Transport second = track(newTransport(LONG_IDLE));
        Server server = track(first.bind(bindEndpoint(), channel -> new Recorder()));

        TransportException thrown = null;
        try {
            track(second.bind(server.localEndpoint(), channel -> new Recorder()));
        } catch (TransportException e) {
            thrown = e;
        }

        assertThat(thrown).isNotNull();
        assertThat(thrown.code()).isEqualTo(Code.ADDRESS_IN_USE);
    }

    @Test
    void transportClose_closesItsChannelsAndRefusesNewWork() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("hello"));
        await(() -> pair.serverSide().messageCount() == 1, "server receives");

        pair.client.close();

        await(() -> pair.clientRecorder.closed().isPresent(), "client handler sees the close");
        assertThat(pair.clientChannel.isOpen()).isFalse();
        await(() -> pair.serverSide().closed().isPresent(), "server side sees the close");
        assertThat(failure(pair.client.connect(pair.server.localEndpoint(), new Recorder())).code())
                .isEqualTo(Code.CLOSED);
    }

    // ---------------------------------------------------------------- concurrency, idleness

    @Test
    void manyConcurrentChannels_eachEchoesItsOwnMessages() throws Exception {
        int channels = 16;
        int perChannel = 8;
        Transport serverTransport = track(newTransport(LONG_IDLE));
        Transport clientTransport = track(newTransport(LONG_IDLE));
        Server server = track(serverTransport.bind(bindEndpoint(), channel -> new EchoHandler(channel)));

        List<Recorder> recorders = new ArrayList<>();
        List<CompletionStage<Channel>> connects = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            Recorder recorder = new Recorder();
            recorders.add(recorder);
            connects.add(clientTransport.connect(server.localEndpoint(), recorder));
        }
        for (int c = 0; c < channels; c++) {
            Channel channel = complete(connects.get(c));
            for (int m = 0; m < perChannel; m++) {
                channel.send(bytes("channel " + c + " message " + m));
            }
        }
        await(() -> recorders.stream().allMatch(r -> r.messageCount() == perChannel), "every echo arrives");

        for (int c = 0; c < channels; c++) {
            List<byte[]> got = recorders.get(c).messages();
            for (int m = 0; m < perChannel; m++) {
                assertThat(new String(got.get(m), StandardCharsets.UTF_8)).isEqualTo("channel " + c + " message " + m);
            }
        }
    }

    @Test
    void idle_noTraffic_bothSidesCloseWithTimeout() throws Exception {
        Pair pair = openPair(shortIdleTimeout());
        send(pair.client, bytes("then silence"));
        await(() -> pair.serverSide().messageCount() == 1, "server receives");

        Duration limit = shortIdleTimeout().multipliedBy(4).plus(eventWait());
        assertThat(awaitCondition(() -> pair.clientRecorder.closed().isPresent()
                && pair.serverSide().closed().isPresent(), limit)).as("both sides time out").isTrue();
        assertThat(pair.clientRecorder.closed().orElseThrow()).map(TransportException::code).contains(Code.TIMEOUT);
        assertThat(pair.serverSide().closed().orElseThrow()).map(TransportException::code).contains(Code.TIMEOUT);
        assertThat(pair.clientChannel.isOpen()).isFalse();
        assertThat(failure(pair.clientChannel.send(bytes("x"))).code()).isIn(Code.CLOSED, Code.TIMEOUT);
    }

    // ---------------------------------------------------------------- inbound flow control

    /** How long a paused receiver is watched for a delivery that must not happen. */
    protected Duration quietWait() {
        return Duration.ofMillis(500);
    }

    @Test
    void pauseReading_peerSends_nothingArrivesUntilResumeThenAllInOrder() throws Exception {
        int count = 20;
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("hello"));
        await(() -> pair.serverSide().messageCount() == 1, "server accepts");
        Channel server = pair.accepted.get(0).channel;

        pair.clientChannel.pauseReading();
        pair.clientChannel.pauseReading();
        for (int i = 0; i < count; i++) {
            send(server, bytes("message " + i));
        }

        assertThat(awaitCondition(() -> pair.clientRecorder.messageCount() > 0, quietWait()))
                .as("a paused channel delivers nothing").isFalse();
        pair.clientChannel.resumeReading();
        pair.clientChannel.resumeReading();
        await(() -> pair.clientRecorder.messageCount() == count, "every held message arrives after resume");
        List<byte[]> got = pair.clientRecorder.messages();
        for (int i = 0; i < count; i++) {
            assertThat(new String(got.get(i), StandardCharsets.UTF_8)).isEqualTo("message " + i);
        }
        assertThat(pair.clientChannel.isOpen()).isTrue();
    }

    @Test
    void pauseReading_insideOnMessage_holdsTheMessagesAlreadyReceived() throws Exception {
        int count = 10;
        Transport serverTransport = track(newTransport(LONG_IDLE));
        Transport client = track(newTransport(LONG_IDLE));
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder();
        Server server = track(serverTransport.bind(bindEndpoint(), channel -> {
            accepted.add(channel);
            return new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    recorder.onMessage(message);
                    channel.pauseReading();
                }

                @Override
                public void onClosed(Optional<TransportException> cause) {
                    recorder.onClosed(cause);
                }
            };
        }));
        Channel channel = complete(client.connect(server.localEndpoint(), new Recorder()));
        // Sent back to back, so several messages tend to arrive in one read.
        List<CompletionStage<Void>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(channel.send(bytes("m" + i)));
        }
        await(() -> sends.stream().allMatch(a -> a.toCompletableFuture().isDone()), "every send completes");
        await(() -> recorder.messageCount() == 1, "the first message arrives");

        assertThat(awaitCondition(() -> recorder.messageCount() > 1, quietWait()))
                .as("the pause made in onMessage holds the rest").isFalse();
        for (int i = 1; i < count; i++) {
            int expected = i + 1;
            accepted.get(0).resumeReading();
            await(() -> recorder.messageCount() == expected, "exactly one more message per resume");
        }
        assertThat(recorder.messages()).extracting(m -> new String(m, StandardCharsets.UTF_8))
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    }

    @Test
    void pauseReading_peerClosesAfterMessages_closeWaitsBehindTheHeldMessages() throws Exception {
        Pair pair = openPair(LONG_IDLE);
        send(pair.client, bytes("hello"));
        await(() -> pair.serverSide().messageCount() == 1, "server accepts");
        Channel server = pair.accepted.get(0).channel;

        pair.clientChannel.pauseReading();
        send(server, bytes("one"));
        send(server, bytes("two"));
        server.close();

        assertThat(awaitCondition(() -> pair.clientRecorder.messageCount() > 0
                || pair.clientRecorder.closeCount() > 0, quietWait())).as("nothing while paused").isFalse();
        pair.clientChannel.resumeReading();
        await(() -> pair.clientRecorder.closed().isPresent(), "the close arrives after resume");
        assertThat(pair.clientRecorder.messages()).containsExactly(bytes("one"), bytes("two"));
        assertThat(pair.clientRecorder.closed()).contains(Optional.empty());
    }

    // ---------------------------------------------------------------- support

    /** Registers {@code resource} to be closed after the test (in reverse order). */
    protected final <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Waits {@link #eventWait()} for {@code condition} and fails the test naming {@code what}. */
    protected final void await(BooleanSupplier condition, String what) {
        assertThat(awaitCondition(condition, eventWait())).as("waited for: " + what).isTrue();
    }

    /** The value of a stage that must succeed, waiting in the transport's time. */
    protected final <T> T complete(CompletionStage<T> stage) {
        CompletableFuture<T> future = stage.toCompletableFuture();
        await(future::isDone, "operation completes");
        return future.join();
    }

    /** The {@link TransportException} a stage must fail with, waiting in the transport's time. */
    protected final TransportException failure(CompletionStage<?> stage) {
        CompletableFuture<?> future = stage.toCompletableFuture();
        Duration within = eventWait().multipliedBy(2);
        assertThat(awaitCondition(future::isDone, within)).as("operation finishes").isTrue();
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("unreachable: the future failed");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportException.class);
            return (TransportException) e.getCause();
        }
    }

    /**
     * A connect refused either at once or, for a transport that sees the refusal only after the
     * handshake, as the channel's close cause.
     */
    private TransportException lateFailure(CompletionStage<Channel> connect, Recorder recorder) {
        CompletableFuture<Channel> future = connect.toCompletableFuture();
        assertThat(awaitCondition(() -> future.isCompletedExceptionally() || recorder.closed().isPresent(),
                eventWait().multipliedBy(2))).as("connect to a closed server fails").isTrue();
        if (future.isCompletedExceptionally()) {
            return failure(connect);
        }
        return recorder.closed().orElseThrow().orElseThrow(() -> new AssertionError("closed without a cause"));
    }

    private void send(Transport client, byte[] message) {
        Pair pair = pairs.stream().filter(p -> p.client == client).findFirst().orElseThrow();
        send(pair.clientChannel, message);
    }

    /** Sends and waits for the send to be accepted. */
    protected final void send(Channel channel, byte[] message) {
        complete(channel.send(message));
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private final List<Pair> pairs = new ArrayList<>();

    private Pair openPair(Duration idleTimeout) throws Exception {
        Transport serverTransport = track(newTransport(idleTimeout));
        Transport client = track(newTransport(idleTimeout));
        List<Accepted> accepted = new CopyOnWriteArrayList<>();
        Server server = track(serverTransport.bind(bindEndpoint(), channel -> {
            Recorder recorder = new Recorder();
            accepted.add(new Accepted(channel, recorder));
            return recorder;
        }));
        Recorder clientRecorder = new Recorder();
        Channel clientChannel = complete(client.connect(server.localEndpoint(), clientRecorder));
        Pair pair = new Pair(server, client, clientChannel, clientRecorder, accepted);
        pairs.add(pair);
        return pair;
    }

    private record Accepted(Channel channel, Recorder recorder) {}

    private record Pair(Server server, Transport client, Channel clientChannel, Recorder clientRecorder,
            List<Accepted> accepted) {
        Recorder serverSide() {
            return accepted.isEmpty() ? new Recorder() : accepted.get(0).recorder;
        }
    }

    /**
     * A {@link ChannelHandler} that records what it is given, and fails the test's later
     * assertions if the port's event rules are broken (a message after the close, two closes).
     * Thread-safe.
     */
    protected static final class Recorder implements ChannelHandler {
        private final List<byte[]> messages = new ArrayList<>();
        private final List<Optional<TransportException>> closes = new ArrayList<>();
        private boolean messageAfterClose;

        @Override
        public synchronized void onMessage(byte[] message) {
            if (!closes.isEmpty()) {
                messageAfterClose = true;
            }
            messages.add(message);
        }

        @Override
        public synchronized void onClosed(Optional<TransportException> cause) {
            closes.add(cause);
        }

        /** A copy of the messages so far, in arrival order. */
        public synchronized List<byte[]> messages() {
            return List.copyOf(messages);
        }

        public synchronized int messageCount() {
            return messages.size();
        }

        /** The first close, if any; fails if a message arrived after it. */
        public synchronized Optional<Optional<TransportException>> closed() {
            assertThat(messageAfterClose).as("message delivered after onClosed").isFalse();
            return closes.isEmpty() ? Optional.empty() : Optional.of(closes.get(0));
        }

        public synchronized int closeCount() {
            return closes.size();
        }

        @Override
        public synchronized String toString() {
            return "Recorder[messages=" + messages.size() + ", closes=" + closes + "]";
        }
    }

    /** Sends every message back on the same channel. */
    protected static final class EchoHandler implements ChannelHandler {
        private final Channel channel;

        public EchoHandler(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void onMessage(byte[] message) {
            channel.send(Arrays.copyOf(message, message.length));
        }

        @Override
        public void onClosed(Optional<TransportException> cause) {}
    }
}
