package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy over real UDP on 127.0.0.1: a test client sends through the proxy to a sink or echo.
 * Senders are paced (bursts of 100 datagrams, then wait until the proxy and the sink have caught
 * up, bounded by a deadline) so kernel socket-buffer drops do not skew the measured rates. Each
 * test asserts the proxy's own decision rate against the target with a tolerance derived from the
 * binomial standard deviation, and the end-to-end effect with extra slack.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpFaultProxyTest {

    private static final Duration CATCH_UP = Duration.ofSeconds(3);
    private static final int BURST = 100;

    /**
     * A payload of {@code sizeBytes} (at least 20): the sequence number three times (so a
     * one-bit corruption can be outvoted), the send time on {@link System#nanoTime()}, then a
     * filler that depends on the sequence number.
     */
    private static byte[] payload(int seq, int sizeBytes) {
        ByteBuffer b = ByteBuffer.allocate(sizeBytes);
        b.putInt(seq).putInt(seq).putInt(seq).putLong(System.nanoTime());
        while (b.hasRemaining()) {
            b.put((byte) (seq * 31 + b.position()));
        }
        return b.array();
    }

    private static int seqOf(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        int x = b.getInt();
        int y = b.getInt();
        int z = b.getInt();
        return (x & y) | (x & z) | (y & z);
    }

    private static long sentAtNanos(byte[] p) {
        return ByteBuffer.wrap(p).getLong(12);
    }

    /**
     * Sends {@code count} datagrams of {@code sizeBytes} from {@code client} through the proxy in
     * bursts, waiting after each burst until the proxy has received them and the destination has
     * received what the proxy forwarded. Returns the payloads sent, in order.
     */
    private static List<byte[]> sendPaced(UdpPeer client, UdpFaultProxy proxy, UdpPeer destination, int count,
            int sizeBytes) throws IOException, InterruptedException {
        List<byte[]> sent = new ArrayList<>(count);
        long base = proxy.stats().up().receivedDatagrams();
        long forwardedBase = proxy.stats().up().forwardedDatagrams() - destination.count();
        while (sent.size() < count) {
            int end = Math.min(count, sent.size() + BURST);
            while (sent.size() < end) {
                byte[] p = payload(sent.size(), sizeBytes);
                client.send(proxy.listenAddress(), p);
                sent.add(p);
            }
            long target = base + sent.size();
            Await.until(CATCH_UP, () -> proxy.stats().up().receivedDatagrams() >= target);
            destination.awaitCount((int) (proxy.stats().up().forwardedDatagrams() - forwardedBase), CATCH_UP);
        }
        return sent;
    }

    private static UdpFaultProxy.Builder proxyTo(UdpPeer upstream, long seed) {
        return UdpFaultProxy.builder(upstream.address()).seed(seed);
    }

    @Test
    void forward_noFaults_eachClientGetsItsOwnEchoesThroughItsOwnSession() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer a = UdpPeer.sink(); UdpPeer b = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 1).start()) {
            for (int i = 0; i < 20; i++) {
                a.send(proxy.listenAddress(), ("a" + i).getBytes());
                b.send(proxy.listenAddress(), ("b" + i).getBytes());
            }

            assertThat(a.awaitCount(20, CATCH_UP)).isEqualTo(20);
            assertThat(b.awaitCount(20, CATCH_UP)).isEqualTo(20);
            assertThat(a.received()).allSatisfy(r -> assertThat(new String(r.payload())).startsWith("a"));
            assertThat(b.received()).allSatisfy(r -> assertThat(new String(r.payload())).startsWith("b"));
            assertThat(a.received()).allSatisfy(r -> assertThat(r.from()).isEqualTo(proxy.listenAddress()));
            Set<Integer> upstreamSeesPorts = new TreeSet<>();
            echo.received().forEach(r -> upstreamSeesPorts.add(r.from().getPort()));
            assertThat(upstreamSeesPorts).hasSize(2).doesNotContain(proxy.listenAddress().getPort());
            ProxyStats stats = proxy.stats();
            assertThat(stats.sessionsOpened()).isEqualTo(2);
            assertThat(stats.activeSessions()).isEqualTo(2);
            assertThat(stats.up().forwardedDatagrams()).isEqualTo(40);
            assertThat(stats.down().forwardedDatagrams()).isEqualTo(40);
            assertThat(stats.sendFailures()).isZero();
        }
    }

    @Test
    void loss_twentyPercentOver10000Datagrams_decisionRateWithinTwoPointsEndToEndWithinThree() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 20240601).profile(Direction.UP, FaultProfile.NONE.withLoss(0.2))
                        .start()) {
            sendPaced(client, proxy, sink, 10_000, 100);

            DirectionStats up = proxy.stats().up();
            double decided = up.dropped(Fault.LOSS) / (double) up.receivedDatagrams();
            double endToEnd = 1 - sink.count() / 10_000.0;
            System.out.printf("loss target 0.200: proxy received %d, decided %.4f, end-to-end %.4f, sink %d of %d forwarded%n",
                    up.receivedDatagrams(), decided, endToEnd, sink.count(), up.forwardedDatagrams());
            // Binomial sd at n = 10000, p = 0.2: 0.4 points; 2 points = 5 sigma.
            assertThat(up.receivedDatagrams()).isGreaterThanOrEqualTo(9_900);
            assertThat(decided).isCloseTo(0.2, within(0.02));
            // End to end also counts any kernel drop on loopback: one more point of slack.
            assertThat(endToEnd).isCloseTo(0.2, within(0.03));
            assertThat((double) sink.count()).isCloseTo(up.forwardedDatagrams(), within(up.forwardedDatagrams() * 0.01));
        }
    }

    @Test
    void loss_sameSeedTwice_sameDatagramsDropped() throws Exception {
        List<Set<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                    UdpFaultProxy proxy = proxyTo(sink, 4242).profile(Direction.UP, FaultProfile.NONE.withLoss(0.3))
                            .start()) {
                sendPaced(client, proxy, sink, 2_000, 64);
                Set<Integer> got = new TreeSet<>();
                sink.received().forEach(r -> got.add(seqOf(r.payload())));
                runs.add(got);
            }
        }

        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(0).size()).isBetween(1_200, 1_600);
    }

    @Test
    void burstLoss_gilbertElliott_sinkSeesGapsOfMeanOneOverBadToGood() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 21).profile(Direction.UP,
                        FaultProfile.NONE.withBurstLoss(new BurstLoss(0.05, 0.25, 1))).start()) {
            sendPaced(client, proxy, sink, 5_000, 64);

            TreeSet<Integer> got = new TreeSet<>();
            sink.received().forEach(r -> got.add(seqOf(r.payload())));
            List<Integer> gaps = new ArrayList<>();
            int previous = -1;
            for (int seq : got) {
                if (seq - previous > 1) {
                    gaps.add(seq - previous - 1);
                }
                previous = seq;
            }
            double meanGap = gaps.stream().mapToInt(Integer::intValue).average().orElseThrow();
            DirectionStats up = proxy.stats().up();
            System.out.printf("burst loss p=0.05 r=0.25: %d bursts, mean length %.2f (target 4), loss %.4f (target %.4f)%n",
                    gaps.size(), meanGap, up.dropped(Fault.BURST_LOSS) / 5_000.0, 1 / 6.0);
            // About 208 bursts, sd of the mean 3.46 / sqrt(208) = 0.24: 1.0 is 4 sigma.
            assertThat(meanGap).isCloseTo(4.0, within(1.0));
            assertThat(got.size()).isEqualTo((int) up.forwardedDatagrams());
        }
    }

    @Test
    void latency_fiftyMsJitterTenMs_oneWayMedianWithinFifteenMs() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 5).profile(Direction.UP,
                        FaultProfile.NONE.withLatency(Duration.ofMillis(50), Duration.ofMillis(10))).start()) {
            for (int i = 0; i < 200; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pacing, not waiting for a condition
            }
            assertThat(sink.awaitCount(200, CATCH_UP)).isEqualTo(200);

            double[] delaysMs = sink.received().stream()
                    .mapToDouble(r -> (r.atNanos() - sentAtNanos(r.payload())) / 1e6).sorted().toArray();
            double median = delaysMs[100];
            double iqr = delaysMs[150] - delaysMs[50];
            System.out.printf("latency target 50 ms sd 10 ms: one-way median %.1f ms, IQR %.1f ms (normal: 13.5)%n",
                    median, iqr);
            assertThat(median).isCloseTo(50, within(15.0));
            // A normal's interquartile range is 1.349 sd = 13.5 ms; loopback and scheduling add noise.
            assertThat(iqr).isBetween(7.0, 25.0);
        }
    }

    @Test
    void latency_upTwentyDownThirty_roundTripMedianWithinFifteenMsOfFifty() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 6)
                        .profile(Direction.UP, FaultProfile.NONE.withLatency(Duration.ofMillis(20), Duration.ZERO))
                        .profile(Direction.DOWN, FaultProfile.NONE.withLatency(Duration.ofMillis(30), Duration.ZERO))
                        .start()) {
            for (int i = 0; i < 50; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // pacing
            }
            assertThat(client.awaitCount(50, CATCH_UP)).isEqualTo(50);

            double[] rttMs = client.received().stream()
                    .mapToDouble(r -> (r.atNanos() - sentAtNanos(r.payload())) / 1e6).sorted().toArray();
            System.out.printf("round trip target 50 ms: min %.1f, median %.1f ms%n", rttMs[0], rttMs[25]);
            assertThat(rttMs[25]).isCloseTo(50, within(15.0));
            assertThat(rttMs[0]).as("the proxy never sends early").isGreaterThanOrEqualTo(50.0);
        }
    }

    @Test
    void duplicate_tenPercent_sinkReceivesTheExtraCopies() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 7).profile(Direction.UP, FaultProfile.NONE.withDuplicate(0.1))
                        .start()) {
            sendPaced(client, proxy, sink, 5_000, 100);

            DirectionStats up = proxy.stats().up();
            double decided = up.duplicated() / (double) up.receivedDatagrams();
            double endToEnd = (sink.count() - 5_000) / 5_000.0;
            System.out.printf("duplicate target 0.100: decided %.4f, end-to-end %.4f%n", decided, endToEnd);
            // Binomial sd at n = 5000, p = 0.1: 0.42 points; 2 points = 4.7 sigma.
            assertThat(decided).isCloseTo(0.1, within(0.02));
            assertThat(endToEnd).isCloseTo(0.1, within(0.03));
            long seqsSeenTwice = sink.received().stream().map(r -> seqOf(r.payload()))
                    .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.stream.Collectors.counting()))
                    .values().stream().filter(n -> n == 2).count();
            assertThat(seqsSeenTwice).isCloseTo(up.duplicated(), within(up.duplicated() / 100 + 5));
        }
    }

    @Test
    void corrupt_tenPercent_sinkSeesExactlyOneFlippedBitInThoseDatagrams() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 8).profile(Direction.UP, FaultProfile.NONE.withCorrupt(0.1))
                        .start()) {
            List<byte[]> sent = sendPaced(client, proxy, sink, 5_000, 100);

            int corrupted = 0;
            for (UdpPeer.Received r : sink.received()) {
                byte[] expected = sent.get(seqOf(r.payload()));
                int bits = 0;
                for (int i = 0; i < expected.length; i++) {
                    bits += Integer.bitCount((expected[i] ^ r.payload()[i]) & 0xff);
                }
                assertThat(bits).isLessThanOrEqualTo(1);
                corrupted += bits;
            }
            DirectionStats up = proxy.stats().up();
            System.out.printf("corrupt target 0.100: decided %.4f, seen at the sink %.4f%n",
                    up.corrupted() / (double) up.receivedDatagrams(), corrupted / (double) sink.count());
            assertThat(up.corrupted() / (double) up.receivedDatagrams()).isCloseTo(0.1, within(0.02));
            assertThat((double) corrupted).isCloseTo(up.corrupted(), within(up.corrupted() * 0.02 + 2));
        }
    }

    @Test
    void reorder_twentyPercentWithFifteenMsHold_heldDatagramsArriveAfterLaterOnes() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 9)
                        .profile(Direction.UP, FaultProfile.NONE.withReorder(0.2, Duration.ofMillis(15))).start()) {
            for (int i = 0; i < 500; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pacing
            }
            assertThat(sink.awaitCount(500, CATCH_UP)).isEqualTo(500);

            int late = 0;
            int highest = -1;
            for (UdpPeer.Received r : sink.received()) {
                int seq = seqOf(r.payload());
                late += seq < highest ? 1 : 0;
                highest = Math.max(highest, seq);
            }
            long reordered = proxy.stats().up().reordered();
            System.out.printf("reorder target 0.200: decided %.4f, arrived after a later datagram %d of %d held%n",
                    reordered / 500.0, late, reordered);
            // Binomial sd at n = 500, p = 0.2: 1.8 points; 8 points = 4.5 sigma.
            assertThat(reordered / 500.0).isCloseTo(0.2, within(0.08));
            // Held 15 ms while others follow 1 ms apart: nearly every held one is overtaken.
            assertThat(late).isGreaterThanOrEqualTo((int) (reordered * 0.7)).isLessThanOrEqualTo((int) reordered);
        }
    }

    @Test
    void bandwidth_100KBAt100KBps_takesOneSecondWithinTwentyFivePercent() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 10).profile(Direction.UP, FaultProfile.NONE.withBandwidth(100_000))
                        .start()) {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                client.send(proxy.listenAddress(), payload(i, 1_000));
                if (i % 10 == 9) {
                    long target = i + 1;
                    Await.until(CATCH_UP, () -> proxy.stats().up().receivedDatagrams() >= target);
                }
            }
            assertThat(sink.awaitCount(100, Duration.ofSeconds(5))).isEqualTo(100);

            double seconds = (sink.received().getLast().atNanos() - start) / 1e9;
            System.out.printf("bandwidth 100000 B/s, 100000 B: %.3f s (%.0f B/s)%n", seconds, 100_000 / seconds);
            assertThat(seconds).isCloseTo(1.0, within(0.25));
            assertThat(proxy.stats().up().dropped(Fault.QUEUE_FULL)).isZero();
        }
    }

    @Test
    void partition_dropsEverythingThenHealRestoresTheRoundTrip() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 11).start()) {
            proxy.partition();
            for (int i = 0; i < 50; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
            }
            assertThat(Await.until(CATCH_UP, () -> proxy.stats().up().receivedDatagrams() == 50)).isTrue();
            assertThat(echo.count()).isZero();
            assertThat(proxy.stats().up().dropped(Fault.PARTITION)).isEqualTo(50);

            proxy.heal();
            for (int i = 50; i < 100; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
            }

            assertThat(client.awaitCount(50, CATCH_UP)).isEqualTo(50);
            assertThat(client.received()).allSatisfy(r -> assertThat(seqOf(r.payload())).isGreaterThanOrEqualTo(50));
            assertThat(proxy.profile(Direction.UP).partitioned()).isFalse();
        }
    }

    @Test
    void lossDown_one_upstreamGetsEverythingClientGetsNothing() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 12).profile(Direction.DOWN, FaultProfile.NONE.withLoss(1)).start()) {
            for (int i = 0; i < 30; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
            }

            assertThat(echo.awaitCount(30, CATCH_UP)).isEqualTo(30);
            assertThat(Await.until(CATCH_UP, () -> proxy.stats().down().receivedDatagrams() == 30)).isTrue();
            assertThat(client.count()).isZero();
            assertThat(proxy.stats().down().dropped(Fault.LOSS)).isEqualTo(30);
        }
    }

    @Test
    void captureBytes_keepsWhatWasForwardedEachWayUpToTheLimit_andCountsTheRest() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 21).captureBytes(1_000)
                        .profile(Direction.DOWN, FaultProfile.NONE.withLoss(1)).start()) {
            for (int i = 0; i < 30; i++) {
                client.send(proxy.listenAddress(), payload(i, 64));
            }
            assertThat(echo.awaitCount(30, CATCH_UP)).isEqualTo(30);
            assertThat(Await.until(CATCH_UP, () -> proxy.stats().down().receivedDatagrams() == 30)).isTrue();
            proxy.close();

            DatagramCapture.Snapshot up = proxy.captured(Direction.UP);
            assertThat(up.starts()).hasSize(15); // 15 x 64 B fit in 1,000 B, the 16th would not
            assertThat(up.bytes()).hasSize(960);
            assertThat(java.util.Arrays.copyOfRange(up.bytes(), 64, 128)).isEqualTo(echo.received().get(1).payload());
            assertThat(up.datagramAt(130)).isEqualTo(2);
            assertThat(up.truncated()).isTrue();
            assertThat(up.droppedDatagrams()).isEqualTo(15);
            assertThat(up.droppedBytes()).isEqualTo(15 * 64);
            assertThat(proxy.captured(Direction.DOWN).bytes()).isEmpty(); // all lost: nothing was forwarded
            assertThat(proxy.peerAddresses()).contains(client.address())
                    .anySatisfy(a -> assertThat(echo.received()).allSatisfy(r -> assertThat(r.from()).isEqualTo(a)));
        }
    }

    @Test
    void captureBytes_default_keepsNothing() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink(); UdpFaultProxy proxy = proxyTo(echo, 22).start()) {
            client.send(proxy.listenAddress(), payload(0, 64));
            assertThat(client.awaitCount(1, CATCH_UP)).isEqualTo(1);
            assertThat(proxy.captured(Direction.UP).bytes()).isEmpty();
            assertThat(proxy.captured(Direction.UP).truncated()).isTrue();
        }
    }

    @Test
    void limitData_tenThousandBytes_cutsAfterOneHundredDatagramsOfOneHundredBytes() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 13).profile(Direction.UP, FaultProfile.NONE.withLimitData(10_000))
                        .start()) {
            sendPaced(client, proxy, sink, 200, 100);

            assertThat(sink.awaitCount(100, CATCH_UP)).isEqualTo(100);
            assertThat(sink.received()).extracting(r -> seqOf(r.payload())).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, 100).boxed().toList());
            assertThat(proxy.stats().up().dropped(Fault.LIMIT_DATA)).isEqualTo(100);
            assertThat(proxy.stats().up().limitDataCut()).isTrue();
        }
    }

    @Test
    void setProfile_live_lossOneThenNoneTakesEffectOnTheNextDatagrams() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 14).start()) {
            sendPaced(client, proxy, sink, 100, 64);
            assertThat(sink.count()).isEqualTo(100);

            proxy.setProfile(Direction.UP, FaultProfile.NONE.withLoss(1));
            sendPaced(client, proxy, sink, 100, 64);
            assertThat(sink.count()).isEqualTo(100);

            proxy.setProfile(Direction.UP, FaultProfile.NONE);
            sendPaced(client, proxy, sink, 100, 64);
            assertThat(sink.awaitCount(200, CATCH_UP)).isEqualTo(200);
            assertThat(proxy.stats().up().dropped(Fault.LOSS)).isEqualTo(100);
        }
    }

    @Test
    void listener_lossAndDuplicate_receivesOneEventPerInjectedFault() throws Exception {
        ConcurrentLinkedQueue<FaultEvent> events = new ConcurrentLinkedQueue<>();
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 15).listener(events::add)
                        .profile(Direction.UP, FaultProfile.NONE.withLoss(0.5).withDuplicate(0.5)).start()) {
            sendPaced(client, proxy, sink, 200, 64);

            DirectionStats up = proxy.stats().up();
            assertThat(events).filteredOn(e -> e.fault() == Fault.LOSS).hasSize((int) up.dropped(Fault.LOSS));
            assertThat(events).filteredOn(e -> e.fault() == Fault.DUPLICATE).hasSize((int) up.duplicated());
            assertThat(events).allSatisfy(e -> {
                assertThat(e.direction()).isEqualTo(Direction.UP);
                assertThat(e.client()).isEqualTo(client.address());
                assertThat(e.sizeBytes()).isEqualTo(64);
            });
        }
    }

    @Test
    void listener_throws_countedAndTheProxyKeepsForwarding() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(sink, 16).listener(e -> {
                    throw new IllegalStateException("broken listener");
                }).profile(Direction.UP, FaultProfile.NONE.withDuplicate(1)).start()) {
            sendPaced(client, proxy, sink, 10, 64);

            assertThat(sink.awaitCount(20, CATCH_UP)).isEqualTo(20);
            assertThat(proxy.stats().listenerFailures()).isEqualTo(10);
        }
    }

    @Test
    void idleTimeout_sessionWithoutTraffic_expiresAndANewOneOpensOnTheNextDatagram() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer client = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 17).idleTimeout(Duration.ofMillis(200)).start()) {
            client.send(proxy.listenAddress(), payload(0, 32));
            assertThat(client.awaitCount(1, CATCH_UP)).isEqualTo(1);

            assertThat(Await.until(CATCH_UP, () -> proxy.stats().activeSessions() == 0)).isTrue();
            client.send(proxy.listenAddress(), payload(1, 32));

            assertThat(client.awaitCount(2, CATCH_UP)).isEqualTo(2);
            ProxyStats stats = proxy.stats();
            assertThat(stats.sessionsExpired()).isEqualTo(1);
            assertThat(stats.sessionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void maxSessions_one_secondClientIsRejectedAndCounted() throws Exception {
        try (UdpPeer echo = UdpPeer.echo(); UdpPeer a = UdpPeer.sink(); UdpPeer b = UdpPeer.sink();
                UdpFaultProxy proxy = proxyTo(echo, 18).maxSessions(1).start()) {
            a.send(proxy.listenAddress(), payload(0, 32));
            assertThat(a.awaitCount(1, CATCH_UP)).isEqualTo(1);
            b.send(proxy.listenAddress(), payload(1, 32));

            assertThat(Await.until(CATCH_UP, () -> proxy.stats().sessionRejects() == 1)).isTrue();
            assertThat(b.count()).isZero();
            assertThat(echo.count()).isEqualTo(1);
        }
    }

    @Test
    void start_listenAddressInUse_throwsIOException() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpFaultProxy first = proxyTo(sink, 19).start()) {
            InetSocketAddress taken = first.listenAddress();

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> proxyTo(sink, 20).listen(taken).start())
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on");
        }
    }

    @Test
    void seed_isReportedInStats() throws Exception {
        try (UdpPeer sink = UdpPeer.sink(); UdpFaultProxy proxy = proxyTo(sink, -99).start()) {
            assertThat(proxy.seed()).isEqualTo(-99);
            assertThat(proxy.stats().seed()).isEqualTo(-99);
            assertThat(Arrays.asList(Direction.values())).allSatisfy(
                    d -> assertThat(proxy.stats().direction(d).receivedDatagrams()).isZero());
        }
    }
}
