package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.assertions.ChaosAssertions;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayCounters;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** How many faults the topology observed acting so far ({@code observe fault} timeline entries). */
    public static long faultEvents(Topology t) {
        return t.timeline().entries().stream().filter(e -> e.type().equals("observe") && e.what().equals("fault")).count();
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

    /**
     * What a relay had served and where each device's pull cursor for it stood, taken at one moment:
     * the baseline {@link #noRePull} compares against.
     *
     * @param cursors each running device of the relay, by name, with its committed pull cursor value
     */
    public record PullBaseline(Relay relay, RelayCounters counters, Map<String, Long> cursors) {}

    /** The baseline for {@link #noRePull}: {@code relay}'s counters and every running device's cursor for it, now. */
    public static PullBaseline pullBaseline(Topology t, Relay relay) {
        Map<String, Long> cursors = new LinkedHashMap<>();
        for (Device d : t.devices()) {
            if (d.running() && d.relays().contains(relay)) {
                cursors.put(d.name(), d.pullCursor(relay).value());
            }
        }
        return new PullBaseline(relay, t.relayCounters(relay), cursors);
    }

    /**
     * The relay-side "no duplicate, no re-pull" check, after convergence, for a relay that serves one
     * group whose blobs have not expired:
     * <ul>
     *   <li>stored once: the relay holds one row per distinct blob pushed through it, and no device's
     *       cursor for it ends beyond that count (the relay numbers each stored row with the next
     *       cursor, so a blob stored twice, even with the first copy removed, leaves a cursor beyond
     *       the row count that a pulling device reaches);
     *   <li>no re-pull: since {@code before}, the relay served exactly the rows the devices' cursors
     *       moved over (each device each row once; a device need not pull its own blobs), plus at most
     *       {@code slackBlobs} served again because a page was lost in a fault (the relay sent it, the
     *       connection died before the device stored it). Served fewer than the cursors moved would
     *       mean the counter misses pages, so that fails too.
     * </ul>
     * Every device must be running now; a device not running at {@code before} counts from cursor zero.
     *
     * @param slackBlobs re-served blob entries the scenario's fault can justify; 0 where no page can be lost
     * @param slackReason why, for the failure message
     */
    public static void noRePull(Topology t, PullBaseline before, long slackBlobs, String slackReason) {
        Relay relay = before.relay();
        RelayCounters after = storedOnce(t, relay);
        long moved = 0;
        StringBuilder cursors = new StringBuilder();
        for (Device d : t.devices()) {
            if (!d.relays().contains(relay)) {
                continue;
            }
            long end = d.pullCursor(relay).value();
            long from = before.cursors().getOrDefault(d.name(), 0L);
            moved += end - from;
            cursors.append(' ').append(d.name()).append(' ').append(from).append("->").append(end);
        }
        long served = after.blobsServed() - before.counters().blobsServed();
        check(served >= moved, relay.name() + " served " + served + " blob entries but the cursors moved over " + moved
                + " (" + cursors.toString().strip() + "): the relay's served counter misses pages");
        check(served <= moved + slackBlobs, relay.name() + " served " + served + " blob entries for " + moved
                + " rows the devices lacked (" + cursors.toString().strip() + "; slack " + slackBlobs + ": "
                + slackReason + "): a device was served again what it had (re-scan, cursor not resumed)");
    }

    /**
     * Counted at every relay (needs {@link dev.zerok.chaos.topology.Capability#RELAY_COUNTERS}): each
     * distinct blob pushed through it is stored in exactly one row (a retried push is not stored
     * again, nothing acknowledged is lost) and no device's cursor for it ends beyond its rows (a
     * duplicate would have taken a cursor of its own).
     */
    public static void storedOnce(Topology t) {
        for (Relay relay : t.relays()) {
            storedOnce(t, relay);
        }
    }

    private static RelayCounters storedOnce(Topology t, Relay relay) {
        RelayCounters now = t.relayCounters(relay);
        long distinctPushes = t.devices().stream().filter(d -> d.relays().contains(relay))
                .flatMap(d -> d.pushed().keySet().stream()).distinct().count();
        check(now.rowsStored() == distinctPushes, relay.name() + " stores " + now.rowsStored() + " rows for "
                + distinctPushes + " distinct pushed blobs: a blob stored twice or lost");
        for (Device d : t.devices()) {
            if (d.relays().contains(relay)) {
                long end = d.pullCursor(relay).value();
                check(end <= now.rowsStored(), d.name() + "'s cursor for " + relay.name() + " ends at " + end + " with "
                        + now.rowsStored() + " rows stored: the relay numbered a blob twice (a duplicate stored again)");
            }
        }
        return now;
    }

    /** How many times {@code d} lost a relay connection (each may have cost one page in flight). */
    public static long connectionLosses(Device d) {
        return d.events().stream().filter(e -> e instanceof SyncEvent.RelayWarning w
                && w.warning().startsWith("connection lost")).count();
    }
}
