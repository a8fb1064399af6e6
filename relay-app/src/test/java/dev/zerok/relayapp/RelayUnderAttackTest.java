package dev.zerok.relayapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay-side fixes of the "relay under attack" issue, each against a relay OS process: stalled
 * handshakes are freed, a poison blob is refused in-band, a stolen identity's older session gives
 * way. (The whole adversarial catalogue with legitimate traffic during the attacks is in the chaos
 * module, A-PROTO-* and A-RES-*.)
 */
class RelayUnderAttackTest {
    @TempDir
    static Path dir;

    static KeyExchange crypto;
    static Entropy entropy;
    static Transport transport;

    @BeforeAll
    static void ports() throws Exception {
        crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
        var clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        transport = Providers.select(TransportProvider.class, "quic").open(ProviderConfig.EMPTY,
                new ProviderContext(clock, entropy));
    }

    @AfterAll
    static void closeTransport() {
        transport.close();
    }

    private static RelayProcess relay(String name, String extra) throws Exception {
        return new RelayProcess(dir.resolve(name + ".properties"), "listen=127.0.0.1:0\nhttp.listen=127.0.0.1:0\ndata.dir="
                + dir.resolve(name) + "\n" + extra);
    }

    @Test
    void stalledHandshakes_fillingTheUnauthenticatedCap_areFreedAtTheHelloDeadline_andMembersConnect() throws Exception {
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        try (RelayProcess relay = relay("stalled", "limits.sessions.unauthenticated.max=20\nlimits.hello.timeout=2s\n")) {
            // A member already in keeps working whatever strangers do.
            RawDevice member = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
            assertThat(member.hello(crypto, group)).isInstanceOf(Message.Welcome.class);
            List<Channel> stalled = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                stalled.add(stallAfterFirstHandshakeMessage(relay));
            }
            assertThat(await(() -> healthConnections(relay) == 21, Duration.ofSeconds(5)))
                    .as("20 stalled + 1 member registered; /health connections=%d", healthConnections(relay)).isTrue();

            assertThat(await(() -> healthConnections(relay) == 1, Duration.ofSeconds(15)))
                    .as("stalled handshakes freed within the hello deadline + margin; /health connections=%d",
                            healthConnections(relay))
                    .isTrue();
            try (RawDevice late = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy)) {
                assertThat(late.hello(crypto, group)).isInstanceOf(Message.Welcome.class);
            }
            member.send(new Message.Pull(Cursor.ZERO, 1, 1024));
            assertThat(member.receive(Duration.ofSeconds(10))).isInstanceOf(Message.PullResponse.class);
            member.close();
            stalled.forEach(Channel::close);
            assertThat(relay.log()).doesNotContain("ERROR", "IllegalStateException", "IllegalArgumentException");
        }
    }

    @Test
    void poisonBlob_oneByteOverWhatAPullCanCarry_isRefusedInBand_andTheLargestAcceptedIsPulledBack() throws Exception {
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        long largest = RelayLimits.DEFAULTS.maxBlobPayloadBytes();
        try (RelayProcess relay = relay("poison", "");
                RawDevice pusher = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
                RawDevice puller = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy)) {
            pusher.hello(crypto, group);
            puller.hello(crypto, group);

            pusher.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, new byte[2_097_090]));
            assertThat(pusher.receive(Duration.ofSeconds(10))).isInstanceOfSatisfying(Message.Error.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            pusher.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, new byte[(int) largest + 1]));
            assertThat(pusher.receive(Duration.ofSeconds(10))).isInstanceOfSatisfying(Message.Error.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            byte[] payload = entropy.bytes((int) largest);
            pusher.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, payload));
            assertThat(pusher.receive(Duration.ofSeconds(10))).isInstanceOf(Message.PushAck.class);

            puller.send(new Message.Pull(Cursor.ZERO, 1000, 1 << 20));
            Message page = puller.receiveSkippingNotify(Duration.ofSeconds(20));
            assertThat(page).isInstanceOfSatisfying(Message.PullResponse.class,
                    r -> assertThat(r.blobs()).singleElement().satisfies(b -> assertThat(b.payload()).isEqualTo(payload)));
            assertThat(relay.log()).doesNotContain("ERROR", "IllegalStateException", "IllegalArgumentException");
        }
    }

    @Test
    void stolenIdentity_theNewerSessionWins_andTheOlderIsToldInBandAndClosed() throws Exception {
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        KeyPair identity = StaticIdentity.generate(crypto.dh("25519"), entropy);
        try (RelayProcess relay = relay("stolen", "");
                RawDevice owner = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy, identity)) {
            owner.hello(crypto, group);
            try (RawDevice thief = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy, identity)) {
                assertThat(thief.hello(crypto, group)).isInstanceOf(Message.Welcome.class);

                assertThat(owner.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOfSatisfying(Message.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
                assertThat(owner.awaitClosed(Duration.ofSeconds(10))).isTrue();
                thief.send(new Message.Pull(Cursor.ZERO, 1, 1024));
                assertThat(thief.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOf(Message.PullResponse.class);
            }
        }
    }

    @Test
    void staleConnectionOfTheSameDevice_whoseHelloComesLast_givesWay_andTheNewerSessionStays() throws Exception {
        // A device gave up on its first connection (a silent QUIC idle timeout) before that
        // connection's Hello was served, and reconnected: the stale Hello is served last.
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        KeyPair identity = StaticIdentity.generate(crypto.dh("25519"), entropy);
        try (RelayProcess relay = relay("stale", "");
                RawDevice stale = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy, identity);
                RawDevice live = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy, identity)) {
            assertThat(live.hello(crypto, group)).isInstanceOf(Message.Welcome.class);

            stale.hello(crypto, group);

            assertThat(stale.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOfSatisfying(Message.Error.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            assertThat(stale.awaitClosed(Duration.ofSeconds(10))).isTrue();
            live.send(new Message.Pull(Cursor.ZERO, 1, 1024));
            assertThat(live.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOf(Message.PullResponse.class);
        }
    }

    /** Opens a QUIC stream, sends Noise message 1 of a genuine handshake, then nothing. */
    private static Channel stallAfterFirstHandshakeMessage(RelayProcess relay) throws Exception {
        KeyPair identity = StaticIdentity.generate(crypto.dh("25519"), entropy);
        SecureChannel secure = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, identity, relay.publicKey),
                FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        Channel channel = transport.connect(relay.endpoint, new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {}

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (byte[] m : secure.start()) {
            channel.send(m).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return channel;
    }

    private static final Pattern CONNECTIONS = Pattern.compile("\"connections\":(\\d+)");

    static int healthConnections(RelayProcess relay) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + relay.http.host() + ":" + relay.http.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = CONNECTIONS.matcher(response.body());
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(100); // polling interval of a bounded wait
        }
        return condition.getAsBoolean();
    }

    /**
     * Relay RSS a member that pipelines Pulls and never reads may add, at most: the pages served
     * before backpressure (QUIC window plus one frame) and the garbage of reading them, which the
     * JVM's heap keeps as resident memory (docs/OPERATIONS.md).
     */
    static final long PIPELINED_PULLS_RSS_BOUND_MIB = 96;
    /** The relay's heap in that test: a production-like cap, so resident memory means retained memory. */
    static final int PIPELINED_PULLS_HEAP_MIB = 128;
    /** Pulls the relay may serve to a member that reads nothing: an 8 MiB QUIC window and a frame of 1 MiB pages, with slack. */
    static final long PIPELINED_PULLS_SERVED_BOUND = 32;

    /**
     * A member pipelines 400 Pull(after=0) over 8 MiB of stored blobs and never reads: without
     * backpressure the relay would read 400 pages (about 400 MiB) for a peer that takes none. The
     * relay stops serving once a frame's worth of responses is unsent, stops reading the member's
     * requests, and its RSS stays within the bound; another member syncs meanwhile.
     */
    @Test
    void memberPipeliningPullsWithoutReading_keepsRelayMemoryBounded_andOthersSync() throws Exception {
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        try (RelayProcess relay = new RelayProcess(dir.resolve("pipelined.properties"), "listen=127.0.0.1:0\n"
                + "http.listen=127.0.0.1:0\ndata.dir=" + dir.resolve("pipelined") + "\n"
                + "limits.rate.device.per.second=100000\nlimits.rate.device.burst=100000\n"
                + "limits.rate.group.per.second=100000\nlimits.rate.group.burst=100000\n", 0, PIPELINED_PULLS_HEAP_MIB);
                RawDevice pusher = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
                RawDevice hog = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy)) {
            long pid = relay.process.pid();
            pusher.hello(crypto, group);
            hog.hello(crypto, group);
            for (int i = 0; i < 8; i++) {
                pusher.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, entropy.bytes(1 << 20)));
                assertThat(pusher.receiveSkippingNotify(Duration.ofSeconds(20))).isInstanceOf(Message.PushAck.class);
            }
            long before = rssKib(pid);
            long pullsBefore = metric(relay, "zerok_relay_pulls_total");

            hog.stopReading();
            for (int i = 0; i < 400; i++) {
                hog.send(new Message.Pull(Cursor.ZERO, 1000, 1 << 20));
            }
            long peak = before;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                peak = Math.max(peak, rssKib(pid));
                TimeUnit.MILLISECONDS.sleep(100); // sampling interval of a bounded observation
            }
            pusher.send(new Message.Pull(Cursor.ZERO, 1, 1024));
            assertThat(pusher.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOf(Message.PullResponse.class);
            long growthMib = (peak - before) / 1024;
            long served = metric(relay, "zerok_relay_pulls_total") - pullsBefore - 1;
            System.out.printf("pipelined pulls: 400 sent, %d served; relay RSS before %d KiB, peak %d KiB, growth %d MiB "
                    + "(bound %d)%n", served, before, peak, growthMib, PIPELINED_PULLS_RSS_BOUND_MIB);
            assertThat(served).as("pages the relay read for a member that reads nothing").isLessThan(PIPELINED_PULLS_SERVED_BOUND);
            assertThat(growthMib).as("relay RSS growth while a member pipelines pulls without reading, MiB")
                    .isLessThan(PIPELINED_PULLS_RSS_BOUND_MIB);
        }
    }

    /** A counter or gauge from the relay's /metrics, or -1. */
    static long metric(RelayProcess relay, String name) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + relay.http.host() + ":" + relay.http.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.body().lines().filter(l -> l.startsWith(name + " "))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    static long rssKib(long pid) {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    static final int PRESSURE_FD_LIMIT = 96;
    static final int PRESSURE_HEAP_MIB = 48;

    /**
     * Seed 004's resource exhaustion on a relay process: a low {@code ulimit -n} and a small heap,
     * while 200 strangers stall in the handshake and 8 members push near-frame-size blobs as fast
     * as the relay takes them. The relay degrades (slower, in-band refusals) but neither crashes
     * nor runs out of descriptors, a member keeps syncing during the pressure, and everything
     * returns to the baseline afterwards.
     */
    @Test
    void lowOpenFilesLimitAndSmallHeap_underHandshakeFloodAndLargePushes_degradeCleanlyAndRecover() throws Exception {
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        try (RelayProcess relay = new RelayProcess(dir.resolve("pressure.properties"), "listen=127.0.0.1:0\n"
                + "http.listen=127.0.0.1:0\ndata.dir=" + dir.resolve("pressure") + "\nlimits.hello.timeout=3s\n"
                + "limits.rate.device.per.second=1000\nlimits.rate.device.burst=1000\n"
                + "transport.max.connections.per.source=1000\ntransport.handshake.rate.per.source.per.second=10000\n"
                + "transport.handshake.rate.per.source.burst=10000\nstore.quota.group.bytes=1073741824\n",
                PRESSURE_FD_LIMIT, PRESSURE_HEAP_MIB)) {
            long pid = relay.process.pid();
            RawDevice member = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
            assertThat(member.hello(crypto, group)).isInstanceOf(Message.Welcome.class);
            int baselineConnections = healthConnections(relay);
            long baselineFds = openFiles(pid);

            List<Channel> stalled = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                stalled.add(stallAfterFirstHandshakeMessage(relay));
            }
            java.util.concurrent.ExecutorService pushers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Integer>> pushed = new ArrayList<>();
            for (int p = 0; p < 8; p++) {
                pushed.add(pushers.submit(() -> {
                    int acked = 0;
                    try (RawDevice pusher = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy)) {
                        pusher.hello(crypto, group);
                        for (int i = 0; i < 6; i++) {
                            pusher.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, entropy.bytes(1_900_000)));
                            Message answer = pusher.receiveSkippingNotify(Duration.ofSeconds(60));
                            acked += answer instanceof Message.PushAck ? 1 : 0;
                        }
                    }
                    return acked;
                }));
            }
            // A member keeps syncing during the pressure.
            byte[] small = entropy.bytes(200);
            member.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, small));
            assertThat(member.receiveSkippingNotify(Duration.ofSeconds(30))).isInstanceOf(Message.PushAck.class);
            long fdsDuring = openFiles(pid);
            int acked = 0;
            for (var f : pushed) {
                acked += f.get(180, TimeUnit.SECONDS);
            }
            pushers.shutdown();
            stalled.forEach(Channel::close);

            assertThat(relay.process.isAlive()).isTrue();
            assertThat(acked).as("large pushes acknowledged under pressure").isEqualTo(48);
            assertThat(fdsDuring).as("descriptors during (limit %d)", PRESSURE_FD_LIMIT).isLessThan(PRESSURE_FD_LIMIT);
            assertThat(await(() -> healthConnections(relay) == baselineConnections, Duration.ofSeconds(20)))
                    .as("sessions back to baseline %d, now %d", baselineConnections, healthConnections(relay)).isTrue();
            assertThat(await(() -> openFiles(pid) <= baselineFds + 4, Duration.ofSeconds(20)))
                    .as("descriptors back to baseline %d, now %d", baselineFds, openFiles(pid)).isTrue();
            member.send(new Message.Pull(Cursor.ZERO, 1, 1024));
            assertThat(member.receiveSkippingNotify(Duration.ofSeconds(10))).isInstanceOf(Message.PullResponse.class);
            member.close();
            System.out.printf("pressure: fds baseline %d during %d limit %d; rss %s%n", baselineFds, fdsDuring,
                    PRESSURE_FD_LIMIT, rss(pid));
        }
    }

    static long openFiles(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static String rss(long pid) {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS")).toList().toString();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
