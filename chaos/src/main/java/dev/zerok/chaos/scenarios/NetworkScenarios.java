package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.SETTLE;
import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;
import static dev.zerok.chaos.scenarios.Steps.payload;

import dev.zerok.chaos.assertions.ChaosAssertions;
import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seed 000 sections 6 (E-HS, E-ENC, E-PQ) and 4.4 (MR-1..MR-5) at the topology
 * level. Scenarios whose definition needs something no topology operation offers throw
 * {@link NotRunException} with the reason (and where the property is covered instead).
 */
public final class NetworkScenarios {
    private NetworkScenarios() {}

    private static Set<Capability> needs(Capability... more) {
        Set<Capability> s = new HashSet<>(SyncScenarios.OBSERVE);
        s.addAll(List.of(more));
        return s;
    }

    /** Two devices on one relay, a blob each way, then the invariants. */
    private static void exchangeAndCheck(Topology t, List<Device> d, SplittableRandom random) {
        d.get(0).push(payload(random, 256 + random.nextInt(4096)));
        d.get(1).push(payload(random, 256 + random.nextInt(4096)));
        converge(t, SETTLE);
        Steps.allInvariants(t);
    }

    /** Fails if {@code d} ever reached SYNCED (a session was established) while a fault should prevent it. */
    private static void neverSynced(Device d, String why) {
        check(!Steps.everHad(d, SyncStatus.Kind.SYNCED), d.name() + " established a session although " + why);
    }

    // ------------------------------------------------------------------ handshake

    /**
     * The byte sizes of the first three handshake messages as a device sends/receives them: a probe
     * device connects cleanly and its captured frames are read (frames 0, 1, 2 = msg1 up, msg2 down,
     * msg3 up).
     */
    private static int[] handshakeSizes(Topology t) {
        List<byte[]> frames = t.capturedFrames();
        check(frames.size() >= 3, "the probe device did not complete a handshake");
        return new int[] {frames.get(0).length, frames.get(1).length, frames.get(2).length};
    }

    private static Scenario cutHandshake(String id, String title, int afterMessage) {
        return new Scenario(id, title, Category.ENCRYPTION, needs(Capability.LIMIT_DATA), t -> {
            SplittableRandom random = Steps.random(t);
            Relay relay = t.addRelay();
            Group group = t.newGroup();
            Device a = t.addDevice(group, List.of(relay));
            t.awaitConvergence(Duration.ofSeconds(30));
            int[] size = handshakeSizes(t);
            Device b = t.addDevice(group, List.of(relay));
            // Cut B's connection right after handshake message `afterMessage`, on every attempt.
            LinkFaults cut = switch (afterMessage) {
                case 1 -> LinkFaults.NONE.withLimitBytes(1); // msg2 (the first message down) never arrives
                case 2 -> LinkFaults.NONE.withLimitBytes(size[0]); // msg3 (the second message up) never arrives
                default -> LinkFaults.NONE.withLimitBytes(size[0] + size[2]); // the first message after msg3
            };
            t.setFaults(b, relay, afterMessage == 1 ? LinkDirection.DOWN : LinkDirection.UP, cut);
            long failedBefore = failedAttempts(b);
            b.push(payload(random, 512));
            // Until B has failed two attempts cut at that point (each failure is a retrying warning), at most 150 s.
            check(t.await(() -> failedAttempts(b) - failedBefore >= 2, Duration.ofSeconds(150)),
                    "B did not fail and retry twice within 150 s while cut after handshake message " + afterMessage
                    + " (" + (failedAttempts(b) - failedBefore) + " failed attempts)");
            neverSynced(b, "every connection was cut after handshake message " + afterMessage);
            check(a.received().isEmpty(), "a blob crossed a connection that never finished its handshake");
            t.heal(b);
            exchangeAndCheck(t, List.of(a, b), random); // clean retry
        });
    }

    public static final Scenario E_HS_01 = cutHandshake("E-HS-01", "Disconnect after handshake message 1", 1);
    public static final Scenario E_HS_02 = cutHandshake("E-HS-02", "Disconnect after handshake message 2", 2);
    public static final Scenario E_HS_03 = cutHandshake("E-HS-03", "Disconnect after handshake message 3", 3);

    /** One-way delay of E-HS-04: every handshake message takes this long. */
    static final Duration E_HS_04_DELAY = Duration.ofSeconds(5);

    public static final Scenario E_HS_04 = new Scenario("E-HS-04", "Extreme latency during handshake (5 s per message)",
            Category.ENCRYPTION, needs(Capability.LATENCY, Capability.CRASH_DEVICE), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                Device b = t.addDevice(group, List.of(relay));
                converge(t, SETTLE);
                // Every message of B's next handshake (transport connect, msg1..3, Hello, Welcome) takes 5 s.
                t.setFaults(b, relay, LinkDirection.BOTH, LinkFaults.NONE.withDelay(E_HS_04_DELAY, Duration.ZERO));
                t.crashDevice(b);
                long warningsBefore = Steps.count(b, SyncEvent.RelayWarning.class);
                java.time.Instant started = t.now();
                t.restartDevice(b);
                check(t.await(() -> b.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofMinutes(3)),
                        "B did not reach SYNCED over a 5 s one-way link (status " + b.status() + ")");
                Duration took = Duration.between(started, t.now());
                // Transport connect, msg1/msg2, msg3+Hello/Welcome: three round trips of 10 s at least.
                check(took.compareTo(E_HS_04_DELAY.multipliedBy(6)) >= 0, "B synced in " + took
                        + ", faster than three 10 s round trips: the handshake did not run under the delay");
                check(Steps.count(b, SyncEvent.RelayWarning.class) == warningsBefore, "a handshake attempt failed under "
                        + "the 5 s delay (a deadline fired): " + b.events());
                // Both directions carry blobs under the delay, before any healing.
                byte[] fromA = payload(random, 256 + random.nextInt(4096));
                byte[] fromB = payload(random, 256 + random.nextInt(4096));
                var idA = a.push(fromA);
                var idB = b.push(fromB);
                check(t.await(() -> b.received().containsKey(idA) && a.received().containsKey(idB), Duration.ofMinutes(3)),
                        "the blobs did not cross the 5 s link");
                check(java.util.Arrays.equals(b.received().get(idA), fromA)
                        && java.util.Arrays.equals(a.received().get(idB), fromB), "a blob arrived altered");
                converge(t, SETTLE);
                Steps.allInvariants(t);
                t.heal(b);
                exchangeAndCheck(t, List.of(a, b), random);
            }).withInjection(Scenario.Injection.SHAPING);

    /** Connection attempts of {@code d} that failed and will be retried (one "retrying in" warning each). */
    private static long failedAttempts(Device d) {
        return d.events().stream().filter(e -> e instanceof SyncEvent.RelayWarning w && w.warning().contains("retrying in"))
                .count();
    }

    /** Warnings of {@code d} that say its secure channel failed (a Noise message was rejected). */
    private static long channelFailures(Device d) {
        return d.events().stream().filter(e -> e instanceof SyncEvent.RelayWarning w
                && w.warning().contains("secure channel failed")).count();
    }

    /** Relay log lines saying a Noise message was rejected ({@code RelayConnection}: "noise failure CODE"). */
    private static long relayNoiseFailures(Topology t, Relay relay) {
        return t.relayLogLines(relay).stream().filter(l -> l.contains("noise failure")).count();
    }

    /**
     * Fails if a reordered or replayed message got past Noise: then its bytes would reach the framing
     * and codec, and one side would report a malformed frame or request instead of a failed channel.
     */
    private static void nothingPastNoise(List<Device> devices) {
        for (Device d : devices) {
            check(d.events().stream().noneMatch(e -> e instanceof SyncEvent.RelayWarning w && w.warning().contains("malformed")),
                    d.name() + ": bytes that should have failed Noise reached the framing: " + d.events());
        }
    }

    /** Whether the fault {@code kind} (a mock {@code FaultEvent} kind) was injected, per the timeline. */
    private static boolean injected(Topology t, String kind) {
        return t.timeline().toJsonLines().contains(kind);
    }

    /** Every blob {@code d} received is byte-identical to what its pusher pushed (no altered or invented blob). */
    private static void receivedIntact(List<Device> devices) {
        for (Device d : devices) {
            d.received().forEach((id, data) -> check(devices.stream().anyMatch(p -> p.pushed().containsKey(id)
                    && java.util.Arrays.equals(p.pushed().get(id), data)), d.name() + " received a blob nobody pushed "
                    + "or an altered one"));
        }
    }

    /**
     * Fresh handshakes of {@code device} (crash, restart) until {@code kind} was injected, at most
     * {@code attempts}, each given {@code settle} to run. With a keep-alive a connected device has no
     * idle reconnect that would hand the fault another handshake, so the scenario makes them.
     */
    private static void handshakeUntilInjected(Topology t, Device device, String kind, int attempts, Duration settle) {
        for (int i = 0; i < attempts && !injected(t, kind); i++) {
            t.runFor(settle);
            if (!injected(t, kind)) {
                t.crashDevice(device);
                t.restartDevice(device);
            }
        }
    }

    /** Noise rejections so far: relay log lines plus the devices' "secure channel failed" warnings. */
    private static long rejections(Topology t, Relay relay, List<Device> devices) {
        return relayNoiseFailures(t, relay) + devices.stream().mapToLong(NetworkScenarios::channelFailures).sum();
    }

    /**
     * Waits until {@code device} has had {@value #FAILED_ATTEMPTS} more failed connection attempts
     * than {@code before} (each a "retrying in" warning), at most {@link #FAILED_ATTEMPTS_WAIT}: the
     * window in which a device that must never connect is watched. The attempts, not a fixed time,
     * are what the assertion is about (a fallback would show at the next attempt), and a fixed time
     * is wall time on real processes.
     */
    private static void awaitFailedAttempts(Topology t, Device device, long before, String why) {
        check(t.await(() -> failedAttempts(device) - before >= FAILED_ATTEMPTS, FAILED_ATTEMPTS_WAIT), device.name()
                + " made " + (failedAttempts(device) - before) + " failed attempts within " + FAILED_ATTEMPTS_WAIT
                + " (expected " + FAILED_ATTEMPTS + ") while " + why + "; events " + device.events());
    }

    /** Failed attempts watched by {@link #awaitFailedAttempts}. */
    static final int FAILED_ATTEMPTS = 3;
    /** The most {@link #awaitFailedAttempts} waits (the retry backoff grows to about 30 s). */
    static final Duration FAILED_ATTEMPTS_WAIT = Duration.ofMinutes(3);

    /**
     * Waits until a Noise session rejected a message (at most {@code cap}), then lets the group run a
     * seeded 0-5 s more: the tampering and its rejection are the event, not a fixed time.
     */
    private static void awaitRejection(Topology t, Relay relay, List<Device> devices, Duration cap,
            SplittableRandom random) {
        t.await(() -> rejections(t, relay, devices) > 0, cap);
        t.runFor(Duration.ofMillis(random.nextInt(5000)));
    }

    public static final Scenario E_HS_05 = new Scenario("E-HS-05", "Handshake message reorder", Category.ENCRYPTION,
            needs(Capability.REORDER_DELIVERED, Capability.RELAY_LOGS, Capability.CRASH_DEVICE), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                Device b = t.addDevice(group, List.of(relay));
                // From the first handshake message on: half the messages swap places with the next one above
                // the transport, so Noise gets msg3 after the Hello, a Welcome after the next response, ...
                for (Device x : List.of(a, b)) {
                    t.setDeliveredFaults(x, relay, LinkDirection.BOTH, 0.5, 0);
                }
                a.push(payload(random, 256 + random.nextInt(4096)));
                b.push(payload(random, 256 + random.nextInt(4096)));
                // A swap needs two messages in a row one way (msg3 and Hello): about half of B's handshakes.
                handshakeUntilInjected(t, b, "REORDER_DELIVERED", 20, Duration.ofSeconds(5));
                awaitRejection(t, relay, List.of(a, b), Duration.ofSeconds(40), random);
                check(injected(t, "REORDER_DELIVERED"), "no message was reordered above the transport");
                long rejected = rejections(t, relay, List.of(a, b));
                check(rejected > 0, "messages were delivered out of order but no Noise session rejected one");
                nothingPastNoise(List.of(a, b));
                // Rejected means closed: never a failed or altered blob, whatever got through was intact.
                dev.zerok.chaos.assertions.ChaosAssertions.assertNoBlobFailures(t);
                receivedIntact(List.of(a, b));
                for (Device x : List.of(a, b)) {
                    t.setDeliveredFaults(x, relay, LinkDirection.BOTH, 0, 0);
                }
                converge(t, SETTLE); // clean retry
                Steps.allInvariants(t);
            });

    public static final Scenario E_HS_06 = new Scenario("E-HS-06", "Concurrent handshake from same client (race)",
            Category.ENCRYPTION, needs(Capability.DUPLICATE_IDENTITY, Capability.CRASH_DEVICE, Capability.LATENCY), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                converge(t, SETTLE);
                Device b = t.addDevice(group, List.of(relay));
                // B's own connect started just now; a second connection with B's identity starts at the same
                // instant, over a link with a little seeded delay and jitter so either Hello can come last.
                t.setFaults(b, relay, LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofMillis(5 + random.nextInt(30)),
                        Duration.ofMillis(random.nextInt(10))));
                try (var twin = t.openDuplicateIdentity(b, relay)) {
                    // Shorter than the 30 s idle timeout: an idle session may end (and reconnect) after that.
                    t.runFor(Duration.ofSeconds(15));
                    boolean deviceSurvived = b.status().kind() == SyncStatus.Kind.SYNCED;
                    boolean twinSurvived = twin.welcomed() && twin.open() && twin.errorCode().isEmpty();
                    check(deviceSurvived != twinSurvived, "exactly one session of one identity must survive the race: "
                            + "device " + b.status() + ", twin welcomed=" + twin.welcomed() + " open=" + twin.open()
                            + " error=" + twin.errorCode());
                    // The loser was told in-band (A-PROTO-03's rule: the newer session replaces the older one).
                    if (deviceSurvived) {
                        check(twin.errorCode().equals(java.util.Optional.of("UNAUTHORIZED")) && !twin.open(),
                                "the losing twin was not refused in-band and closed: error=" + twin.errorCode());
                    } else {
                        check(b.events().stream().anyMatch(e -> e instanceof SyncEvent.RelayWarning w
                                && w.warning().contains("UNAUTHORIZED")), "the losing device was not told in-band: "
                                + b.events());
                    }
                    // No leak from the failed attempt: the relay holds A's session and the survivor's, nothing else.
                    check(twin.relayConnections() == 2, "the relay holds " + twin.relayConnections()
                            + " connections after the race; expected 2 (device-1 and the survivor)");
                    check(a.status().kind() == SyncStatus.Kind.SYNCED, "the other device lost its session");
                }
                t.runFor(Duration.ofSeconds(5));
                if (b.status().kind() != SyncStatus.Kind.SYNCED) {
                    t.crashDevice(b); // it stopped retrying after UNAUTHORIZED, by design: a restart is the retry
                    t.restartDevice(b);
                }
                t.heal(b);
                exchangeAndCheck(t, List.of(a, b), random);
            });

    // ------------------------------------------------------------------ session encryption

    private static Scenario tamper(String id, String title, Capability capability, LinkFaults faults) {
        return new Scenario(id, title, Category.ENCRYPTION, needs(capability, Capability.RELAY_LOGS), t -> {
            SplittableRandom random = Steps.random(t);
            List<Device> d = Steps.devicesOnOneRelay(t, 2);
            for (Device x : d) {
                Steps.faultAllLinks(t, x, LinkDirection.BOTH, faults);
            }
            for (int i = 0; i < 6; i++) {
                d.get(i % 2).push(payload(random, 256 + random.nextInt(4096)));
            }
            // Until a message was tampered with (5% of messages: a push and its answers are a few), at most 60 more pushes.
            for (int i = 0; i < 60 && !injected(t, "\"what\":\"fault\""); i++) {
                t.runFor(Duration.ofSeconds(2));
                d.get(i % 2).push(payload(random, 256 + random.nextInt(4096)));
            }
            awaitRejection(t, t.relays().get(0), d, Duration.ofSeconds(40), random);
            // Tampered messages are rejected by the session AEAD: never a failed or altered blob.
            Steps.check(injected(t, "\"what\":\"fault\""), "no tampering was injected");
            long rejected = rejections(t, t.relays().get(0), d);
            check(rejected > 0, "messages were tampered with but no Noise session rejected one");
            nothingPastNoise(d);
            dev.zerok.chaos.assertions.ChaosAssertions.assertNoBlobFailures(t);
            for (Device x : d) {
                t.heal(x);
            }
            converge(t, SETTLE);
            Steps.allInvariants(t);
        });
    }

    public static final Scenario E_ENC_01 = tamper("E-ENC-01", "Message corruption (bit flip in ciphertext)",
            Capability.CORRUPT_DELIVERED, LinkFaults.NONE.withCorrupt(0.05));
    public static final Scenario E_ENC_02 = tamper("E-ENC-02", "Message truncation", Capability.TRUNCATE_DELIVERED,
            LinkFaults.NONE.withTruncate(0.05));

    public static final Scenario E_ENC_03 = new Scenario("E-ENC-03", "Message duplication (replay)", Category.ENCRYPTION,
            needs(Capability.REPLAY_DELIVERED, Capability.RELAY_LOGS), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                Device b = t.addDevice(group, List.of(relay));
                converge(t, SETTLE);
                long relayRejectsBefore = relayNoiseFailures(t, relay);
                // A's messages to the relay (its Pushes) and the relay's to B (Notify, PullResponse) are replayed
                // into the stream above the transport: an attacker re-injecting captured ciphertext.
                t.setDeliveredFaults(a, relay, LinkDirection.UP, 0, 0.3);
                t.setDeliveredFaults(b, relay, LinkDirection.DOWN, 0, 0.3);
                int pushes = 6;
                for (int i = 0; i < pushes; i++) {
                    a.push(payload(random, 256 + random.nextInt(4096)));
                    t.runFor(Duration.ofMillis(random.nextInt(2000)));
                }
                // Until a replay was injected and a Noise session rejected one, at most 2 min, then 0-5 s more.
                t.await(() -> injected(t, "REPLAY_DELIVERED") && (relayNoiseFailures(t, relay) > relayRejectsBefore
                        || channelFailures(b) > 0), Duration.ofMinutes(2));
                t.runFor(Duration.ofMillis(random.nextInt(5000)));
                check(injected(t, "REPLAY_DELIVERED"), "no message was replayed");
                check(relayNoiseFailures(t, relay) > relayRejectsBefore || channelFailures(b) > 0,
                        "replayed ciphertext was injected but no Noise session rejected it");
                nothingPastNoise(List.of(a, b));
                dev.zerok.chaos.assertions.ChaosAssertions.assertNoBlobFailures(t);
                receivedIntact(List.of(a, b));
                t.setDeliveredFaults(a, relay, LinkDirection.UP, 0, 0);
                t.setDeliveredFaults(b, relay, LinkDirection.DOWN, 0, 0);
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // A replayed Push changed nothing: the relay's log holds one row per blob (cursors 1..pushes).
                check(b.pullCursor(relay).value() == pushes, "the relay's log reached cursor "
                        + b.pullCursor(relay).value() + " for " + pushes + " distinct blobs: a replay was stored");
                check(b.received().size() == pushes, "B received " + b.received().size() + " of " + pushes + " blobs");
            });

    /** E-ENC-04 relay settings: rate limits above 1000 requests/s, so the load is not throttled at the relay. */
    public static final java.util.Map<String, String> E_ENC_04_RELAY_SETTINGS = java.util.Map.of(
            "limits.rate.device.per.second", "10000", "limits.rate.device.burst", "20000",
            "limits.rate.group.per.second", "10000", "limits.rate.group.burst", "20000",
            "limits.rate.global.per.second", "10000", "limits.rate.global.burst", "20000");

    /** Heap in use after garbage collection (the whole JVM: on the mock, harness included). */
    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc(); // a request, not a guarantee: the bound checked with it is coarse on purpose
        return rt.totalMemory() - rt.freeMemory();
    }

    /** E-ENC-04's load: blobs of 64..255 bytes, one Push (one transport message) each. */
    static final int E_ENC_04_BLOBS = 1000;
    /**
     * E-ENC-04's rate floor in virtual time: the seed's 1000 messages/s, less 10 % for timer
     * granularity. Not applied in wall time: see {@link #E_ENC_04}.
     */
    static final long E_ENC_04_MIN_SEALED_PER_SECOND = 900;
    /** E-ENC-04's coarse leak bound: growth of the measured memory over the load. */
    static final long E_ENC_04_MAX_GROWTH_BYTES = 64L << 20;

    /**
     * Seed 000 E-ENC-04: 1000 small blobs at 1000 per second. Both topologies push them from one
     * device and count, at the device, the transport messages it sealed in the window: at least
     * {@value #E_ENC_04_MIN_SEALED_PER_SECOND} per second, no (key, nonce) pair sealed twice (counted
     * at its AEAD), no session whose nonce differs from its message count, every blob byte-identical
     * at the other device (no encryption error). Time and memory differ:
     * <ul>
     *   <li>deterministic (mock): one push per virtual millisecond, the rate in virtual time; memory
     *       is the whole JVM's heap after GC;</li>
     *   <li>wall time (real): the pushes as fast as the device makes them durable, the rate in wall
     *       time from the first push until the device sealed {@value #E_ENC_04_BLOBS} messages;
     *       memory is the relay process's resident set ({@code relayResources}), the relay being the
     *       long-lived process that decrypts every message (the devices share the test JVM). The
     *       rate is measured and recorded (timeline {@code load}) but has no floor: each message is
     *       a durable push (the device's outbox commit, then the relay's row commit before the ack
     *       that frees the in-flight window), so the wall rate measures the sync path on the host,
     *       not encryption (about 200-350 messages/s on a shared 2-core host); the properties the
     *       seed checks under the load (no nonce reuse, no encryption error, memory stable) are
     *       asserted as on the mock.</li>
     * </ul>
     */
    public static final Scenario E_ENC_04 = new Scenario("E-ENC-04", "High-volume encryption (1000 messages/s)",
            Category.ENCRYPTION, needs(Capability.CHANNEL_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                boolean virtual = t.capabilities().contains(Capability.DETERMINISTIC);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Relay relay = t.relays().get(0);
                converge(t, SETTLE);
                // Warm-up batch, so that the memory baseline includes caches and pools, not only the first messages.
                for (int i = 0; i < 100; i++) {
                    d.get(0).push(payload(random, 64 + random.nextInt(192)));
                    if (virtual) {
                        t.runFor(Duration.ofMillis(1));
                    }
                }
                converge(t, SETTLE);
                long memoryBefore = virtual ? usedHeapAfterGc() : t.relayResources(relay).rssBytes();
                var a0 = t.channelCounters(d.get(0));
                java.time.Instant start = t.now();
                for (int i = 0; i < E_ENC_04_BLOBS; i++) {
                    d.get(0).push(payload(random, 64 + random.nextInt(192)));
                    if (virtual) {
                        t.runFor(Duration.ofMillis(1)); // 1000 pushes per virtual second
                    }
                }
                if (!virtual) {
                    // Wall time: until the device sealed one message per blob (its Pushes), at most a minute.
                    check(t.await(() -> t.channelCounters(d.get(0)).sealed() - a0.sealed() >= E_ENC_04_BLOBS,
                            Duration.ofMinutes(1)), "the device did not seal " + E_ENC_04_BLOBS + " messages within a "
                            + "minute of the first push");
                }
                Duration window = Duration.between(start, t.now());
                var a1 = t.channelCounters(d.get(0));
                converge(t, SETTLE);
                Steps.allInvariants(t); // every blob arrived intact at the other device
                long memoryAfter = virtual ? usedHeapAfterGc() : t.relayResources(relay).rssBytes();
                String memory = virtual ? "heap after gc (whole JVM)" : relay.name() + " RSS";
                long sealedPerSecond = (a1.sealed() - a0.sealed()) * 1000 / Math.max(1, window.toMillis());
                t.timeline().observe("load", "sealed " + (a1.sealed() - a0.sealed()) + " transport messages in "
                        + window.toMillis() + " ms (" + sealedPerSecond + "/s, " + (virtual ? "virtual" : "wall")
                        + " time); " + memory + " " + memoryBefore / 1024 + " KiB -> " + memoryAfter / 1024 + " KiB");
                if (virtual) {
                    check(sealedPerSecond >= E_ENC_04_MIN_SEALED_PER_SECOND, "the device sealed only " + sealedPerSecond
                            + " messages/s under the load (virtual time)");
                }
                for (Device x : d) {
                    var c = t.channelCounters(x);
                    check(c.keyNonceReuses() == 0, x.name() + " sealed " + c.keyNonceReuses() + " times under a (key, nonce) "
                            + "pair used before");
                    check(c.nonceMismatches() == 0, x.name() + ": " + c.nonceMismatches() + " session(s) whose nonce "
                            + "differs from its message count");
                    check(c.aeadSeals() >= c.sealed(), x.name() + ": fewer AEAD seals than sealed messages");
                }
                check(t.channelCounters(d.get(1)).opened() > 0, "the receiving device opened no transport message");
                // Coarse leak bound: 1000 blobs of at most 256 bytes; the mock's JVM also keeps frames and timeline.
                check(memoryAfter - memoryBefore < E_ENC_04_MAX_GROWTH_BYTES, "the " + memory + " grew by "
                        + (memoryAfter - memoryBefore) / (1 << 20) + " MiB over " + E_ENC_04_BLOBS + " small blobs");
            }).withInjection(Scenario.Injection.NONE); // its stress is its own load

    /**
     * E-ENC-05 relay settings: re-key every 8 transport messages per direction. Both topologies give
     * their devices the relays' {@code noise.rekey.interval.*} too (both ends re-key at the same message).
     */
    public static final java.util.Map<String, String> E_ENC_05_RELAY_SETTINGS = java.util.Map.of(
            "noise.rekey.interval.messages", "8");

    public static final Scenario E_ENC_05 = new Scenario("E-ENC-05", "Key renegotiation under load", Category.ENCRYPTION,
            needs(Capability.CHANNEL_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                converge(t, SETTLE);
                var a0 = t.channelCounters(d.get(0));
                var b0 = t.channelCounters(d.get(1));
                // Each blob's Push frame spans at least 10 Noise transport messages (65519 bytes each), so with a
                // re-key every 8 messages keys change in the middle of a frame, i.e. mid-transfer.
                int size = Math.min(d.get(0).maxPayloadBytes(), 700_000 + random.nextInt(250_000));
                check(size >= 10 * 65_519, "the relay's frame limit leaves no room for a 10-message blob");
                for (int i = 0; i < 3; i++) {
                    d.get(0).push(payload(random, size - random.nextInt(1000)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t); // byte-identical on arrival: no gap or garbling across the key changes
                var a1 = t.channelCounters(d.get(0));
                var b1 = t.channelCounters(d.get(1));
                long sent = a1.sealed() - a0.sealed();
                long upRekeys = a1.sendRekeys() - a0.sendRekeys();
                long downRekeys = b1.receiveRekeys() - b0.receiveRekeys();
                t.timeline().observe("rekeys", d.get(0).name() + " sealed " + sent + " messages, " + upRekeys + " send rekeys; "
                        + d.get(1).name() + " " + downRekeys + " receive rekeys");
                check(upRekeys >= 3, "the pushing device re-keyed " + upRekeys + " times for " + sent + " messages");
                check(upRekeys >= sent / 8 - 1, "fewer re-keys (" + upRekeys + ") than one per 8 messages (" + sent + ")");
                check(downRekeys >= 3, "the pulling device re-keyed its receiving key " + downRekeys + " times");
                for (Device x : d) {
                    var c = t.channelCounters(x);
                    check(c.nonceMismatches() == 0 && c.keyNonceReuses() == 0, x.name() + " reused or skipped a nonce: " + c);
                }
                Steps.check(Steps.count(d.get(0), SyncEvent.RelayWarning.class) == 0
                        && Steps.count(d.get(1), SyncEvent.RelayWarning.class) == 0,
                        "a session failed across a re-key: " + d.get(0).events() + " " + d.get(1).events());
            }).withInjection(Scenario.Injection.NONE); // re-keying is the product feature under test, not a fault

    // ------------------------------------------------------------------ post-quantum

    public static final Scenario E_PQ_01 = new Scenario("E-PQ-01", "ML-KEM encapsulation with corrupted ciphertext",
            Category.ENCRYPTION, needs(Capability.CORRUPT_DELIVERED), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                // Every message down is corrupted, msg2 (with the KEM ciphertext) included: no session may come up.
                Steps.faultAllLinks(t, d.get(1), LinkDirection.DOWN, LinkFaults.NONE.withCorrupt(1.0));
                awaitFailedAttempts(t, d.get(1), failedAttempts(d.get(1)), "every message to it is corrupted");
                neverSynced(d.get(1), "every handshake reply was corrupted (no fallback to a weaker handshake)");
                t.heal(d.get(1));
                exchangeAndCheck(t, d, random);
            });

    public static final Scenario E_PQ_02 = new Scenario("E-PQ-02", "Large handshake messages on a 56 kbps link",
            Category.ENCRYPTION, needs(Capability.BANDWIDTH), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                for (Device x : d) {
                    Steps.faultAllLinks(t, x, LinkDirection.BOTH, LinkFaults.NONE.withBandwidth(7_000));
                }
                exchangeAndCheck(t, d, random); // under the limit, not after healing
            }).withInjection(Scenario.Injection.SHAPING);

    public static final Scenario E_PQ_03 = new Scenario("E-PQ-03", "Hybrid: one component fails", Category.ENCRYPTION,
            needs(Capability.FAULTY_KEY_EXCHANGE, Capability.CRASH_DEVICE), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                Device c = t.addDevice(group, List.of(relay));
                converge(t, SETTLE);
                var faults = dev.zerok.chaos.topology.KeyExchangeFault.values();
                var fault = faults[random.nextInt(faults.length)];
                Device broken = t.addDevice(group, List.of(relay), fault);
                var blob = a.push(payload(random, 256 + random.nextInt(4096)));
                check(t.await(() -> c.received().containsKey(blob), Duration.ofMinutes(2)),
                        "the relay stopped serving the healthy devices while " + broken.name() + " failed its handshakes");
                awaitFailedAttempts(t, broken, 0, fault + " breaks its key exchange");
                // All-or-nothing: no session on the remaining component (never SYNCED, nothing received).
                neverSynced(broken, fault + " broke one hybrid component (no single-component fallback)");
                check(broken.received().isEmpty(), broken.name() + " received a blob without a hybrid session");
                long warnings = Steps.count(broken, SyncEvent.RelayWarning.class);
                check(warnings > 0, broken.name() + " failed without saying so");
                // Clean errors: each attempt ends at once with the channel's failure, not by a timeout.
                check(broken.events().stream().noneMatch(e -> e instanceof SyncEvent.RelayWarning w
                        && !w.warning().contains("secure channel failed")),
                        "an unclear error for a broken key exchange: " + broken.events());
                dev.zerok.chaos.assertions.ChaosAssertions.assertNoBlobFailures(t);
                // Still serving the healthy pair after the failed attempts (idle sessions may have ended and
                // reconnected meanwhile: the mock has no keep-alive, so status alone says nothing).
                var late = c.push(payload(random, 256 + random.nextInt(1024)));
                check(t.await(() -> a.received().containsKey(late), Duration.ofMinutes(1)),
                        "the relay stopped serving the healthy devices after " + broken.name() + "'s failed handshakes");
                t.crashDevice(broken); // it cannot ever connect; the rest must still converge
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario E_PQ_04 = new Scenario("E-PQ-04", "Hybrid binding verification", Category.ENCRYPTION,
            Set.of(), t -> {
                throw new NotRunException("a property of the key schedule, not observable at topology level (covered at "
                        + "unit level: kernel HybridScenariosTest E-PQ-04)");
            });

    public static final Scenario E_PQ_05 = new Scenario("E-PQ-05", "Clock skew between client and relay (+-5 min)",
            Category.ENCRYPTION, needs(Capability.CLOCK_SKEW), t -> {
                SplittableRandom random = Steps.random(t);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device ahead = t.addDevice(group, List.of(relay), Duration.ofMinutes(5));
                Device behind = t.addDevice(group, List.of(relay), Duration.ofMinutes(-5));
                exchangeAndCheck(t, List.of(ahead, behind), random);
            }).withInjection(Scenario.Injection.SHAPING);

    // ------------------------------------------------------------------ multi-relay (seed 000 section 4.4)

    private static List<Device> twoRelayPair(Topology t) {
        Relay primary = t.addRelay();
        Relay secondary = t.addRelay();
        Group group = t.newGroup();
        return List.of(t.addDevice(group, List.of(primary, secondary)), t.addDevice(group, List.of(primary, secondary)));
    }

    /**
     * Slow links for the multi-relay pushes: 40 ms each way on every link, and A's upstream to each
     * relay at {@link #MR_UP_BYTES_PER_SECOND}, so a push of a few hundred kB is in flight for seconds
     * (on the mock with zero delay everything would complete at t=0, before any kill).
     */
    private static final int MR_UP_BYTES_PER_SECOND = 100_000;

    private static void slowLinks(Topology t, Device a, Device b) {
        for (Relay r : a.relays()) {
            t.setFaults(b, r, LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofMillis(40), Duration.ZERO));
            t.setFaults(a, r, LinkDirection.DOWN, LinkFaults.NONE.withDelay(Duration.ofMillis(40), Duration.ZERO));
            t.setFaults(a, r, LinkDirection.UP, LinkFaults.NONE.withDelay(Duration.ofMillis(40), Duration.ZERO)
                    .withBandwidth(MR_UP_BYTES_PER_SECOND));
        }
    }

    /** Timeline {@code observe} entries {@code what} ("ack", "warning") the topology recorded for {@code d} and {@code r}. */
    static List<String> observed(Topology t, String what, Device d, Relay r) {
        String prefix = d.name() + " " + r.name() + " ";
        return t.timeline().entries().stream().filter(e -> e.type().equals("observe") && e.what().equals(what)
                && e.detail().startsWith(prefix)).map(Timeline.Entry::detail).toList();
    }

    public static final Scenario MR_1 = new Scenario("MR-1", "Primary relay killed during active push",
            Category.MULTI_RELAY, needs(Capability.KILL_RELAY, Capability.RESTART_RELAY, Capability.LATENCY,
                    Capability.BANDWIDTH), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                Device a = d.get(0);
                Device b = d.get(1);
                Relay primary = t.relays().get(0);
                Relay secondary = t.relays().get(1);
                slowLinks(t, a, b);
                converge(t, SETTLE); // both devices past HELLO/Welcome on both relays
                byte[] data = payload(random, 200_000 + random.nextInt(100_000)); // 2-3 s at 100 kB/s
                BlobId blob = a.push(data);
                // Kill the primary while the push is on the wire (it needs at least 2 s).
                t.runFor(Duration.ofMillis(100 + random.nextInt(1500)));
                check(observed(t, "ack", a, primary).isEmpty() && observed(t, "ack", a, secondary).isEmpty(),
                        "the push was acknowledged before the kill: the kill did not hit an active push");
                check(!b.received().containsKey(blob), "B had the blob before the kill");
                t.killRelay(primary);
                check(t.await(() -> b.received().containsKey(blob), Duration.ofMinutes(2)),
                        "the push did not complete through the secondary after the primary died mid-push");
                ChaosAssertions.assertBlobPresent(b, blob, data);
                check(observed(t, "ack", a, secondary).size() == 1, "the secondary did not acknowledge the push exactly once: "
                        + observed(t, "ack", a, secondary));
                check(observed(t, "ack", a, primary).isEmpty(), "the dead primary acknowledged: "
                        + observed(t, "ack", a, primary));
                // Per-relay cursors: B's cursor moved for the secondary, not for the dead primary.
                check(b.pullCursor(secondary).compareTo(Cursor.ZERO) > 0, "no per-relay cursor for the secondary");
                check(b.pullCursor(primary).equals(Cursor.ZERO), "B's cursor for the dead primary moved to "
                        + b.pullCursor(primary));
                t.restartRelay(primary);
                converge(t, SETTLE);
                // The outbox kept the primary's copy: it is delivered there once the primary is back.
                check(observed(t, "ack", a, primary).size() == 1, "the primary never received the push after its restart");
                Steps.allInvariants(t);
            });

    public static final Scenario MR_2 = new Scenario("MR-2", "Secondary relay killed during fan-out",
            Category.MULTI_RELAY, needs(Capability.KILL_RELAY, Capability.RESTART_RELAY, Capability.LATENCY,
                    Capability.BANDWIDTH), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                Device a = d.get(0);
                Device b = d.get(1);
                Relay primary = t.relays().get(0);
                Relay secondary = t.relays().get(1);
                slowLinks(t, a, b);
                converge(t, SETTLE); // after HELLO on both relays
                byte[] data = payload(random, 200_000 + random.nextInt(100_000));
                BlobId blob = a.push(data);
                // Kill the secondary during the fan-out: the push is on the wire to both relays.
                t.runFor(Duration.ofMillis(100 + random.nextInt(1500)));
                check(observed(t, "ack", a, secondary).isEmpty(), "the secondary acknowledged before the kill");
                t.killRelay(secondary);
                check(t.await(() -> b.received().containsKey(blob), Duration.ofMinutes(2)),
                        "the primary did not carry the push");
                ChaosAssertions.assertBlobPresent(b, blob, data);
                check(observed(t, "ack", a, primary).size() == 1, "no acknowledgement from the primary: "
                        + observed(t, "ack", a, primary));
                // The device reports the secondary's failure specifically, while the primary carries on.
                check(t.await(() -> observed(t, "warning", a, secondary).stream().anyMatch(
                        w -> w.contains("while the other relays carry on")), Duration.ofMinutes(2)),
                        "no warning naming the secondary's failure while the primary carries on; warnings: "
                        + observed(t, "warning", a, secondary));
                check(Steps.count(a, SyncEvent.AllRelaysFailed.class) == 0, "AllRelaysFailed with the primary up");
                check(a.status().kind() != SyncStatus.Kind.FAILED, "A is FAILED with the primary up");
                check(observed(t, "ack", a, secondary).isEmpty(), "the dead secondary acknowledged");
                t.restartRelay(secondary);
                converge(t, SETTLE);
                check(observed(t, "ack", a, secondary).size() == 1, "the secondary never received the push after its restart");
                Steps.allInvariants(t);
            });

    public static final Scenario MR_3 = new Scenario("MR-3", "All relays killed", Category.MULTI_RELAY,
            needs(Capability.KILL_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                converge(t, SETTLE);
                t.relays().forEach(t::killRelay);
                d.get(0).push(payload(random, 300));
                check(t.await(() -> d.get(0).status().kind() == SyncStatus.Kind.FAILED
                        && Steps.count(d.get(0), SyncEvent.AllRelaysFailed.class) > 0, Duration.ofMinutes(5)),
                        "no AllRelaysFailed / FAILED status with every relay down");
                t.relays().forEach(t::restartRelay);
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario MR_4 = new Scenario("MR-4", "Relay flapping (up/down/up)", Category.MULTI_RELAY,
            needs(Capability.KILL_RELAY, Capability.RESTART_RELAY, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Relay relay = t.relays().get(0);
                Steps.PullBaseline start = Steps.pullBaseline(t, relay);
                int flaps = 5;
                for (int flap = 0; flap < flaps; flap++) {
                    d.get(0).push(payload(random, 200 + random.nextInt(2000)));
                    t.runFor(Duration.ofMillis(random.nextInt(3000)));
                    t.killRelay(relay);
                    t.runFor(Duration.ofSeconds(1 + random.nextInt(20)));
                    t.restartRelay(relay);
                    d.get(1).syncNow();
                    int pushed = flap + 1;
                    check(t.await(() -> d.get(1).received().size() == pushed, SETTLE), "flap " + pushed
                            + ": B did not get A's blobs after the relay came back");
                    t.runFor(Duration.ofSeconds(random.nextInt(10)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // The per-relay cursor resumed (counted at the relay, summed over its processes): each row
                // served once per device, except a page a kill cut off after the relay sent it. B holds every
                // earlier blob before each flap's push, so such a page holds only that flap's one blob.
                Steps.noRePull(t, start, 2L * flaps, "per kill, each of the 2 devices may lose the page carrying the"
                        + " one blob pushed in that flap");
            });

    public static final Scenario MR_5 = new Scenario("MR-5", "Primary relay high latency (5 s)", Category.MULTI_RELAY,
            needs(Capability.LATENCY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                converge(t, SETTLE);
                Relay primary = t.relays().get(0);
                for (Device x : d) {
                    t.setFaults(x, primary, LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofSeconds(5), Duration.ZERO));
                }
                d.get(0).push(payload(random, 1000));
                check(t.await(() -> d.get(1).received().size() == 1, Duration.ofSeconds(3)),
                        "the blob did not arrive fast through the secondary");
                converge(t, SETTLE); // the primary acknowledges eventually
                Steps.allInvariants(t);
            }).withInjection(Scenario.Injection.SHAPING);

    /** Every scenario of this class. */
    public static final List<Scenario> ALL = List.of(E_HS_01, E_HS_02, E_HS_03, E_HS_04, E_HS_05, E_HS_06,
            E_ENC_01, E_ENC_02, E_ENC_03, E_ENC_04, E_ENC_05, E_PQ_01, E_PQ_02, E_PQ_03, E_PQ_04, E_PQ_05, MR_1, MR_2, MR_3, MR_4,
            MR_5);
}
