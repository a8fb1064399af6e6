package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.assertions.ChaosAssertions;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Building blocks shared by the scenarios: canary payloads, a pair of devices on one relay, the
 * full invariant check, seeded scenario-level choices. Everything random here draws from a
 * {@link SplittableRandom} seeded by the topology's seed, so scenario choices replay with it.
 */
public final class Steps {
    /** Inside every payload the scenarios push; must never be seen at a relay (invariant 3). */
    public static final byte[] CANARY = "zerok-canary:plaintext-must-not-reach-the-relay".getBytes(StandardCharsets.US_ASCII);

    /** How long a scenario waits for convergence after chaos heals, in topology time. */
    public static final Duration SETTLE = Duration.ofMinutes(10);

    private Steps() {}

    /** The scenario's own seeded choices. */
    public static SplittableRandom random(Topology t) {
        return new SplittableRandom(t.seed() ^ 0x5CE7_A410L);
    }

    /** {@code size} bytes (at least the canary's length) of seeded noise with the canary inside. */
    public static byte[] payload(SplittableRandom random, int size) {
        int n = Math.max(size, CANARY.length);
        byte[] out = new byte[n];
        random.nextBytes(out);
        int at = random.nextInt(n - CANARY.length + 1);
        System.arraycopy(CANARY, 0, out, at, CANARY.length);
        return out;
    }

    /** A relay, a group and {@code n} devices of it on that relay. */
    public static List<Device> devicesOnOneRelay(Topology t, int n) {
        Relay relay = t.addRelay();
        Group group = t.newGroup();
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(t.addDevice(group, List.of(relay)));
        }
        return out;
    }

    /** Every device waits for convergence; fails with what is missing if it does not come. */
    public static void converge(Topology t, Duration timeout) {
        if (!t.awaitConvergence(timeout)) {
            StringBuilder state = new StringBuilder();
            for (Device d : t.devices()) {
                state.append(' ').append(d.name()).append('=').append(d.status().kind()).append(" rx=")
                        .append(d.received().size()).append(" tx=").append(d.pushed().size());
            }
            ChaosAssertions.assertNoDataLoss(t);
            ChaosAssertions.assertVersionVectorsConverged(t);
            throw new AssertionError("no convergence within " + timeout + ":" + state);
        }
    }

    /** Invariants 1-5 on the whole topology (after convergence). */
    public static void allInvariants(Topology t) {
        ChaosAssertions.assertNoDataLoss(t);
        ChaosAssertions.assertVersionVectorsConverged(t);
        ChaosAssertions.assertNoBlobFailures(t);
        ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY);
        ChaosAssertions.assertNoMetadataInRelayLogs(t);
    }

    /** {@link #allInvariants} if {@code converged}; otherwise only that nothing failed or leaked. */
    public static void allInvariantsIfConverged(Topology t, boolean converged) {
        if (converged) {
            allInvariants(t);
        } else {
            ChaosAssertions.assertNoBlobFailures(t);
            ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY);
            ChaosAssertions.assertNoMetadataInRelayLogs(t);
        }
    }

    /** The same faults on every link of {@code d}, in {@code direction}. */
    public static void faultAllLinks(Topology t, Device d, LinkDirection direction, LinkFaults faults) {
        for (Relay r : d.relays()) {
            t.setFaults(d, r, direction, faults);
        }
    }

    /** A small seeded latency on every link (so interleavings vary by seed). */
    public static void seededLatency(Topology t, SplittableRandom random) {
        for (Device d : t.devices()) {
            for (Relay r : d.relays()) {
                t.setFaults(d, r, LinkDirection.BOTH, LinkFaults.NONE.withDelay(
                        Duration.ofMillis(1 + random.nextInt(40)), Duration.ofMillis(random.nextInt(10))));
            }
        }
    }

    /** How many times {@code d} reported an event of {@code type}. */
    public static long count(Device d, Class<? extends SyncEvent> type) {
        return d.events().stream().filter(type::isInstance).count();
    }

    /** True if {@code d} ever reported status {@code kind}. */
    public static boolean everHad(Device d, SyncStatus.Kind kind) {
        return d.events().stream().anyMatch(e -> e instanceof SyncEvent.StatusChanged s && s.status().kind() == kind);
    }

    /** Fails with {@code message} unless {@code condition}. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** Fails unless the device saw no redelivery: every delivery was a first one (pulled from its cursor, no re-scan). */
    public static void noRedelivery(Device d) {
        check(d.deliveries() == d.received().size(), d.name() + " had " + (d.deliveries() - d.received().size())
                + " redeliveries: pulled data it already had");
    }
}
