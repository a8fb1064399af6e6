package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.SETTLE;
import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;
import static dev.zerok.chaos.scenarios.Steps.payload;

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
            b.push(payload(random, 512));
            t.runFor(Duration.ofSeconds(30 + random.nextInt(120)));
            neverSynced(b, "every connection was cut after handshake message " + afterMessage);
            check(a.received().isEmpty(), "a blob crossed a connection that never finished its handshake");
            t.heal(b);
            exchangeAndCheck(t, List.of(a, b), random); // clean retry
        });
    }

    public static final Scenario E_HS_01 = cutHandshake("E-HS-01", "Disconnect after handshake message 1", 1);
    public static final Scenario E_HS_02 = cutHandshake("E-HS-02", "Disconnect after handshake message 2", 2);
    public static final Scenario E_HS_03 = cutHandshake("E-HS-03", "Disconnect after handshake message 3", 3);

    public static final Scenario E_HS_04 = new Scenario("E-HS-04", "Extreme latency during handshake (5 s per message)",
            Category.ENCRYPTION, needs(Capability.LATENCY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Steps.faultAllLinks(t, d.get(1), LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofSeconds(5),
                        Duration.ZERO));
                d.get(0).push(payload(random, 512));
                // Completes if the timeouts allow it, otherwise fails cleanly (a status, no failed blob) and retries.
                boolean made = t.awaitConvergence(Duration.ofMinutes(5));
                Steps.allInvariantsIfConverged(t, made);
                t.heal(d.get(1));
                exchangeAndCheck(t, d, random);
            });

    public static final Scenario E_HS_05 = new Scenario("E-HS-05", "Handshake message reorder", Category.ENCRYPTION,
            needs(Capability.REORDER, Capability.DUPLICATE), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                for (Device x : d) {
                    Steps.faultAllLinks(t, x, LinkDirection.BOTH, LinkFaults.NONE.withReorder(0.5).withDuplicate(0.3)
                            .withDelay(Duration.ofMillis(20), Duration.ofMillis(15)));
                }
                exchangeAndCheck(t, d, random);
                throw new NotRunException("ran with 50% reorder + 30% duplicates: handshakes completed, no corruption; "
                        + "but the transport (mock, like QUIC) delivers in order, so out-of-order Noise messages never reach "
                        + "Noise here (covered at unit level: kernel HybridScenariosTest E-HS-05)");
            });

    public static final Scenario E_HS_06 = new Scenario("E-HS-06", "Concurrent handshake from same client (race)",
            Category.ENCRYPTION, Set.of(), t -> {
                throw new NotRunException("needs two simultaneous connections from one device identity; a Topology device "
                        + "has one engine (covered at unit level: kernel HybridScenariosTest E-HS-06)");
            });

    // ------------------------------------------------------------------ session encryption

    private static Scenario tamper(String id, String title, Capability capability, LinkFaults faults) {
        return new Scenario(id, title, Category.ENCRYPTION, needs(capability), t -> {
            SplittableRandom random = Steps.random(t);
            List<Device> d = Steps.devicesOnOneRelay(t, 2);
            for (Device x : d) {
                Steps.faultAllLinks(t, x, LinkDirection.BOTH, faults);
            }
            for (int i = 0; i < 6; i++) {
                d.get(i % 2).push(payload(random, 256 + random.nextInt(4096)));
            }
            t.runFor(Duration.ofSeconds(60 + random.nextInt(120)));
            // Tampered messages are rejected by the session AEAD: never a failed or altered blob.
            Steps.check(t.timeline().toJsonLines().contains("\"what\":\"fault\""), "no tampering was injected");
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
            Set.of(), t -> {
                throw new NotRunException("needs re-injection of a captured frame above the transport; the mock (like QUIC) "
                        + "discards duplicates below Noise (covered at unit level: kernel HybridScenariosTest E-ENC-03)");
            });

    public static final Scenario E_ENC_05 = new Scenario("E-ENC-05", "Key renegotiation under load", Category.ENCRYPTION,
            Set.of(), t -> {
                throw new NotRunException("SecureChannel has no rekey operation to trigger (a session lasts one "
                        + "connection); see kernel HybridScenariosTest E-ENC-05");
            });

    // ------------------------------------------------------------------ post-quantum

    public static final Scenario E_PQ_01 = new Scenario("E-PQ-01", "ML-KEM encapsulation with corrupted ciphertext",
            Category.ENCRYPTION, needs(Capability.CORRUPT_DELIVERED), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                // Every message down is corrupted, msg2 (with the KEM ciphertext) included: no session may come up.
                Steps.faultAllLinks(t, d.get(1), LinkDirection.DOWN, LinkFaults.NONE.withCorrupt(1.0));
                t.runFor(Duration.ofSeconds(60 + random.nextInt(60)));
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
            });

    public static final Scenario E_PQ_03 = new Scenario("E-PQ-03", "Hybrid: one component fails", Category.ENCRYPTION,
            Set.of(), t -> {
                throw new NotRunException("needs a fault injected into one crypto primitive (X25519 or ML-KEM); topologies "
                        + "inject at the network (covered at unit level: kernel HybridScenariosTest E-PQ-03)");
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
            });

    // ------------------------------------------------------------------ multi-relay (seed 000 section 4.4)

    private static List<Device> twoRelayPair(Topology t) {
        Relay primary = t.addRelay();
        Relay secondary = t.addRelay();
        Group group = t.newGroup();
        return List.of(t.addDevice(group, List.of(primary, secondary)), t.addDevice(group, List.of(primary, secondary)));
    }

    public static final Scenario MR_1 = new Scenario("MR-1", "Primary relay killed during active push",
            Category.MULTI_RELAY, needs(Capability.KILL_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                Relay primary = t.relays().get(0);
                Relay secondary = t.relays().get(1);
                d.get(0).push(payload(random, 50_000));
                t.runFor(Duration.ofMillis(random.nextInt(5)));
                t.killRelay(primary);
                check(t.await(() -> d.get(1).received().size() == 1, Duration.ofMinutes(2)),
                        "the push did not complete through the secondary");
                check(d.get(1).pullCursor(secondary).compareTo(Cursor.ZERO) > 0, "no per-relay cursor for the secondary");
                check(d.get(0).events().stream().anyMatch(e -> e instanceof SyncEvent.Acknowledged ack)
                        , "the secondary never acknowledged");
                t.restartRelay(primary);
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario MR_2 = new Scenario("MR-2", "Secondary relay killed during fan-out",
            Category.MULTI_RELAY, needs(Capability.KILL_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = twoRelayPair(t);
                Relay secondary = t.relays().get(1);
                d.get(0).push(payload(random, 20_000));
                t.killRelay(secondary);
                check(t.await(() -> d.get(1).received().size() == 1, Duration.ofMinutes(2)), "the primary did not carry the push");
                t.runFor(Duration.ofMinutes(1));
                check(d.get(0).events().stream().anyMatch(e -> e instanceof SyncEvent.RelayWarning)
                        || d.get(0).status().kind() == SyncStatus.Kind.CONNECTED, "no warning about the secondary");
                t.restartRelay(secondary);
                converge(t, SETTLE);
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
            needs(Capability.KILL_RELAY, Capability.RESTART_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Relay relay = t.relays().get(0);
                for (int flap = 0; flap < 3; flap++) {
                    d.get(0).push(payload(random, 200 + random.nextInt(2000)));
                    t.runFor(Duration.ofMillis(random.nextInt(3000)));
                    t.killRelay(relay);
                    t.runFor(Duration.ofSeconds(1 + random.nextInt(20)));
                    t.restartRelay(relay);
                    d.get(1).syncNow();
                    t.runFor(Duration.ofSeconds(random.nextInt(10)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
                Steps.noRedelivery(d.get(1)); // the per-relay cursor resumed: no duplicates, none missed
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
            });

    /** Every scenario of this class. */
    public static final List<Scenario> ALL = List.of(E_HS_01, E_HS_02, E_HS_03, E_HS_04, E_HS_05, E_HS_06,
            E_ENC_01, E_ENC_02, E_ENC_03, E_ENC_05, E_PQ_01, E_PQ_02, E_PQ_03, E_PQ_04, E_PQ_05, MR_1, MR_2, MR_3, MR_4,
            MR_5);
}
