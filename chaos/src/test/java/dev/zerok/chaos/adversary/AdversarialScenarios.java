package dev.zerok.chaos.adversary;

import dev.zerok.chaos.assertions.ChaosAssertions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.real.RealTopology;
import dev.zerok.chaos.real.RealTopologyFactory;
import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Seed 000 section 9, the adversarial catalogue (A-PROTO-01..05, A-RES-01..05), against a relay OS
 * process ({@link RealTopology}). Attackers are real clients built from zerok's own parts
 * ({@link RawSession}, {@link RawQuic}); while each attack runs a legitimate pair keeps syncing
 * ({@link Siege}), and the figures (latency p50/p99, relay RSS, fds, /health connections) go to the
 * timeline and {@code target/chaos-results/<run>/figures/<ID>.md}. Assertions observe the relay:
 * /health, its SQLite file, its log, /proc. Every load loop is bounded in count and time; every
 * wait polls with a deadline. docs/CHAOS.md "Adversarial scenarios" lists what each asserts.
 */
public final class AdversarialScenarios {
    /** The relay's Hello deadline in these scenarios (production: 10 s); half-open sessions end after it. */
    public static final Duration HELLO_TIMEOUT = Duration.ofSeconds(3);
    /** The relay's QUIC read timeout here (production: 10 s): a started transport message must complete within it. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    /** The relay's QUIC idle timeout here (production: 30 s): a connection without traffic ends after it. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** Slack on top of a relay deadline before the scenario calls it missed (2 shared cores, GC, timer granularity). */
    public static final Duration MARGIN = Duration.ofSeconds(5);
    /** Relay descriptors may exceed the baseline by this much after an attack (JIT, GC, SQLite read connections opening lazily). */
    public static final long FD_SLACK = 6;
    /** A-RES-02: the relay's RSS may grow at most this much while 300 pre-Hello 2 MiB frame headers are held. */
    public static final long A_RES_02_RSS_BOUND_MIB = 64;

    /**
     * A-RES-01: the reason codes the relay's QUIC adapter logs when it limits a source (with the
     * address redacted). Data, so the assertion follows the adapter: at least one line with one of
     * these codes must appear during a 1,000-connection flood from one address.
     */
    public static final List<String> SOURCE_LIMIT_LOG_CODES = List.of("SOURCE_CONNECTION_CAP", "SOURCE_HANDSHAKE_RATE",
            "SERVER_FULL");

    /**
     * A-PROTO-03, the rule under test, in one place: one session per device identity at a time;
     * when a second session of the same identity is admitted (Welcome), the older session gets an
     * in-band Error (any code) and is closed within {@code deadline}; the newer one works.
     */
    public record DuplicateIdentityRule(boolean newerWelcomed, boolean olderGetsInBandError, boolean olderClosed,
            Duration deadline) {}

    public static final DuplicateIdentityRule DUPLICATE_IDENTITY_RULE = new DuplicateIdentityRule(true, true, true,
            Duration.ofSeconds(5));

    /** Settings of every adversarial real topology; scenarios add their own relay keys. */
    static final RealTopologyFactory.Settings BASE = RealTopologyFactory.Settings.DEFAULTS
            .withDeviceTransport("connect.timeout", "5s")
            .withRelay("limits.hello.timeout", HELLO_TIMEOUT.toSeconds() + "s")
            .withRelay("transport.read.timeout", READ_TIMEOUT.toSeconds() + "s");

    /**
     * {@link #BASE} plus the short QUIC idle timeout, for the scenarios whose attackers hold
     * stream-less connections. Elsewhere the production 30 s stays, so the legit pair's connections
     * do not idle out between probes (a reconnect would show up as attack latency).
     */
    static final RealTopologyFactory.Settings SHORT_IDLE = BASE.withRelay("transport.idle.timeout",
            IDLE_TIMEOUT.toSeconds() + "s");

    /**
     * Lifts the QUIC per-source limits for scenarios whose subject is another defence: their many
     * connections from one address (A-RES-02's 300 frame announcers, A-RES-03's slow attackers,
     * A-RES-05's 50 handshakes of load)
     * would otherwise be refused at the door, and the slowloris and entropy paths never reached.
     * A-RES-01 keeps the production limits: there they are the subject.
     */
    static RealTopologyFactory.Settings withoutSourceLimits(RealTopologyFactory.Settings settings) {
        return settings.withRelay("transport.max.connections.per.source", "10000")
                .withRelay("transport.handshake.rate.per.source.per.second", "100000")
                .withRelay("transport.handshake.rate.per.source.burst", "100000");
    }

    /** Most attacker connections the 127.0.0.2 forwarder carries at once. */
    static final int ATTACK_SOURCE_CONNECTIONS = 2_048;

    /** A-RES-04's per-group quota. */
    static final long QUOTA_BYTES = 1 << 20;

    /** One catalogue entry: the scenario and the relay configuration it needs. */
    public record Entry(Scenario scenario, RealTopologyFactory factory) {}

    private static Entry entry(String id, String title, RealTopologyFactory.Settings settings, Scenario.Body body) {
        return new Entry(new Scenario(id, title, Category.ADVERSARIAL, Set.of(Capability.RELAY_LOGS,
                Capability.RELAY_STORAGE_FILES), body, Scenario.Injection.ATTACKER), new RealTopologyFactory(settings));
    }

    public static final Entry A_RES_01 = entry("A-RES-01", "Connection flood: 1,000 half-open handshakes plus bare QUIC connections",
            SHORT_IDLE.withRelay("transport.max.connections", "2048"), AdversarialScenarios::aRes01);
    public static final Entry A_RES_02 = entry("A-RES-02", "Memory exhaustion: oversized frame headers before/after Hello",
            withoutSourceLimits(BASE), AdversarialScenarios::aRes02);
    public static final Entry A_RES_02_POISON = entry("A-RES-02", "Poison blob: a push just under the frame limit",
            BASE, AdversarialScenarios::aRes02PoisonBlob);
    public static final Entry A_RES_03 = entry("A-RES-03", "Slowloris over QUIC: trickled stream, idle connections, trickled frame",
            withoutSourceLimits(SHORT_IDLE), AdversarialScenarios::aRes03);
    public static final Entry A_RES_04 = entry("A-RES-04", "Storage flood until QUOTA_EXCEEDED",
            BASE.withRelay("store.quota.group.bytes", String.valueOf(QUOTA_BYTES)), AdversarialScenarios::aRes04);
    public static final Entry A_RES_05 = entry("A-RES-05", "50 concurrent handshakes while /dev/urandom is drained",
            withoutSourceLimits(BASE), AdversarialScenarios::aRes05);
    public static final Entry A_RES_05_ENTROPY = entry("A-RES-05", "Relay entropy source never reads /dev/random (strace)",
            withoutSourceLimits(BASE), AdversarialScenarios::aRes05EntropySource);
    public static final Entry A_PROTO_01 = entry("A-PROTO-01", "Relay flips bits in stored blobs", BASE,
            AdversarialScenarios::aProto01);
    public static final Entry A_PROTO_02 = entry("A-PROTO-02", "Replay of captured encrypted messages", BASE,
            AdversarialScenarios::aProto02);
    public static final Entry E_HS_06 = entry("E-HS-06", "Concurrent handshake from same client (race), on a relay process",
            BASE, AdversarialScenarios::eHs06);
    public static final Entry A_PROTO_03 = entry("A-PROTO-03", "Second client with a stolen static key", BASE,
            AdversarialScenarios::aProto03);
    public static final Entry A_PROTO_04 = entry("A-PROTO-04", "Relay never sees plaintext (TRACE logs, db, WAL, frames)",
            BASE, AdversarialScenarios::aProto04);
    public static final Entry A_PROTO_05 = entry("A-PROTO-05", "Injected garbage: UDP, QUIC streams, sealed after the handshake",
            BASE, AdversarialScenarios::aProto05);

    private AdversarialScenarios() {}

    // ------------------------------------------------------------------ set-up

    /** The stage: one relay process, a legit pair a->b syncing, its baseline measured. */
    private record Stage(RealTopology t, Relay relay, Group group, Device a, Device b, Siege siege, Adversary adversary,
            UdpFaultProxy attackSource, long baselineConnections, long baselineFds) implements AutoCloseable {
        @Override
        public void close() {
            adversary.close();
            attackSource.close();
            siege.close();
        }

        /** Where attackers connect: the relay, reached from 127.0.0.2 (the legit devices come from 127.0.0.1). */
        Endpoint attackEndpoint() {
            return new Endpoint("127.0.0.2", attackSource.listenAddress().getPort());
        }

        InetSocketAddress attackAddress() {
            return attackSource.listenAddress();
        }

        Endpoint relayEndpoint() {
            return siege.relayEndpoint();
        }

        byte[] relayStatic() {
            return siege.relayStatic();
        }

        /** Sessions back to the baseline, descriptors within {@link #FD_SLACK} of it, polled up to {@code deadline}. */
        void assertBackToBaseline(String after, Duration deadline) {
            assertBackTo(baselineConnections, baselineFds, after, deadline);
        }

        /** As {@link #assertBackToBaseline}, against a baseline taken later (after the scenario added devices). */
        void assertBackTo(long baselineConnections, long baselineFds, String after, Duration deadline) {
            boolean sessions = siege.awaitRecorded("/health connections back to baseline " + baselineConnections + " after "
                    + after, () -> siege.probe().connections() <= baselineConnections, deadline);
            assertThat(sessions).as(failure(t, "relay sessions back to the baseline of " + baselineConnections
                    + " within " + deadline + " after " + after + "; /health connections="
                    + siege.probe().connections())).isTrue();
            boolean fds = siege.awaitRecorded("relay fds back to baseline " + baselineFds + "+" + FD_SLACK,
                    () -> siege.probe().openFds() <= baselineFds + FD_SLACK, deadline);
            assertThat(fds).as(failure(t, "relay fds back to " + baselineFds + "+" + FD_SLACK + " within " + deadline
                    + "; now " + siege.probe().openFds())).isTrue();
        }

        /** The legit pair completed syncs while the attack was ongoing. */
        void assertSyncedDuring(int completedDuring) {
            siege.note("legit syncs completed while the attack was ongoing: " + completedDuring);
            assertThat(completedDuring).as(failure(t, "the legit pair synced during the attack")).isPositive();
        }
    }

    private static Stage stage(Topology topology, String id) {
        if (!(topology instanceof RealTopology t)) {
            throw new NotRunException(id + " needs a relay OS process (the real topology)");
        }
        Relay relay = t.addRelay();
        Group g = t.newGroup();
        Device a = t.addDevice(g, List.of(relay));
        Device b = t.addDevice(g, List.of(relay));
        assertThat(t.await(() -> a.status().kind() == SyncStatus.Kind.SYNCED && b.status().kind() == SyncStatus.Kind.SYNCED,
                Duration.ofSeconds(30))).as(failure(t, "the legit pair is online")).isTrue();
        Siege siege = new Siege(t, relay, a, b, id);
        siege.probes(3);
        long connections = siege.probe().connections();
        long fds = siege.probe().openFds();
        siege.note("baseline: /health connections=" + connections + ", fds=" + fds + ", RSS="
                + siege.probe().rssKiB() / 1024 + " MiB");
        return new Stage(t, relay, g, a, b, siege, new Adversary(), siege.attackSource(ATTACK_SOURCE_CONNECTIONS),
                connections, fds);
    }

    /** Runs {@code attack} on its own thread; the returned future completes when it has finished. */
    private static <T> CompletableFuture<T> launch(String name, Supplier<T> attack) {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        });
        CompletableFuture<T> f = CompletableFuture.supplyAsync(attack, one);
        f.whenComplete((v, e) -> one.shutdown());
        return f;
    }

    /** Runs {@code count} tasks with at most {@code parallel} at once, all within {@code deadline}; returns the results that completed. */
    private static <T> List<T> fanOut(int count, int parallel, Duration deadline, Function<Integer, T> task) {
        List<T> results = Collections.synchronizedList(new ArrayList<>());
        Semaphore permits = new Semaphore(parallel);
        long end = System.nanoTime() + deadline.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count && System.nanoTime() < end; i++) {
                int n = i;
                if (!permits.tryAcquire(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                    break;
                }
                pool.submit(() -> {
                    try {
                        T r = task.apply(n);
                        if (r != null) {
                            results.add(r);
                        }
                    } catch (RuntimeException e) {
                        // a refused or failed attacker is a result the caller counts as missing
                    } finally {
                        permits.release();
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(Math.max(1, (end - System.nanoTime()) / 1_000_000) + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        }
        synchronized (results) {
            return new ArrayList<>(results);
        }
    }

    private static Supplier<String> failure(RealTopology t, String what) {
        return () -> {
            List<String> lines = List.of(t.timeline().toJsonLines().split("\n"));
            return what + " [real -Dzerok.chaos.seed=" + t.seed() + "]\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        };
    }

    private static void closeAll(List<? extends AutoCloseable> all) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // closing an attacker the relay already cut is fine
            }
        }
    }

    // ------------------------------------------------------------------ A-RES-01

    static final int A_RES_01_HALF_OPEN = 1_000;
    static final int A_RES_01_BARE = 100;

    static void aRes01(Topology topology) {
        try (Stage s = stage(topology, "A-RES-01");
                RawQuic rawQuic = new RawQuic(Duration.ofMinutes(5))) {
            RealTopology t = s.t;
            Endpoint from2 = s.attackEndpoint();
            Transport attackerQuic = s.adversary.quic(Map.of("idle.timeout", "300s", "connect.timeout", "10s",
                    "event.loop.threads", "1"));
            s.siege.enter("during");
            long attackStarted = System.nanoTime();
            CompletableFuture<List<RawSession>> halfOpen = launch("a-res-01-half-open", () -> fanOut(A_RES_01_HALF_OPEN, 48,
                    Duration.ofSeconds(60), n -> {
                        RawSession r = RawSession.connect(s.adversary, attackerQuic, from2, Duration.ofSeconds(10));
                        r.sendHandshakeMessage1(s.adversary.newIdentity(), s.relayStatic());
                        return r;
                    }));
            CompletableFuture<List<RawQuic.Connection>> bare = launch("a-res-01-bare", () -> fanOut(A_RES_01_BARE, 8,
                    Duration.ofSeconds(60), n -> rawQuic.connect(s.attackAddress(), Duration.ofSeconds(10))));
            CompletableFuture<Void> flood = CompletableFuture.allOf(halfOpen, bare);
            int during = s.siege.probeWhile(() -> !flood.isDone(), 200, Duration.ofSeconds(70));
            // A new legitimate device connects while the flood is held (its sessions are open or timing out).
            Device c = t.addDevice(s.group, List.of(s.relay));
            boolean cOnline = s.siege.awaitRecorded("new device online during the flood",
                    () -> c.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(20));
            List<RawSession> sessions = halfOpen.join();
            List<RawQuic.Connection> bareConnections = bare.join();
            long launchMillis = (System.nanoTime() - attackStarted) / 1_000_000;
            s.siege.note("flood: " + sessions.size() + "/" + A_RES_01_HALF_OPEN + " half-open handshakes (message 1 then "
                    + "silence) and " + bareConnections.size() + "/" + A_RES_01_BARE + " bare QUIC connections opened "
                    + "from 127.0.0.2 in " + launchMillis + " ms; peak /health connections during: see table");
            s.assertSyncedDuring(during + (cOnline ? 1 : 0));
            assertThat(cOnline).as(failure(t, "a new legit device gets a session during the flood")).isTrue();

            s.siege.enter("after");
            // The attackers stay silent and keep their connections: only the relay can end them.
            s.assertBackToBaseline("the flood (attackers silent, not closed)", HELLO_TIMEOUT.plus(MARGIN).plusSeconds(1));
            boolean bareGone = s.siege.awaitRecorded("bare QUIC connections closed (idle timeout " + IDLE_TIMEOUT + ")",
                    () -> bareConnections.stream().noneMatch(RawQuic.Connection::isOpen), IDLE_TIMEOUT.plus(MARGIN));
            Device d = t.addDevice(s.group, List.of(s.relay));
            boolean dOnline = s.siege.awaitRecorded("new device online after the flood",
                    () -> d.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(20));
            s.siege.probes(3);
            assertThat(dOnline).as(failure(t, "a new legit device gets a session after the flood")).isTrue();
            assertThat(bareGone).as(failure(t, "bare QUIC connections end within the idle timeout")).isTrue();
            assertThat(s.siege.failed("during") + s.siege.failed("after")).as(failure(t, "legit probes that failed")).isZero();

            List<String> limitLines = t.relayLogLines(s.relay).stream()
                    .filter(l -> SOURCE_LIMIT_LOG_CODES.stream().anyMatch(l::contains)).toList();
            s.siege.note("per-source limit log lines " + SOURCE_LIMIT_LOG_CODES + ": " + limitLines.size());
            assertThat(limitLines).as(failure(t, "the relay logs per-source limiting with a reason code "
                    + SOURCE_LIMIT_LOG_CODES)).isNotEmpty();
            assertThat(limitLines).as(failure(t, "the limited source's address is redacted in the log"))
                    .noneMatch(l -> l.contains("127.0.0.2"));
            closeAll(sessions);
            closeAll(bareConnections);
        }
    }

    // ------------------------------------------------------------------ A-RES-02

    static final int A_RES_02_PRE_HELLO = 300;
    static final int A_RES_02_POST_HELLO = 10;
    /** A payload that fits the 2 MiB frame in a Push but not in the PullResponse that carries it back. */
    static final int POISON_PAYLOAD_BYTES = 2_097_090;

    static void aRes02(Topology topology) {
        try (Stage s = stage(topology, "A-RES-02")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "300s", "event.loop.threads", "1"));
            GroupKeys attackers = s.adversary.newGroup();
            long rssBefore = s.siege.probe().rssKiB();
            s.siege.enter("during");
            byte[] announce2MiB = {0x00, 0x20, 0x00, 0x00};
            byte[] announceHuge = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
            CompletableFuture<List<RawSession>> preHello = launch("a-res-02-pre-hello", () -> fanOut(A_RES_02_PRE_HELLO, 32,
                    Duration.ofSeconds(60), n -> {
                        RawSession r = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                                .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10));
                        r.sealAndSend(announce2MiB);
                        return r;
                    }));
            int during = s.siege.probeWhile(() -> !preHello.isDone(), 200, Duration.ofSeconds(70));
            List<RawSession> pre = preHello.join();
            long rssPeakMiB = (s.siege.rssPeakKiB("during") - rssBefore) / 1024;
            // Members who announce a frame far above the relay's limit after a valid Hello.
            List<RawSession> post = fanOut(A_RES_02_POST_HELLO, 4, Duration.ofSeconds(30), n -> {
                RawSession r = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                        .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10));
                Message welcome = r.hello(attackers, Duration.ofSeconds(10));
                if (!(welcome instanceof Message.Welcome)) {
                    throw new ChaosException("no Welcome: " + welcome);
                }
                r.sealAndSend(announceHuge);
                return r;
            });
            during += s.siege.probes(1);
            Duration closeDeadline = HELLO_TIMEOUT.plus(MARGIN);
            long preClosed = pre.stream().filter(r -> r.awaitClosed(closeDeadline)).count();
            long preInBand = pre.stream().filter(r -> !r.errors().isEmpty()).count();
            long postClosed = post.stream().filter(r -> r.awaitClosed(closeDeadline)).count();
            long postInBand = post.stream().filter(r -> !r.errors().isEmpty()).count();
            s.siege.note("pre-Hello 2 MiB frame headers: " + pre.size() + "/" + A_RES_02_PRE_HELLO + " sent, " + preClosed
                    + " closed by the relay, " + preInBand + " with an in-band Error; relay RSS growth (peak during - before) "
                    + rssPeakMiB + " MiB (bound " + A_RES_02_RSS_BOUND_MIB + " MiB)");
            s.siege.note("post-Hello 0x7fffffff frame headers: " + post.size() + "/" + A_RES_02_POST_HELLO + " sent, "
                    + postClosed + " closed, " + postInBand + " with an in-band Error "
                    + post.stream().flatMap(r -> r.errors().stream()).map(e -> e.code().name()).distinct().toList());
            s.assertSyncedDuring(during);
            assertThat(s.siege.probe().alive()).as(failure(t, "the relay process survives")).isTrue();
            assertThat(pre).as(failure(t, "pre-Hello attackers that got a session")).isNotEmpty();
            assertThat(rssPeakMiB).as(failure(t, "relay RSS growth under 300 pre-Hello 2 MiB frame headers, MiB"))
                    .isLessThan(A_RES_02_RSS_BOUND_MIB);
            assertThat(preClosed).as(failure(t, "pre-Hello oversized-frame sessions closed by the relay within "
                    + closeDeadline)).isEqualTo(pre.size());
            assertThat(preInBand).as(failure(t, "pre-Hello sessions told why in-band (Error)")).isEqualTo(pre.size());
            assertThat(post).as(failure(t, "post-Hello attackers admitted")).isNotEmpty();
            assertThat(postClosed).as(failure(t, "post-Hello oversized frames closed")).isEqualTo(post.size());
            assertThat(postInBand).as(failure(t, "post-Hello oversized frames refused in-band")).isEqualTo(post.size());
            closeAll(pre);
            closeAll(post);
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("A-RES-02", closeDeadline);
        }
    }

    /** A-RES-02, the poison blob: refused in-band (TOO_LARGE), or acknowledged and pullable by another member. */
    static void aRes02PoisonBlob(Topology topology) {
        try (Stage s = stage(topology, "A-RES-02")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "300s", "event.loop.threads", "1"));
            s.siege.enter("during");
            try (RawSession x = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10));
                    RawSession y = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10))) {
                GroupKeys poisoned = s.adversary.newGroup();
                assertThat(x.hello(poisoned, Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
                assertThat(y.hello(poisoned, Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
                byte[] payload = s.adversary.randomBytes(POISON_PAYLOAD_BYTES);
                BlobId blob = new BlobId(s.adversary.randomBytes(BlobId.LENGTH));
                x.send(new Message.Push(blob, 3600, payload));
                Message answer = receiveAnswer(x, Duration.ofSeconds(20));
                s.siege.note("poison blob of " + POISON_PAYLOAD_BYTES + " bytes: relay answered " + describe(answer));
                s.assertSyncedDuring(s.siege.probes(2));
                if (answer instanceof Message.Error e) {
                    assertThat(e.code()).as(failure(t, "the poison blob is refused as TOO_LARGE")).isEqualTo(ErrorCode.TOO_LARGE);
                } else {
                    assertThat(answer).as(failure(t, "the poison blob is acknowledged")).isInstanceOf(Message.PushAck.class);
                    y.send(new Message.Pull(Cursor.ZERO, 10, 16L << 20));
                    Message pulled;
                    try {
                        pulled = receiveAnswer(y, Duration.ofSeconds(20));
                    } catch (ChaosException e) {
                        pulled = null;
                        s.siege.note("pulling the acknowledged poison blob back: " + e.getMessage());
                    }
                    Message got = pulled;
                    s.siege.note("pulling it back with another member: " + (got == null ? "nothing" : describe(got)));
                    assertThat(got).as(failure(t, "an acknowledged blob must be pullable by another member of the group "
                            + "(acknowledged-then-unpullable poisons the group)")).isInstanceOf(Message.PullResponse.class);
                    Message.PullResponse page = (Message.PullResponse) got;
                    assertThat(page.blobs()).as(failure(t, "the poison blob comes back")).isNotEmpty();
                    assertThat(page.blobs().get(0).payload()).as(failure(t, "its bytes")).isEqualTo(payload);
                }
            }
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("the poison blob", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    /** The relay's next answer, skipping the Notify messages it sends whenever another member pushes. */
    private static Message receiveAnswer(RawSession session, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message m = session.receive(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
            if (!(m instanceof Message.Notify)) {
                return m;
            }
        }
    }

    private static String describe(Message m) {
        return switch (m) {
            case Message.Error e -> "Error " + e.code() + " (" + e.detail() + ")";
            case Message.PullResponse p -> "PullResponse with " + p.blobs().size() + " blob(s)";
            default -> m.getClass().getSimpleName();
        };
    }

    // ------------------------------------------------------------------ A-RES-03

    static final int A_RES_03_STREAM_TRICKLERS = 20;
    static final int A_RES_03_IDLE_CONNECTIONS = 50;
    static final int A_RES_03_FRAME_TRICKLERS = 10;
    static final Duration TRICKLE_EVERY = Duration.ofMillis(250);

    static void aRes03(Topology topology) {
        try (Stage s = stage(topology, "A-RES-03");
                RawQuic rawQuic = new RawQuic(Duration.ofMinutes(5))) {
            RealTopology t = s.t;
            InetSocketAddress relay = s.attackAddress();
            Transport q = s.adversary.quic(Map.of("idle.timeout", "300s", "event.loop.threads", "1"));
            s.siege.enter("during");
            // 1. Stream level: a message header announcing 1,216 bytes, then one byte per tick.
            List<RawQuic.Connection> streamConns = fanOut(A_RES_03_STREAM_TRICKLERS, 8, Duration.ofSeconds(20),
                    n -> rawQuic.connect(relay, Duration.ofSeconds(10)));
            List<RawQuic.Stream> streams = new ArrayList<>();
            for (RawQuic.Connection c : streamConns) {
                RawQuic.Stream st = c.openStream(Duration.ofSeconds(5));
                st.write(new byte[] {0x04, (byte) 0xc0});
                streams.add(st);
            }
            // 2. Connection level: QUIC connections that never open a stream.
            List<RawQuic.Connection> idle = fanOut(A_RES_03_IDLE_CONNECTIONS, 8, Duration.ofSeconds(20),
                    n -> rawQuic.connect(relay, Duration.ofSeconds(10)));
            // 3. A frame trickled one byte per Noise transport message after a genuine handshake.
            List<RawSession> tricklers = fanOut(A_RES_03_FRAME_TRICKLERS, 4, Duration.ofSeconds(30), n ->
                    RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                            .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10)));
            long started = System.nanoTime();
            // Held past the longest relay deadline (read, Hello, idle) plus 2 s; the rest of the margin is
            // spent in the checks below.
            Duration hold = Collections.max(List.of(READ_TIMEOUT, HELLO_TIMEOUT, IDLE_TIMEOUT)).plusSeconds(2);
            AtomicInteger trickled = new AtomicInteger();
            CompletableFuture<Void> trickle = launch("a-res-03-trickle", () -> {
                SplittableRandom random = new SplittableRandom(t.seed());
                byte[] frameHeader = {0x00, 0x00, 0x04, 0x00};
                for (int tick = 0; System.nanoTime() - started < hold.toNanos() && tick < 200; tick++) {
                    for (RawQuic.Stream st : streams) {
                        if (st.isOpen()) {
                            st.write(new byte[] {(byte) random.nextInt(256)});
                        }
                    }
                    for (RawSession r : tricklers) {
                        if (!r.closed()) {
                            try {
                                r.sealAndSend(new byte[] {tick < 4 ? frameHeader[tick] : (byte) random.nextInt(256)});
                            } catch (RuntimeException e) {
                                // the relay closed it: that is the point
                            }
                        }
                    }
                    trickled.incrementAndGet();
                    t.runFor(TRICKLE_EVERY); // holding the fault: one byte per tick
                }
                return null;
            });
            int during = s.siege.probeWhile(() -> !trickle.isDone(), 100, hold.plusSeconds(5));
            trickle.join();
            long streamsCut = streamConns.stream().filter(c -> !c.isOpen()).count();
            long idleCut = idle.stream().filter(c -> !c.isOpen()).count();
            Duration frameDeadline = HELLO_TIMEOUT.plus(MARGIN);
            long framesCut = tricklers.stream().filter(r -> r.awaitClosed(frameDeadline)).count();
            long framesInBand = tricklers.stream().filter(r -> !r.errors().isEmpty()).count();
            s.siege.note("held " + hold.toMillis() + " ms, " + trickled.get() + " ticks of " + TRICKLE_EVERY.toMillis()
                    + " ms: trickled streams cut " + streamsCut + "/" + streamConns.size() + " (read timeout " + READ_TIMEOUT
                    + "), stream-less connections cut " + idleCut + "/" + idle.size() + " (idle timeout " + IDLE_TIMEOUT
                    + "), trickled frames cut " + framesCut + "/" + tricklers.size() + " (" + framesInBand
                    + " with an in-band Error; Hello deadline " + HELLO_TIMEOUT + ")");
            s.assertSyncedDuring(during);
            // A relay may refuse attackers at the door (per-source caps): the counts are reported, at least one must get in.
            assertThat(streamConns).as(failure(t, "trickling streams that got a connection")).isNotEmpty();
            assertThat(tricklers).as(failure(t, "frame tricklers that got a session")).isNotEmpty();
            assertThat(streamsCut).as(failure(t, "trickled QUIC streams cut by the relay's read timeout"))
                    .isEqualTo(streamConns.size());
            boolean idleGone = s.siege.awaitRecorded("stream-less connections ended", () -> idle.stream()
                    .noneMatch(RawQuic.Connection::isOpen), IDLE_TIMEOUT.plus(MARGIN));
            assertThat(idleGone).as(failure(t, "stream-less QUIC connections end within the idle timeout")).isTrue();
            assertThat(framesCut).as(failure(t, "frames trickled one byte per Noise message cut within " + frameDeadline))
                    .isEqualTo(tricklers.size());
            assertThat(framesInBand).as(failure(t, "trickled-frame sessions told why in-band")).isEqualTo(tricklers.size());
            s.siege.enter("after");
            s.siege.probes(3);
            assertThat(s.siege.failed("during") + s.siege.failed("after")).as(failure(t, "legit probes that failed")).isZero();
            s.assertBackToBaseline("the slowloris", HELLO_TIMEOUT.plus(MARGIN));
            closeAll(streamConns);
            closeAll(idle);
            closeAll(tricklers);
        }
    }

    // ------------------------------------------------------------------ A-RES-04

    static final int A_RES_04_BLOB_BYTES = 64 * 1024 - 256;
    static final int A_RES_04_MAX_PUSHES = 64;

    static void aRes04(Topology topology) {
        try (Stage s = stage(topology, "A-RES-04")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "300s", "event.loop.threads", "1"));
            GroupKeys flooded = s.adversary.newGroup();
            s.siege.enter("during");
            CompletableFuture<List<String>> flood = launch("a-res-04-flood", () -> {
                List<String> answers = new ArrayList<>();
                try (RawSession m = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                        .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10))) {
                    if (!(m.hello(flooded, Duration.ofSeconds(10)) instanceof Message.Welcome)) {
                        throw new ChaosException("the flooding member was not admitted");
                    }
                    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    for (int i = 0; i < A_RES_04_MAX_PUSHES && System.nanoTime() < end; i++) {
                        m.send(new Message.Push(new BlobId(s.adversary.randomBytes(BlobId.LENGTH)), 3600,
                                s.adversary.randomBytes(A_RES_04_BLOB_BYTES)));
                        Message answer = receiveAnswer(m, Duration.ofSeconds(10));
                        answers.add(answer instanceof Message.Error e ? e.code().name() : answer.getClass().getSimpleName());
                        if (answer instanceof Message.Error e && e.code() == ErrorCode.QUOTA_EXCEEDED) {
                            break;
                        }
                    }
                }
                return answers;
            });
            int during = s.siege.probeWhile(() -> !flood.isDone(), 100, Duration.ofSeconds(40));
            List<String> answers = flood.join();
            long acks = answers.stream().filter("PushAck"::equals).count();
            long stored = RelayRows.storedBytes(t.relayDatabase(s.relay), flooded.groupId().bytes());
            Map<String, Long> health = s.siege.probe().health();
            s.siege.note("flood: " + answers.size() + " pushes of " + A_RES_04_BLOB_BYTES + " bytes, " + acks
                    + " acknowledged, last answer " + (answers.isEmpty() ? "-" : answers.get(answers.size() - 1))
                    + "; stored for the group " + stored + " bytes (quota " + QUOTA_BYTES + "); /health storage_bytes "
                    + health.get("storage_bytes"));
            s.assertSyncedDuring(during);
            assertThat(answers).as(failure(t, "the flood ends with QUOTA_EXCEEDED in-band")).last().isEqualTo("QUOTA_EXCEEDED");
            assertThat(stored).as(failure(t, "bytes stored for the flooding group (SQLite)")).isLessThanOrEqualTo(QUOTA_BYTES);
            assertThat(acks * A_RES_04_BLOB_BYTES).as(failure(t, "acknowledged bytes")).isLessThanOrEqualTo(QUOTA_BYTES);
            // Other groups are still accepted: the legit pair, and a fresh group's member.
            s.siege.enter("after");
            s.siege.probes(3);
            try (RawSession other = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10))) {
                assertThat(other.hello(s.adversary.newGroup(), Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
                other.send(new Message.Push(new BlobId(s.adversary.randomBytes(BlobId.LENGTH)), 3600,
                        s.adversary.randomBytes(A_RES_04_BLOB_BYTES)));
                assertThat(receiveAnswer(other, Duration.ofSeconds(10))).as(failure(t, "another group's push is accepted"))
                        .isInstanceOf(Message.PushAck.class);
            }
            assertThat(s.siege.failed("during") + s.siege.failed("after")).as(failure(t, "legit probes that failed")).isZero();
            s.assertBackToBaseline("the storage flood", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    // ------------------------------------------------------------------ A-RES-05

    static final int A_RES_05_HANDSHAKES = 50;
    /** Every one of the 50 handshakes (and Hello) must complete within this, with /dev/urandom drained. */
    static final Duration A_RES_05_BOUND = Duration.ofSeconds(30);

    /** {@code dd if=/dev/urandom of=/dev/null} per core, each bounded by timeout(1); killed by the caller. */
    private static List<Process> drainUrandom(Duration bound) {
        List<Process> dds = new ArrayList<>();
        for (String tool : List.of("/usr/bin/timeout", "/usr/bin/dd")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new NotRunException(tool + " is missing: A-RES-05 cannot drain /dev/urandom");
            }
        }
        for (int i = 0; i < Math.max(1, Runtime.getRuntime().availableProcessors()); i++) {
            try {
                dds.add(new ProcessBuilder("/usr/bin/timeout", bound.toSeconds() + "s", "/usr/bin/dd", "if=/dev/urandom",
                        "of=/dev/null", "bs=1M").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start());
            } catch (IOException e) {
                throw new NotRunException("cannot start dd: " + e.getMessage());
            }
        }
        return dds;
    }

    /** 50 genuine handshakes plus Hello at once; returns each one's milliseconds (failed ones missing). */
    private static List<Long> concurrentHandshakes(Stage s, Transport q, GroupKeys group) {
        return fanOut(A_RES_05_HANDSHAKES, A_RES_05_HANDSHAKES, A_RES_05_BOUND, n -> {
            long started = System.nanoTime();
            try (RawSession r = RawSession.connect(s.adversary, q, s.relayEndpoint(), Duration.ofSeconds(20))
                    .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(20))) {
                if (!(r.hello(group, Duration.ofSeconds(20)) instanceof Message.Welcome)) {
                    return null;
                }
                return (System.nanoTime() - started) / 1_000_000;
            }
        });
    }

    static void aRes05(Topology topology) {
        try (Stage s = stage(topology, "A-RES-05")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "60s", "connect.timeout", "20s"));
            GroupKeys group = s.adversary.newGroup();
            List<Process> dds = drainUrandom(A_RES_05_BOUND.plusSeconds(10));
            try {
                s.siege.enter("during");
                long started = System.nanoTime();
                CompletableFuture<List<Long>> handshakes = launch("a-res-05", () -> concurrentHandshakes(s, q, group));
                int during = s.siege.probeWhile(() -> !handshakes.isDone(), 50, A_RES_05_BOUND.plusSeconds(5));
                List<Long> millis = handshakes.join().stream().sorted().toList();
                long total = (System.nanoTime() - started) / 1_000_000;
                boolean ddRan = dds.stream().allMatch(Process::isAlive);
                s.siege.note(millis.size() + "/" + A_RES_05_HANDSHAKES + " concurrent handshakes+Hello completed in " + total
                        + " ms while " + dds.size() + " dd processes drained /dev/urandom (still running: " + ddRan
                        + "); per handshake p50 " + Siege.percentile(millis, 50) + " ms, p99 " + Siege.percentile(millis, 99)
                        + " ms");
                s.assertSyncedDuring(during);
                assertThat(ddRan).as(failure(t, "/dev/urandom was being drained throughout")).isTrue();
                assertThat(millis).as(failure(t, "handshakes that completed within " + A_RES_05_BOUND)).hasSize(A_RES_05_HANDSHAKES);
            } finally {
                // dd first: timeout(1) killed by SIGKILL would leave its dd running.
                for (Process p : dds) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
                t.await(() -> dds.stream().noneMatch(p -> p.isAlive() || p.descendants().findAny().isPresent()),
                        Duration.ofSeconds(10));
            }
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("the handshakes", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    /**
     * A-RES-05, the entropy source: strace on the relay process while 50 handshakes run; the
     * relay must not open or read {@code /dev/random} nor call getrandom with GRND_RANDOM (both
     * can block). NOT RUN without strace or ptrace permission.
     */
    static void aRes05EntropySource(Topology topology) {
        Path strace = Path.of("/usr/bin/strace");
        if (!Files.isExecutable(strace)) {
            throw new NotRunException("strace is not installed (apt-get install strace): cannot observe the relay's "
                    + "entropy reads");
        }
        try (Stage s = stage(topology, "A-RES-05")) {
            RealTopology t = s.t;
            Path trace = t.relayLogFile(s.relay).resolveSibling("strace.txt");
            Process tracer;
            try {
                tracer = new ProcessBuilder(strace.toString(), "-f", "-y", "-qq", "-e", "trace=openat,open,read,getrandom",
                        "-o", trace.toString(), "-p", String.valueOf(s.siege.probe().pid())).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new NotRunException("cannot start strace: " + e.getMessage());
            }
            try {
                boolean attached = t.await(() -> size(trace) > 0 || !tracer.isAlive(), Duration.ofSeconds(10));
                if (!attached || !tracer.isAlive()) {
                    throw new NotRunException("strace could not attach to the relay (ptrace not permitted?)");
                }
                Transport q = s.adversary.quic(Map.of("idle.timeout", "60s", "connect.timeout", "20s"));
                s.siege.enter("during");
                List<Long> done = concurrentHandshakes(s, q, s.adversary.newGroup());
                s.siege.probes(2);
                assertThat(done).as(failure(t, "handshakes under strace")).hasSize(A_RES_05_HANDSHAKES);
            } finally {
                tracer.destroy();
                t.await(() -> !tracer.isAlive(), Duration.ofSeconds(10));
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(trace);
            } catch (IOException e) {
                throw new ChaosException("cannot read the strace output: " + e.getMessage(), e);
            }
            List<String> openRandom = openDescriptorsTo(s.siege.probe().pid(), "/dev/random");
            s.siege.note("descriptors the relay holds open to /dev/random: " + openRandom.size()
                    + " (open is not read; the trace decides)");
            List<String> blocking = lines.stream().filter(l -> l.contains("/dev/random") || l.contains("GRND_RANDOM")).toList();
            long entropyCalls = lines.stream().filter(l -> l.contains("getrandom(") || l.contains("/dev/urandom")).count();
            s.siege.note("strace: " + lines.size() + " traced calls during 50 handshakes, " + entropyCalls
                    + " getrandom or /dev/urandom, " + blocking.size() + " touching /dev/random or GRND_RANDOM"
                    + (blocking.isEmpty() ? "" : ": " + blocking.subList(0, Math.min(3, blocking.size()))));
            if (lines.isEmpty()) {
                throw new NotRunException("strace recorded nothing: cannot tell where the relay's entropy comes from");
            }
            assertThat(blocking).as(failure(t, "the relay reads /dev/random or asks getrandom for GRND_RANDOM (may block)"))
                    .isEmpty();
        }
    }

    private static List<String> openDescriptorsTo(long pid, String target) {
        List<String> found = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        found.add(fd.getFileName().toString());
                    }
                } catch (IOException e) {
                    // closed between listing and reading
                }
            }
        } catch (IOException e) {
            throw new ChaosException("cannot list the relay's descriptors: " + e.getMessage(), e);
        }
        return found;
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    // ------------------------------------------------------------------ A-PROTO-01

    static void aProto01(Topology topology) {
        try (Stage s = stage(topology, "A-PROTO-01")) {
            RealTopology t = s.t;
            // The victims: their own group; the stage's pair keeps syncing throughout.
            Group victims = t.newGroup();
            Device v1 = t.addDevice(victims, List.of(s.relay));
            Device v2 = t.addDevice(victims, List.of(s.relay));
            assertThat(t.await(() -> v1.status().kind() == SyncStatus.Kind.SYNCED
                    && v2.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(30))).isTrue();
            long withVictimsConnections = s.siege.probe().connections();
            long withVictimsFds = s.siege.probe().openFds();
            t.crashDevice(v2);
            List<BlobId> tampered = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tampered.add(v1.push(("A-PROTO-01 victim blob " + i).getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(t.await(() -> v1.events().stream().filter(e -> e instanceof SyncEvent.Acknowledged a
                    && tampered.contains(a.blob())).count() >= tampered.size(), Duration.ofSeconds(20)))
                    .as(failure(t, "the relay acknowledged the victim blobs")).isTrue();
            s.siege.enter("during");
            int altered = t.tamperStoredBlobsConsistently(s.relay);
            t.restartDevice(v2);
            int during = s.siege.probes(3);
            boolean reported = s.siege.awaitRecorded("the victim reports the tampered blobs", () -> v2.events().stream()
                    .anyMatch(e -> e instanceof SyncEvent.BlobFailed || e instanceof SyncEvent.RelayWarning),
                    Duration.ofSeconds(20));
            BlobId fresh = v1.push("A-PROTO-01 after the tampering".getBytes(StandardCharsets.UTF_8));
            boolean freshArrived = t.await(() -> v2.received().containsKey(fresh), Duration.ofSeconds(20));
            List<String> failures = v2.events().stream().filter(e -> e instanceof SyncEvent.BlobFailed
                    || e instanceof SyncEvent.RelayWarning).map(Object::toString).toList();
            s.siege.note("bits flipped in " + altered + " stored contents; the victim reported " + failures.size()
                    + " failure event(s); tampered blobs delivered: " + tampered.stream().filter(v2.received()::containsKey)
                    .count() + "; a blob pushed after the tampering arrived: " + freshArrived);
            s.assertSyncedDuring(during);
            assertThat(altered).as(failure(t, "the modified relay flipped bits")).isGreaterThanOrEqualTo(tampered.size());
            assertThat(reported).as(failure(t, "the victim device reports the tampering")).isTrue();
            assertThat(v2.received().keySet()).as(failure(t, "nothing corrupt is written on the victim"))
                    .doesNotContainAnyElementsOf(tampered);
            assertThat(freshArrived).as(failure(t, "sync goes on past the tampered blobs")).isTrue();
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackTo(withVictimsConnections, withVictimsFds, "the tampering (baseline with the victim pair)",
                    HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    // ------------------------------------------------------------------ A-PROTO-02

    static void aProto02(Topology topology) {
        try (Stage s = stage(topology, "A-PROTO-02")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "60s", "event.loop.threads", "1"));
            GroupKeys group = s.adversary.newGroup();
            KeyPair identity = s.adversary.newIdentity();
            Path db = t.relayDatabase(s.relay);
            s.siege.enter("during");
            RawSession victim = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(identity, s.relayStatic(), Duration.ofSeconds(10));
            assertThat(victim.hello(group, Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
            int beforePush = victim.sentTransportMessages().size();
            victim.send(new Message.Push(new BlobId(s.adversary.randomBytes(BlobId.LENGTH)), 3600,
                    "A-PROTO-02 captured push".getBytes(StandardCharsets.UTF_8)));
            assertThat(receiveAnswer(victim, Duration.ofSeconds(10))).isInstanceOf(Message.PushAck.class);
            List<byte[]> captured = victim.sentTransportMessages();
            List<byte[]> pushCiphertext = captured.subList(beforePush, captured.size());
            List<String> rowsBefore = RelayRows.snapshot(db, group.groupId().bytes());

            // 1. Within the session: the same Push ciphertext again (a reused nonce).
            pushCiphertext.forEach(victim::sendRaw);
            boolean inSessionClosed = victim.awaitClosed(Duration.ofSeconds(5));
            int during = s.siege.probes(1);
            // 2. Into a new connection: the whole captured session, message for message.
            RawSession replay = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10));
            // The stream is ordered: the relay reads message 1, answers with a fresh message 2, then
            // reads the captured message 3, which cannot match it.
            captured.forEach(replay::sendRaw);
            boolean replayClosed = replay.awaitClosed(Duration.ofSeconds(5));
            during += s.siege.probes(1);
            List<String> rowsAfter = RelayRows.snapshot(db, group.groupId().bytes());
            s.siege.note("captured " + captured.size() + " transport messages; in-session replay of the Push: "
                    + (inSessionClosed ? "session closed (" + victim.closeReason().orElse("") + ")" : "session still open")
                    + "; replay into a new connection: " + (replayClosed ? "closed (" + replay.closeReason().orElse("") + ")"
                    : "still open") + "; relay rows " + rowsBefore.size() + " -> " + rowsAfter.size());
            s.assertSyncedDuring(during);
            assertThat(inSessionClosed).as(failure(t, "a replayed transport message ends the session")).isTrue();
            assertThat(replayClosed).as(failure(t, "a replayed session is rejected")).isTrue();
            assertThat(replay.errors()).as(failure(t, "the replayed session got no Welcome or answer")).isEmpty();
            assertThat(rowsAfter).as(failure(t, "relay rows and cursors unchanged by the replays")).isEqualTo(rowsBefore);
            closeAll(List.of(victim, replay));
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("the replays", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    // ------------------------------------------------------------------ A-PROTO-03

    /**
     * Seed 000 E-HS-06: two connection attempts of one device identity at the same moment, each a
     * genuine handshake and Hello. Exactly one session stays (the relay's one-session-per-identity
     * rule, {@link #DUPLICATE_IDENTITY_RULE}: the newer Hello wins, the other is told in-band and
     * closed), and the loser leaves nothing behind (sessions and fds back to the baseline).
     */
    static void eHs06(Topology topology) {
        try (Stage s = stage(topology, "E-HS-06")) {
            RealTopology t = s.t;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "60s", "event.loop.threads", "1"));
            GroupKeys group = s.adversary.newGroup();
            KeyPair identity = s.adversary.newIdentity();
            s.siege.enter("during");
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            Supplier<RawSession> attempt = () -> {
                RawSession r = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                        .handshake(identity, s.relayStatic(), Duration.ofSeconds(10));
                try {
                    together.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new ChaosException("the two attempts did not meet", e);
                }
                r.hello(group, Duration.ofSeconds(10));
                return r;
            };
            CompletableFuture<RawSession> first = launch("e-hs-06-a", attempt);
            CompletableFuture<RawSession> second = launch("e-hs-06-b", attempt);
            List<RawSession> both = List.of(first.join(), second.join());
            // Each keeps asking, so only the relay's rule (not an idle timeout) can end one of them.
            long end = System.nanoTime() + DUPLICATE_IDENTITY_RULE.deadline().toNanos();
            while (both.stream().noneMatch(RawSession::closed) && System.nanoTime() < end) {
                for (RawSession r : both) {
                    try {
                        r.send(new Message.Pull(Cursor.ZERO, 1, 1024));
                    } catch (RuntimeException e) {
                        // closing: counted below
                    }
                }
                both.forEach(r -> r.awaitClosed(Duration.ofMillis(250)));
            }
            List<RawSession> open = both.stream().filter(r -> !r.closed()).toList();
            List<RawSession> closed = both.stream().filter(RawSession::closed).toList();
            int during = s.siege.probes(1);
            s.siege.note("two simultaneous sessions of one identity: " + open.size() + " open, " + closed.size()
                    + " closed, in-band errors " + closed.stream().flatMap(r -> r.errors().stream())
                            .map(e -> e.code().name()).toList());
            s.assertSyncedDuring(during);
            assertThat(open).as(failure(t, "exactly one of two simultaneous sessions of one identity stays")).hasSize(1);
            assertThat(closed.get(0).errors()).as(failure(t, "the other is told in-band"))
                    .anySatisfy(e -> assertThat(e.code()).isEqualTo(dev.zerok.kernel.wire.ErrorCode.UNAUTHORIZED));
            open.get(0).send(new Message.Pull(Cursor.ZERO, 1, 1024));
            assertThat(receiveAnswer(open.get(0), Duration.ofSeconds(10))).as(failure(t, "the survivor works"))
                    .isInstanceOf(Message.PullResponse.class);
            closeAll(both);
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("the race", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    static void aProto03(Topology topology) {
        try (Stage s = stage(topology, "A-PROTO-03")) {
            RealTopology t = s.t;
            DuplicateIdentityRule rule = DUPLICATE_IDENTITY_RULE;
            Transport q = s.adversary.quic(Map.of("idle.timeout", "60s", "event.loop.threads", "1"));
            GroupKeys group = s.adversary.newGroup();
            KeyPair stolen = s.adversary.newIdentity();
            s.siege.enter("during");
            RawSession older = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(stolen, s.relayStatic(), Duration.ofSeconds(10));
            assertThat(older.hello(group, Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
            byte[] first = "A-PROTO-03 pushed by the older session".getBytes(StandardCharsets.UTF_8);
            older.send(new Message.Push(new BlobId(s.adversary.randomBytes(BlobId.LENGTH)), 3600, first));
            assertThat(receiveAnswer(older, Duration.ofSeconds(10))).isInstanceOf(Message.PushAck.class);

            RawSession newer = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(stolen, s.relayStatic(), Duration.ofSeconds(10));
            Message answer = newer.hello(group, Duration.ofSeconds(10));
            // The older session keeps talking (a Pull every 500 ms), so a close can only be the
            // relay's rule, never the QUIC idle timeout.
            long end = System.nanoTime() + rule.deadline().toNanos();
            boolean olderClosed = false;
            while (!olderClosed && System.nanoTime() < end) {
                try {
                    older.send(new Message.Pull(Cursor.ZERO, 1, 1024));
                } catch (RuntimeException e) {
                    // the channel is closing: awaitClosed says so
                }
                olderClosed = older.awaitClosed(Duration.ofMillis(500));
            }
            boolean closedByRule = olderClosed && !older.closeReason().orElse("").equals("TIMEOUT");
            int during = s.siege.probes(1);
            s.siege.note("same static key twice: newer session's Hello answered " + describe(answer) + "; older session "
                    + (olderClosed ? "closed (" + older.closeReason().orElse("") + ")" : "still open after " + rule.deadline())
                    + ", in-band errors " + older.errors().stream().map(e -> e.code().name()).toList());
            s.assertSyncedDuring(during);
            assertThat(answer instanceof Message.Welcome).as(failure(t, "rule: the newer session is admitted"))
                    .isEqualTo(rule.newerWelcomed());
            assertThat(closedByRule).as(failure(t, "rule: the older session of the same identity is closed within "
                    + rule.deadline() + " (not by an idle timeout)")).isEqualTo(rule.olderClosed());
            assertThat(!older.errors().isEmpty()).as(failure(t, "rule: the older session is told in-band"))
                    .isEqualTo(rule.olderGetsInBandError());
            byte[] second = "A-PROTO-03 pushed by the newer session".getBytes(StandardCharsets.UTF_8);
            newer.send(new Message.Push(new BlobId(s.adversary.randomBytes(BlobId.LENGTH)), 3600, second));
            assertThat(receiveAnswer(newer, Duration.ofSeconds(10))).as(failure(t, "the newer session works"))
                    .isInstanceOf(Message.PushAck.class);
            try (RawSession reader = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10))
                    .handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10))) {
                assertThat(reader.hello(group, Duration.ofSeconds(10))).isInstanceOf(Message.Welcome.class);
                reader.send(new Message.Pull(Cursor.ZERO, 10, 1 << 20));
                Message page = receiveAnswer(reader, Duration.ofSeconds(10));
                assertThat(page).isInstanceOf(Message.PullResponse.class);
                assertThat(((Message.PullResponse) page).blobs()).extracting(Message.PulledBlob::payload)
                        .as(failure(t, "no data loss: both sessions' blobs are stored")).containsExactly(first, second);
            }
            closeAll(List.of(older, newer));
            s.siege.enter("after");
            s.siege.probes(3);
            s.assertBackToBaseline("the duplicate sessions", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    // ------------------------------------------------------------------ A-PROTO-04

    static final byte[] PLAINTEXT_MARKER = "zerok-A-PROTO-04-plaintext-marker-5c1e".getBytes(StandardCharsets.US_ASCII);

    static void aProto04(Topology topology) {
        try (Stage s = stage(topology, "A-PROTO-04")) {
            RealTopology t = s.t;
            s.siege.enter("during");
            SplittableRandom random = new SplittableRandom(t.seed());
            for (int i = 0; i < 5; i++) {
                byte[] data = new byte[200 + i * 3000];
                random.nextBytes(data);
                System.arraycopy(PLAINTEXT_MARKER, 0, data, data.length / 2, PLAINTEXT_MARKER.length);
                (i % 2 == 0 ? s.a : s.b).push(data);
            }
            int during = s.siege.probes(2);
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(failure(t, "marker blobs delivered")).isTrue();
            s.assertSyncedDuring(during);

            List<String> hexIds = new ArrayList<>();
            HexFormat hex = HexFormat.of();
            hexIds.add(hex.formatHex(t.groupId(s.group)));
            for (Device d : List.of(s.a, s.b)) {
                hexIds.add(t.deviceId(d).hex());
                d.pushed().keySet().forEach(b -> hexIds.add(b.hex()));
            }
            String marker = new String(PLAINTEXT_MARKER, StandardCharsets.US_ASCII);
            List<String> log = t.relayLogLines(s.relay);
            long traceLines = log.stream().filter(l -> l.contains("TRACE") || l.contains("DEBUG")).count();
            int filesSearched = 0;
            long bytesSearched = 0;
            for (Path file : t.relayStorageFiles(s.relay)) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    continue; // a WAL can vanish between listing and reading
                }
                filesSearched++;
                bytesSearched += bytes.length;
                assertThat(ChaosAssertions.indexOf(bytes, PLAINTEXT_MARKER)).as(failure(t, "plaintext marker in " + file.getFileName()))
                        .isEqualTo(-1);
            }
            List<byte[]> frames = t.capturedFrames();
            for (byte[] frame : frames) {
                assertThat(ChaosAssertions.indexOf(frame, PLAINTEXT_MARKER)).as(failure(t, "plaintext marker in a captured frame"))
                        .isEqualTo(-1);
            }
            s.siege.note("searched " + log.size() + " relay log lines (" + traceLines + " at DEBUG/TRACE), " + filesSearched
                    + " relay files (" + bytesSearched + " bytes: db, WAL, SHM, identity), " + frames.size()
                    + " captured frames for the marker, and the log for " + hexIds.size() + " ids as hex");
            assertThat(log).as(failure(t, "plaintext marker in the relay log")).noneMatch(l -> l.contains(marker));
            assertThat(log).as(failure(t, "probe plaintext in the relay log")).noneMatch(l -> l.contains("A-PROTO-04 probe"));
            for (String id : hexIds) {
                assertThat(log).as(failure(t, "an id in the relay log as hex: " + id))
                        .noneMatch(l -> l.toLowerCase(Locale.ROOT).contains(id));
            }
            s.siege.enter("after");
            s.siege.probes(2);
            s.assertBackToBaseline("the marker pushes", HELLO_TIMEOUT.plus(MARGIN));
        }
    }

    // ------------------------------------------------------------------ A-PROTO-05

    static final int A_PROTO_05_DATAGRAMS = 2_000;
    static final int A_PROTO_05_STREAMS = 20;
    static final int A_PROTO_05_SESSIONS = 20;

    static void aProto05(Topology topology) {
        try (Stage s = stage(topology, "A-PROTO-05");
                RawQuic rawQuic = new RawQuic(Duration.ofMinutes(5))) {
            RealTopology t = s.t;
            InetSocketAddress relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.relayPort(s.relay));
            Transport q = s.adversary.quic(Map.of("idle.timeout", "300s", "event.loop.threads", "1"));
            GroupKeys group = s.adversary.newGroup();
            SplittableRandom random = new SplittableRandom(t.seed());
            s.siege.enter("during");
            // 1. Raw UDP garbage, half of it shaped like QUIC long-header packets.
            CompletableFuture<Integer> udp = launch("a-proto-05-udp", () -> {
                int sent = 0;
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
                    SplittableRandom r = new SplittableRandom(t.seed() ^ 0x5eed);
                    for (int i = 0; i < A_PROTO_05_DATAGRAMS; i++) {
                        byte[] d = new byte[1 + r.nextInt(1350)];
                        r.nextBytes(d);
                        if (i % 2 == 0 && d.length >= 5) {
                            d[0] = (byte) (0xc0 | (d[0] & 0x0f));
                            d[1] = 0;
                            d[2] = 0;
                            d[3] = 0;
                            d[4] = 1;
                        }
                        socket.send(new DatagramPacket(d, d.length, relay));
                        sent++;
                    }
                } catch (IOException e) {
                    throw new ChaosException("cannot send UDP garbage: " + e.getMessage(), e);
                }
                return sent;
            });
            int during = s.siege.probeWhile(() -> !udp.isDone(), 20, Duration.ofSeconds(20));
            int datagrams = udp.join();
            // 2. Garbage on QUIC streams: random bytes, and a zero length header.
            List<RawQuic.Connection> streamConns = fanOut(A_PROTO_05_STREAMS, 8, Duration.ofSeconds(20), n -> {
                RawQuic.Connection c = rawQuic.connect(s.attackAddress(), Duration.ofSeconds(10));
                byte[] junk = new byte[64 + n * 37];
                new SplittableRandom(t.seed() + n).nextBytes(junk);
                if (n % 4 == 0) {
                    junk[0] = 0;
                    junk[1] = 0;
                }
                c.openStream(Duration.ofSeconds(5)).write(junk);
                return c;
            });
            // 3. A Noise handshake message 1 of random bytes; 4. random bytes sealed in valid Noise
            // transport messages, before Hello and after a valid Hello.
            List<RawSession> sessions = fanOut(A_PROTO_05_SESSIONS, 6, Duration.ofSeconds(30), n -> {
                RawSession r = RawSession.connect(s.adversary, q, s.attackEndpoint(), Duration.ofSeconds(10));
                byte[] junk = new byte[1 + new SplittableRandom(t.seed() + 1000 + n).nextInt(4096)];
                new SplittableRandom(t.seed() + 2000 + n).nextBytes(junk);
                switch (n % 3) {
                    case 0 -> r.sendRaw(junk.length < 1216 ? java.util.Arrays.copyOf(junk, 1216) : junk);
                    case 1 -> r.handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10))
                            .sealAndSend(junk);
                    default -> {
                        r.handshake(s.adversary.newIdentity(), s.relayStatic(), Duration.ofSeconds(10));
                        if (!(r.hello(group, Duration.ofSeconds(10)) instanceof Message.Welcome)) {
                            throw new ChaosException("member not admitted");
                        }
                        r.sealAndSend(junk);
                    }
                }
                return r;
            });
            during += s.siege.probes(2);
            Duration deadline = HELLO_TIMEOUT.plus(MARGIN);
            long sessionsClosed = sessions.stream().filter(r -> r.awaitClosed(deadline)).count();
            long sealedWithError = sessions.stream().filter(r -> r.closed() && !r.errors().isEmpty()).count();
            boolean streamsCut = s.siege.awaitRecorded("garbage QUIC streams' connections closed", () -> streamConns.stream()
                    .noneMatch(RawQuic.Connection::isOpen), deadline);
            s.siege.note(datagrams + " garbage datagrams, " + streamConns.size() + " garbage QUIC streams (cut: "
                    + streamConns.stream().filter(c -> !c.isOpen()).count() + "), " + sessions.size()
                    + " garbage Noise sessions (closed: " + sessionsClosed + ", with an in-band Error: " + sealedWithError
                    + ")");
            s.assertSyncedDuring(during);
            assertThat(s.siege.probe().alive()).as(failure(t, "the relay survives")).isTrue();
            assertThat(streamConns).as(failure(t, "garbage streams that got a connection")).isNotEmpty();
            assertThat(sessions).as(failure(t, "garbage sessions that got a connection")).isNotEmpty();
            assertThat(sessionsClosed).as(failure(t, "garbage sessions closed by the relay within " + deadline))
                    .isEqualTo(sessions.size());
            assertThat(streamsCut).as(failure(t, "garbage QUIC streams end their connections")).isTrue();
            closeAll(streamConns);
            closeAll(sessions);
            s.siege.enter("after");
            s.siege.probes(3);
            assertThat(s.siege.failed("during") + s.siege.failed("after")).as(failure(t, "legit probes that failed")).isZero();
            s.assertBackToBaseline("the garbage", deadline);
            // No ERROR / IllegalStateException / IllegalArgumentException: the topology's relay log audit.
        }
    }
}
