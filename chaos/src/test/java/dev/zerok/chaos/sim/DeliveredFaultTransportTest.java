package dev.zerok.chaos.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.transport.mock.FaultEvent;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DeliveredFaultTransportTest {
    private static final Endpoint RELAY = new Endpoint("127.0.0.1", 4433);

    /** A transport whose one channel records what it is sent and lets the test deliver. */
    private static final class FakeTransport implements Transport {
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        ChannelHandler handler;

        @Override
        public CompletionStage<Channel> connect(Endpoint remote, ChannelHandler h) {
            handler = h;
            return CompletableFuture.completedFuture(new Channel() {
                @Override
                public Endpoint remoteEndpoint() {
                    return remote;
                }

                @Override
                public CompletionStage<Void> send(byte[] message) {
                    sent.add(message);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void close() {}

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void pauseReading() {}

                @Override
                public void resumeReading() {}
            });
        }

        @Override
        public Server bind(Endpoint local, Acceptor acceptor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    private final FakeTransport inner = new FakeTransport();
    private final List<FaultEvent.Kind> acts = new CopyOnWriteArrayList<>();
    private final List<byte[]> delivered = new CopyOnWriteArrayList<>();

    private Channel connect(DeliveredFaultTransport t) {
        return t.connect(RELAY, new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                delivered.add(message);
            }

            @Override
            public void onClosed(java.util.Optional<dev.zerok.ports.transport.TransportException> cause) {}
        }).toCompletableFuture().join();
    }

    private DeliveredFaultTransport transport(long seed) {
        return new DeliveredFaultTransport(inner, seed, (kind, link, direction, size) -> acts.add(kind));
    }

    private static byte[] message(int n) {
        byte[] m = new byte[32];
        java.util.Arrays.fill(m, (byte) n);
        return m;
    }

    @Test
    void noFaults_passesEveryMessageUnchanged() {
        Channel c = connect(transport(1));
        for (int i = 0; i < 20; i++) {
            c.send(message(i));
            inner.handler.onMessage(message(100 + i));
        }
        assertThat(inner.sent).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(inner.sent.get(i)).isEqualTo(message(i));
            assertThat(delivered.get(i)).isEqualTo(message(100 + i));
        }
        assertThat(acts).isEmpty();
    }

    @Test
    void corruptUp_flipsExactlyOneBitOfEachSentMessage_andReportsIt() {
        DeliveredFaultTransport t = transport(2);
        t.setFaults(RELAY, LinkDirection.UP, DeliveredFaultTransport.Faults.NONE.withTamper(1, 0));
        Channel c = connect(t);
        for (int i = 0; i < 10; i++) {
            c.send(message(i));
            inner.handler.onMessage(message(100 + i)); // DOWN untouched
        }
        for (int i = 0; i < 10; i++) {
            int bits = 0;
            for (int b = 0; b < 32; b++) {
                bits += Integer.bitCount((inner.sent.get(i)[b] ^ message(i)[b]) & 0xff);
            }
            assertThat(bits).isEqualTo(1);
            assertThat(delivered.get(i)).isEqualTo(message(100 + i));
        }
        assertThat(acts).hasSize(10).containsOnly(FaultEvent.Kind.CORRUPT);
    }

    @Test
    void truncateDown_deliversAShorterPrefix() {
        DeliveredFaultTransport t = transport(3);
        t.setFaults(RELAY, LinkDirection.DOWN, DeliveredFaultTransport.Faults.NONE.withTamper(0, 1));
        connect(t);
        for (int i = 0; i < 10; i++) {
            inner.handler.onMessage(message(i));
        }
        for (int i = 0; i < 10; i++) {
            byte[] d = delivered.get(i);
            assertThat(d.length).isBetween(1, 31);
            assertThat(d).isEqualTo(java.util.Arrays.copyOf(message(i), d.length));
        }
        assertThat(acts).hasSize(10).containsOnly(FaultEvent.Kind.TRUNCATE);
    }

    @Test
    void reorderUp_swapsEachHeldMessageWithTheNext() {
        DeliveredFaultTransport t = transport(4);
        t.setFaults(RELAY, LinkDirection.UP, DeliveredFaultTransport.Faults.NONE.withDelivered(1, 0));
        Channel c = connect(t);
        List<CompletionStage<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sends.add(c.send(message(i)));
        }
        assertThat(inner.sent).containsExactly(message(1), message(0), message(3), message(2));
        assertThat(acts).containsExactly(FaultEvent.Kind.REORDER_DELIVERED, FaultEvent.Kind.REORDER_DELIVERED);
        sends.forEach(s -> assertThat(s.toCompletableFuture()).isCompleted());
    }

    @Test
    void reorder_aHeldMessageWithoutSuccessor_goesAloneLate() throws Exception {
        DeliveredFaultTransport t = transport(5);
        t.setFaults(RELAY, LinkDirection.UP, DeliveredFaultTransport.Faults.NONE.withDelivered(1, 0));
        Channel c = connect(t);
        CompletionStage<Void> held = c.send(message(7));
        assertThat(inner.sent).isEmpty();
        held.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(inner.sent).containsExactly(message(7));
        assertThat(acts).isEmpty(); // only late, not reordered
    }

    @Test
    void replayDown_deliversThePreviousMessageAgainAfterEach() {
        DeliveredFaultTransport t = transport(6);
        t.setFaults(RELAY, LinkDirection.DOWN, DeliveredFaultTransport.Faults.NONE.withDelivered(0, 1));
        connect(t);
        for (int i = 0; i < 3; i++) {
            inner.handler.onMessage(message(i));
        }
        assertThat(delivered).containsExactly(message(0), message(1), message(0), message(2), message(1));
        assertThat(acts).containsExactly(FaultEvent.Kind.REPLAY_DELIVERED, FaultEvent.Kind.REPLAY_DELIVERED);
    }

    @Test
    void sameSeed_sameDecisions() {
        List<List<byte[]>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            FakeTransport fake = new FakeTransport();
            DeliveredFaultTransport t = new DeliveredFaultTransport(fake, 42, (k, l, d, s) -> { });
            t.setFaults(RELAY, LinkDirection.UP, new DeliveredFaultTransport.Faults(0.3, 0.3, 0, 0.3));
            Channel c = t.connect(RELAY, new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {}

                @Override
                public void onClosed(java.util.Optional<dev.zerok.ports.transport.TransportException> cause) {}
            }).toCompletableFuture().join();
            for (int i = 0; i < 50; i++) {
                c.send(message(i));
            }
            runs.add(fake.sent);
        }
        assertThat(runs.get(1)).hasSameSizeAs(runs.get(0));
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertThat(runs.get(1).get(i)).isEqualTo(runs.get(0).get(i));
        }
    }

    @Test
    void rateOutOfRange_isRejected() {
        assertThatThrownBy(() -> new DeliveredFaultTransport.Faults(0, 1.5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1]");
    }
}
