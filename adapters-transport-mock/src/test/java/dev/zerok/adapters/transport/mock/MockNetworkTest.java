package dev.zerok.adapters.transport.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Measures what the mock network injects, and checks that a run replays from its seed. */
class MockNetworkTest {
    private static final Duration IDLE = Duration.ofSeconds(30);

    /** A device and a relay on one network, one channel between them. */
    private static final class Rig {
        final ManualClock clock = new ManualClock();
        final MockNetwork network;
        final Transport relay;
        final Transport device;
        final Timed relaySide = new Timed();
        final Timed deviceSide = new Timed();
        final Channel channel;
        Channel accepted;

        Rig(long seed, LinkFaults toRelay) {
            this(seed, toRelay, IDLE);
        }

        Rig(long seed, LinkFaults toRelay, Duration idle) {
            network = new MockNetwork(clock, new SeededEntropy(seed));
            network.setFaults("device", "relay", toRelay);
            relay = network.transport("relay", idle, Duration.ofSeconds(10));
            device = network.transport("device", idle, Duration.ofSeconds(10));
            Server server;
            try {
                server = relay.bind(new Endpoint("relay", 7443), ch -> {
                    accepted = ch;
                    return relaySide;
                });
            } catch (TransportException e) {
                throw new AssertionError(e);
            }
            CompletableFuture<Channel> connect = device.connect(server.localEndpoint(), deviceSide).toCompletableFuture();
            for (int step = 0; step < 10_000 && !connect.isDone(); step++) {
                clock.advance(Duration.ofMillis(1));
            }
            channel = connect.join();
        }

        void runFor(Duration span) {
            clock.advance(span);
        }
    }

    /** Records messages with their virtual arrival time. */
    private static final class Timed implements ChannelHandler {
        final List<byte[]> messages = new ArrayList<>();
        final List<Instant> arrivals = new ArrayList<>();
        final List<Optional<TransportException>> closes = new ArrayList<>();
        ManualClock clock;

        @Override
        public void onMessage(byte[] message) {
            messages.add(message);
            arrivals.add(clock == null ? Instant.EPOCH : clock.now());
        }

        @Override
        public void onClosed(Optional<TransportException> cause) {
            closes.add(cause);
        }
    }

    private static byte[] numbered(int i, int size) {
        byte[] message = new byte[size];
        ByteBuffer.wrap(message).putInt(i);
        for (int b = 4; b < size; b++) {
            message[b] = (byte) (i * 31 + b);
        }
        return message;
    }

    @Test
    void drop_twentyPercent_losesTwentyPercentOfAttemptsAndDeliversAllInOrder() {
        Rig rig = new Rig(1, LinkFaults.NONE.withDropRate(0.20).withDelay(Duration.ofMillis(10), Duration.ZERO));
        int count = 10_000;
        for (int i = 0; i < count; i++) {
            rig.channel.send(numbered(i, 16));
        }
        rig.clock.runUntilIdle(1_000_000);

        LinkStats stats = rig.network.stats("device", "relay");
        double lossRate = (double) stats.dropped() / stats.attempts();
        // Binomial over ~12,500 attempts: sd ~0.0036; the tolerance is about 4 sd.
        assertThat(lossRate).isCloseTo(0.20, within(0.015));
        assertThat(stats.messagesSent()).isEqualTo(count);
        assertThat(rig.relaySide.messages).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(rig.relaySide.messages.get(i)).isEqualTo(numbered(i, 16));
        }
    }

    @Test
    void delay_meanAndJitter_arrivalsSpreadUniformlyAroundTheMean() {
        Rig rig = new Rig(2, LinkFaults.NONE.withDelay(Duration.ofMillis(200), Duration.ofMillis(150)));
        rig.relaySide.clock = rig.clock;
        int count = 2_000;
        List<Instant> sentAt = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sentAt.add(rig.clock.now());
            rig.channel.send(numbered(i, 8));
            // One second apart, so no message waits behind an earlier one (no head-of-line effect).
            rig.runFor(Duration.ofSeconds(1));
        }
        rig.runFor(Duration.ofSeconds(1));

        assertThat(rig.relaySide.arrivals).hasSize(count);
        long[] delaysMs = new long[count];
        for (int i = 0; i < count; i++) {
            delaysMs[i] = Duration.between(sentAt.get(i), rig.relaySide.arrivals.get(i)).toMillis();
        }
        Arrays.sort(delaysMs);
        double mean = Arrays.stream(delaysMs).average().orElseThrow();
        // Uniform on [50, 350] ms: sd 86.6 ms, so the mean's sd over 2000 samples is ~1.9 ms.
        assertThat(delaysMs[0]).isGreaterThanOrEqualTo(50);
        assertThat(delaysMs[count - 1]).isLessThanOrEqualTo(350);
        assertThat(mean).isCloseTo(200, within(8.0));
        assertThat(delaysMs[count / 4]).isBetween(110L, 140L);
        assertThat(delaysMs[3 * count / 4]).isBetween(260L, 290L);
    }

    @Test
    void duplicateAndReorder_areRepairedAndCounted() {
        Rig rig = new Rig(3, LinkFaults.NONE.withDelay(Duration.ofMillis(20), Duration.ofMillis(10))
                .withDuplicateRate(0.3).withReorder(0.1, Duration.ofMillis(100)));
        int count = 3_000;
        for (int i = 0; i < count; i++) {
            rig.channel.send(numbered(i, 12));
            rig.runFor(Duration.ofMillis(1));
        }
        rig.clock.runUntilIdle(1_000_000);

        LinkStats stats = rig.network.stats("device", "relay");
        // sd of a 3000-sample proportion at p=0.3 is ~0.0084, at p=0.1 ~0.0055.
        assertThat((double) stats.duplicated() / count).isCloseTo(0.3, within(0.035));
        assertThat((double) stats.reordered() / count).isCloseTo(0.1, within(0.025));
        assertThat(rig.relaySide.messages).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(rig.relaySide.messages.get(i)).isEqualTo(numbered(i, 12));
        }
    }

    @Test
    void corrupt_always_deliversEachMessageWithExactlyOneBitFlipped() {
        Rig rig = new Rig(4, LinkFaults.NONE.withCorruptRate(1.0));
        int count = 200;
        for (int i = 0; i < count; i++) {
            rig.channel.send(numbered(i, 64));
        }
        rig.clock.runUntilIdle(100_000);

        assertThat(rig.relaySide.messages).hasSize(count);
        for (int i = 0; i < count; i++) {
            byte[] got = rig.relaySide.messages.get(i);
            byte[] sent = numbered(i, 64);
            int flipped = 0;
            for (int b = 0; b < 64; b++) {
                flipped += Integer.bitCount((got[b] ^ sent[b]) & 0xff);
            }
            assertThat(flipped).as("message %d", i).isEqualTo(1);
        }
        assertThat(rig.network.stats("device", "relay").corrupted()).isEqualTo(count);
        assertThat(rig.network.stats("relay", "device").corrupted()).isZero();
    }

    @Test
    void truncate_half_deliversPrefixesOfAboutHalfTheMessages() {
        Rig rig = new Rig(5, LinkFaults.NONE.withTruncateRate(0.5));
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            rig.channel.send(numbered(i, 100));
        }
        rig.clock.runUntilIdle(1_000_000);

        int shortened = 0;
        for (int i = 0; i < count; i++) {
            byte[] got = rig.relaySide.messages.get(i);
            assertThat(got.length).isBetween(1, 100);
            assertThat(got).isEqualTo(Arrays.copyOf(numbered(i, 100), got.length));
            shortened += got.length < 100 ? 1 : 0;
        }
        // sd of the proportion is ~0.011.
        assertThat((double) shortened / count).isCloseTo(0.5, within(0.045));
        assertThat(rig.network.stats("device", "relay").truncated()).isEqualTo(shortened);
    }

    @Test
    void limitBytes_crossed_deliversWhatFitsThenResetsBothEnds() {
        Rig rig = new Rig(6, LinkFaults.NONE.withLimitBytes(1_000).withDelay(Duration.ofMillis(5), Duration.ZERO));
        for (int i = 0; i < 5; i++) {
            rig.channel.send(numbered(i, 300));
        }
        rig.clock.runUntilIdle(10_000);

        assertThat(rig.relaySide.messages).hasSize(3);
        assertThat(rig.relaySide.closes).hasSize(1);
        assertThat(rig.relaySide.closes.get(0)).map(TransportException::code).contains(Code.RESET);
        assertThat(rig.deviceSide.closes).hasSize(1);
        assertThat(rig.deviceSide.closes.get(0)).map(TransportException::code).contains(Code.RESET);
        assertThat(rig.channel.isOpen()).isFalse();
        assertThat(rig.network.stats("device", "relay").cuts()).isEqualTo(1);
    }

    @Test
    void partition_shorterThanIdle_retransmitsOnDoublingPtoThenDeliversInOrder() {
        Rig rig = new Rig(7, LinkFaults.NONE.withDelay(Duration.ofMillis(10), Duration.ZERO));
        rig.relaySide.clock = rig.clock;
        rig.network.setFaults("device", "relay", LinkFaults.NONE.withPartitioned(true));
        Instant sent = rig.clock.now();
        for (int i = 0; i < 10; i++) {
            rig.channel.send(numbered(i, 10));
        }
        rig.runFor(Duration.ofSeconds(1));
        assertThat(rig.relaySide.messages).isEmpty();

        rig.network.setFaults("device", "relay", LinkFaults.NONE);
        rig.runFor(Duration.ofSeconds(1));

        // (The partition replaced the delay.) Attempts at 0, 200, 600 ms lost (PTO 200, 400 ms);
        // the next comes 800 ms later: 1400 ms.
        assertThat(rig.relaySide.messages).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(rig.relaySide.messages.get(i)).isEqualTo(numbered(i, 10));
        }
        assertThat(Duration.between(sent, rig.relaySide.arrivals.get(0))).isEqualTo(Duration.ofMillis(1400));
        assertThat(rig.relaySide.closes).isEmpty();
        assertThat(rig.network.stats("device", "relay").heldByPartition()).isEqualTo(30);
    }

    @Test
    void partition_oneWay_peerStillTalking_closesWithTimeoutWhenAMessageIsUnacknowledgedForIdle() {
        Rig rig = new Rig(11, LinkFaults.NONE, Duration.ofSeconds(5));
        rig.network.setFaults("device", "relay", LinkFaults.NONE.withPartitioned(true));
        rig.deviceSide.clock = rig.clock;
        Instant sent = rig.clock.now();
        rig.channel.send(numbered(1, 10));
        // The relay keeps talking down the healthy direction, so the connection is never idle.
        for (int s = 0; s < 8 && rig.deviceSide.closes.isEmpty(); s++) {
            rig.accepted.send(numbered(100 + s, 10));
            rig.runFor(Duration.ofSeconds(1));
        }

        assertThat(rig.relaySide.messages).isEmpty();
        assertThat(rig.deviceSide.messages).hasSizeGreaterThanOrEqualTo(5);
        assertThat(rig.deviceSide.closes).singleElement().satisfies(c -> {
            assertThat(c).map(TransportException::code).contains(Code.TIMEOUT);
            assertThat(c.orElseThrow().getMessage()).contains("not acknowledged");
        });
        assertThat(rig.relaySide.closes).singleElement().satisfies(c ->
                assertThat(c).map(TransportException::code).contains(Code.TIMEOUT));
        // Lost at 0, 0.2, 0.6, 1.4, 3.0 s; the next (6.2 s) is past 5 s: give-up at exactly 5 s.
        assertThat(rig.network.stats("device", "relay").heldByPartition()).isEqualTo(5);
        assertThat(rig.clock.now()).isAfterOrEqualTo(sent.plusSeconds(5));
    }

    @Test
    void drop_ninetyPercent_someMessageLostForTheIdleTimeout_connectionCloses() {
        Rig rig = new Rig(12, LinkFaults.NONE.withDropRate(0.9), Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            rig.channel.send(numbered(i, 10));
        }
        rig.runFor(Duration.ofSeconds(31));

        assertThat(rig.channel.isOpen()).isFalse();
        assertThat(rig.deviceSide.closes).singleElement().satisfies(c ->
                assertThat(c).map(TransportException::code).contains(Code.TIMEOUT));
        assertThat(rig.relaySide.messages.size()).isLessThan(20);
    }

    @Test
    void drop_twentyPercent_retransmissionDelaysAreSumsOfDoublingPtos() {
        Rig rig = new Rig(13, LinkFaults.NONE.withDropRate(0.20));
        rig.relaySide.clock = rig.clock;
        // One message every 10 s (no head-of-line blocking unless a message is lost 6 times).
        int count = 1_000;
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant sent = rig.clock.now();
            rig.channel.send(numbered(i, 8));
            rig.runFor(Duration.ofSeconds(10));
            assertThat(rig.relaySide.arrivals).hasSize(i + 1);
            latencies.add(Duration.between(sent, rig.relaySide.arrivals.get(i)).toMillis());
        }

        // Each latency is 200 * (2^k - 1) ms for k lost attempts: 0, 200, 600, 1400, ...
        java.util.Set<Long> allowed = new java.util.HashSet<>();
        for (int k = 0; k < 8; k++) {
            allowed.add(200L * ((1L << k) - 1));
        }
        java.util.Set<Long> seen = new java.util.TreeSet<>(latencies);
        assertThat(allowed).containsAll(seen);
        double firstTime = latencies.stream().filter(l -> l == 0).count() / (double) count;
        assertThat(firstTime).isCloseTo(0.80, within(0.05));
        assertThat(seen).contains(0L, 200L, 600L); // two consecutive losses: about 32 of 1000
    }

    @Test
    void partition_longerThanIdle_closesBothEndsWithTimeout() {
        Rig rig = new Rig(8, LinkFaults.NONE, Duration.ofSeconds(5));
        rig.network.setFaultsBothWays("device", "relay", LinkFaults.NONE.withPartitioned(true));
        rig.channel.send(numbered(1, 10));

        rig.runFor(Duration.ofSeconds(6));

        assertThat(rig.relaySide.messages).isEmpty();
        assertThat(rig.deviceSide.closes).singleElement().satisfies(c ->
                assertThat(c).map(TransportException::code).contains(Code.TIMEOUT));
        assertThat(rig.relaySide.closes).singleElement().satisfies(c ->
                assertThat(c).map(TransportException::code).contains(Code.TIMEOUT));
    }

    @Test
    void bandwidth_tenKilobytesPerSecond_spreadsHundredKilobytesOverTenSeconds() {
        Rig rig = new Rig(9, LinkFaults.NONE.withBandwidth(10_000));
        rig.relaySide.clock = rig.clock;
        Instant start = rig.clock.now();
        for (int i = 0; i < 100; i++) {
            rig.channel.send(numbered(i, 1_000));
        }
        rig.clock.runUntilIdle(100_000);

        assertThat(rig.relaySide.messages).hasSize(100);
        assertThat(Duration.between(start, rig.relaySide.arrivals.get(99))).isEqualTo(Duration.ofSeconds(10));
        assertThat(Duration.between(start, rig.relaySide.arrivals.get(0))).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void bandwidth_droppedLiveMidTransfer_actsFromTheNextQueuedMessage() {
        Rig rig = new Rig(14, LinkFaults.NONE.withBandwidth(10_000));
        rig.relaySide.clock = rig.clock;
        Instant start = rig.clock.now();
        for (int i = 0; i < 10; i++) {
            rig.channel.send(numbered(i, 1_000));
        }
        rig.runFor(Duration.ofMillis(450));
        assertThat(rig.relaySide.messages).hasSize(4);
        rig.network.setFaults("device", "relay", LinkFaults.NONE.withBandwidth(1_000));
        rig.clock.runUntilIdle(100_000);

        // Message 5 finishes at the old rate (500 ms); messages 6..10 take 1 s each.
        assertThat(rig.relaySide.messages).hasSize(10);
        assertThat(Duration.between(start, rig.relaySide.arrivals.get(4))).isEqualTo(Duration.ofMillis(500));
        assertThat(Duration.between(start, rig.relaySide.arrivals.get(9))).isEqualTo(Duration.ofMillis(5_500));
    }

    @Test
    void sameSeed_replaysIdenticalTrace_otherSeedDiffers() {
        List<String> first = trace(77);
        List<String> second = trace(77);
        List<String> other = trace(78);

        assertThat(first).isNotEmpty().isEqualTo(second);
        assertThat(other).isNotEqualTo(first);
    }

    /** Every injection and every delivery, with its virtual time, for one busy run. */
    private static List<String> trace(long seed) {
        ManualClock clock = new ManualClock();
        MockNetwork network = new MockNetwork(clock, new SeededEntropy(seed));
        List<String> trace = new ArrayList<>();
        network.addListener(e -> trace.add(e.at() + " " + e.kind() + " " + e.fromHost() + ">" + e.toHost()
                + " #" + e.connectionId() + " " + e.sizeBytes()));
        LinkFaults faults = LinkFaults.NONE.withDropRate(0.1).withDelay(Duration.ofMillis(30), Duration.ofMillis(20))
                .withDuplicateRate(0.05).withReorder(0.05, Duration.ofMillis(40)).withCorruptRate(0.02)
                .withTruncateRate(0.02);
        network.setFaultsBothWays("a", "relay", faults);
        network.setFaultsBothWays("b", "relay", faults);
        Transport relay = network.transport("relay", IDLE, Duration.ofSeconds(10));
        try {
            relay.bind(new Endpoint("relay", 1), ch -> new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    trace.add(clock.now() + " relay got " + Arrays.hashCode(message));
                    ch.send(message);
                }

                @Override
                public void onClosed(Optional<TransportException> cause) {
                    trace.add(clock.now() + " relay closed " + cause.map(TransportException::code));
                }
            });
        } catch (TransportException e) {
            throw new AssertionError(e);
        }
        for (String host : List.of("a", "b")) {
            Transport device = network.transport(host, IDLE, Duration.ofSeconds(10));
            device.connect(new Endpoint("relay", 1), new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    trace.add(clock.now() + " " + host + " got " + Arrays.hashCode(message));
                }

                @Override
                public void onClosed(Optional<TransportException> cause) {
                    trace.add(clock.now() + " " + host + " closed " + cause.map(TransportException::code));
                }
            }).thenAccept(ch -> {
                for (int i = 0; i < 200; i++) {
                    ch.send(numbered(i, 50));
                }
                ch.close();
            });
        }
        clock.runUntilIdle(1_000_000);
        return trace;
    }
}
