package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.SETTLE;
import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;
import static dev.zerok.chaos.scenarios.Steps.payload;

import dev.zerok.chaos.assertions.ChaosAssertions;
import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Seed 000 section 7: sync state machine (S-SM), concurrent operations (S-CONC), convergence (S-CONV). */
public final class SyncScenarios {
    private SyncScenarios() {}

    /** What every scenario here observes for its invariant checks. */
    static final Set<Capability> OBSERVE = Set.of(Capability.RELAY_STORAGE_FILES, Capability.RELAY_LOGS,
            Capability.CAPTURE_FRAMES);

    private static Set<Capability> needs(Capability... more) {
        java.util.HashSet<Capability> s = new java.util.HashSet<>(OBSERVE);
        s.addAll(List.of(more));
        return s;
    }

    // ------------------------------------------------------------------ S-CONC

    public static final Scenario S_CONC_01 = new Scenario("S-CONC-01", "Simultaneous push from 2 clients (same group)",
            Category.SYNC, needs(Capability.LATENCY, Capability.JITTER), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Steps.seededLatency(t, random);
                int each = 1 + random.nextInt(5);
                for (int i = 0; i < each; i++) {
                    d.get(0).push(payload(random, 64 + random.nextInt(4096)));
                    d.get(1).push(payload(random, 64 + random.nextInt(4096)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
            }).withInjection(Scenario.Injection.NONE);

    public static final Scenario S_CONC_02 = new Scenario("S-CONC-02", "Push from A while B is pulling", Category.SYNC,
            needs(Capability.LATENCY, Capability.PARTITION, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                Steps.PullBaseline start = Steps.pullBaseline(t, t.relays().get(0));
                t.partition(b);
                for (int i = 0; i < 40; i++) {
                    a.push(payload(random, 2048 + random.nextInt(8192)));
                }
                t.runFor(Duration.ofSeconds(5));
                // B pulls a 40-blob backlog over a slow link; A pushes while that pull is in flight.
                Steps.faultAllLinks(t, b, LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofMillis(80),
                        Duration.ofMillis(20)).withBandwidth(64_000));
                b.syncNow();
                t.runFor(Duration.ofMillis(100 + random.nextInt(2000)));
                for (int i = 0; i < 10; i++) {
                    a.push(payload(random, 512));
                    t.runFor(Duration.ofMillis(random.nextInt(300)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // B's pull overlapped A's pushes: still every row served once per device.
                Steps.noRePull(t, start, 0, "delay and bandwidth only: no page is lost");
            });

    public static final Scenario S_CONC_03 = new Scenario("S-CONC-03", "5 clients syncing simultaneously", Category.SYNC,
            needs(Capability.LATENCY, Capability.JITTER), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 5);
                Steps.seededLatency(t, random);
                for (int round = 0; round < 4; round++) {
                    for (Device x : d) {
                        x.push(payload(random, 64 + random.nextInt(2048)));
                    }
                    t.runFor(Duration.ofMillis(random.nextInt(200)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
            }).withInjection(Scenario.Injection.NONE);

    public static final Scenario S_CONC_04 = new Scenario("S-CONC-04",
            "Client syncs with stale state (offline for 1000 versions)", Category.SYNC,
            needs(Capability.CRASH_DEVICE, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                Relay relay = t.relays().get(0);
                for (int i = 0; i < 10; i++) {
                    a.push(payload(random, 100));
                }
                converge(t, SETTLE);
                long before = b.deliveries();
                long bCursor = b.pullCursor(relay).value();
                Steps.PullBaseline beforeCrash = Steps.pullBaseline(t, relay);
                t.crashDevice(b);
                for (int i = 0; i < 1000; i++) {
                    a.push(payload(random, 64 + random.nextInt(256)));
                }
                t.awaitConvergence(SETTLE); // A alone: every push acknowledged
                // ... and A's own pull of the log past its pushes done (a Notify may still be on its way when
                // the last ack arrives): from here on only B's catch-up is served.
                long logEnd = bCursor + 1000;
                check(t.await(() -> a.pullCursor(relay).value() >= logEnd, SETTLE), "A's cursor stayed at "
                        + a.pullCursor(relay).value() + ", short of the log's end " + logEnd);
                long servedBeforeRestart = t.relayCounters(relay).blobsServed();
                t.restartDevice(b);
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // Efficient, counted at the relay: B's catch-up was served exactly the 1000 rows after its
                // cursor (A pulls nothing meanwhile: it is caught up and nobody else pushes), not 2x, not a re-scan.
                long catchUp = t.relayCounters(relay).blobsServed() - servedBeforeRestart;
                check(catchUp == 1000, "the relay served " + catchUp + " blob entries for B's catch-up on 1000 versions"
                        + " (B resumed from cursor " + bCursor + ")");
                check(b.deliveries() - before == 1000, "B took " + (b.deliveries() - before)
                        + " deliveries to catch up on 1000 blobs");
                Steps.noRePull(t, beforeCrash, 0, "no fault while the relay served");
            });

    // ------------------------------------------------------------------ S-CONV

    public static final Scenario S_CONV_01 = new Scenario("S-CONV-01", "Convergence after partition heal",
            Category.SYNC, needs(Capability.PARTITION, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                a.push(payload(random, 300));
                converge(t, SETTLE);
                Steps.PullBaseline beforePartition = Steps.pullBaseline(t, t.relays().get(0));
                t.partition(a);
                t.partition(b);
                for (int i = 0; i < 5; i++) {
                    a.push(payload(random, 200 + random.nextInt(2000)));
                    b.push(payload(random, 200 + random.nextInt(2000)));
                    t.runFor(Duration.ofSeconds(random.nextInt(10)));
                }
                t.runFor(Duration.ofSeconds(30 + random.nextInt(90)));
                t.heal(a);
                t.heal(b);
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // No full re-scan: counted at the relay, each device was served only the rows after its cursor.
                Steps.noRePull(t, beforePartition, 0, "the partition starts while idle: no page in flight");
            });

    public static final Scenario S_CONV_02 = new Scenario("S-CONV-02", "Convergence after relay restart",
            Category.SYNC, needs(Capability.STOP_RELAY, Capability.RESTART_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Relay relay = t.relays().get(0);
                for (int i = 0; i < 10; i++) {
                    d.get(i % 2).push(payload(random, 100 + random.nextInt(1000)));
                }
                converge(t, SETTLE);
                VersionVector beforeRestart = d.get(0).versionVector();
                t.stopRelay(relay);
                t.runFor(Duration.ofSeconds(1 + random.nextInt(30)));
                t.restartRelay(relay);
                converge(t, SETTLE);
                for (Device x : d) {
                    check(x.versionVector().equals(beforeRestart), x.name() + "'s version vector changed across a restart"
                            + " with no new pushes");
                }
                d.get(0).push(payload(random, 100));
                d.get(1).push(payload(random, 100));
                converge(t, SETTLE);
                for (Device x : d) {
                    check(x.versionVector().dominates(beforeRestart), x.name() + " regressed after the restart");
                }
                Steps.allInvariants(t);
            });

    public static final Scenario S_CONV_03 = new Scenario("S-CONV-03", "Convergence after asymmetric chaos",
            Category.SYNC, needs(Capability.LATENCY, Capability.LOSS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                Steps.faultAllLinks(t, a, LinkDirection.BOTH, LinkFaults.NONE.withDelay(Duration.ofMillis(200), Duration.ZERO));
                Steps.faultAllLinks(t, b, LinkDirection.BOTH, LinkFaults.NONE.withLoss(0.20));
                // Both active for 5 minutes.
                for (int s = 0; s < 300; s += 10) {
                    (random.nextBoolean() ? a : b).push(payload(random, 64 + random.nextInt(4096)));
                    if (random.nextInt(4) == 0) {
                        (random.nextBoolean() ? a : b).syncNow();
                    }
                    t.runFor(Duration.ofSeconds(10));
                }
                t.heal(a);
                t.heal(b);
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario S_CONV_04 = new Scenario("S-CONV-04", "Convergence verification method (clean sync of 100 blobs)",
            Category.SYNC, OBSERVE, t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                for (int i = 0; i < 100; i++) {
                    d.get(random.nextInt(2)).push(payload(random, 32 + random.nextInt(1024)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // The tooling itself: vectors, blob manifests and collection completeness agree ...
                ChaosAssertions.assertStateConverged(t);
                // ... and the same check fails on a deliberately diverged view of this converged state:
                // one device's received set missing a blob (its version vector untouched), or holding
                // other bytes for one.
                Device b = d.get(1);
                BlobId dropped = b.received().keySet().iterator().next();
                Map<BlobId, byte[]> missing = new LinkedHashMap<>(b.received());
                missing.remove(dropped);
                Map<BlobId, byte[]> altered = new LinkedHashMap<>(b.received());
                byte[] flipped = altered.get(dropped).clone();
                flipped[0] ^= 1;
                altered.put(dropped, flipped);
                for (Map<BlobId, byte[]> tampered : List.of(missing, altered)) {
                    List<Device> diverged = List.of(d.get(0), withReceived(b, tampered));
                    boolean caught;
                    try {
                        ChaosAssertions.assertStateConverged(diverged);
                        caught = false;
                    } catch (AssertionError expected) {
                        caught = true;
                    }
                    check(caught, "assertStateConverged passed a diverged state (" + (tampered == missing
                            ? "a blob missing" : "a blob altered") + " on " + b.name() + ")");
                }
                byte[] a = ChaosAssertions.encode(d.get(0).versionVector());
                VersionVector v = d.get(0).versionVector();
                var first = v.entries().firstKey();
                check(!java.util.Arrays.equals(a, ChaosAssertions.encode(v.with(first, v.get(first) + 1))),
                        "the comparator does not see a changed entry");
                check(d.stream().allMatch(x -> x.status().kind() == SyncStatus.Kind.SYNCED), "not every device SYNCED");
            }).withInjection(Scenario.Injection.NONE);

    /** {@code d} as seen with {@code received} instead of what it received (a tampered view for self-tests). */
    static Device withReceived(Device d, Map<BlobId, byte[]> received) {
        return (Device) java.lang.reflect.Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("received") && method.getParameterCount() == 0) {
                        return Map.copyOf(received);
                    }
                    try {
                        return method.invoke(d, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    // ------------------------------------------------------------------ S-SM

    public static final Scenario S_SM_01 = new Scenario("S-SM-01", "Disconnect during PUSH state", Category.SYNC,
            needs(Capability.LIMIT_DATA, Capability.BANDWIDTH, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Relay relay = t.relays().get(0);
                Steps.PullBaseline start = Steps.pullBaseline(t, relay);
                // Kill A's connection inside a batch of pushes (after handshake and Hello): its upstream
                // is cut after cutAfter bytes, and at a random moment while the pushes are in flight its
                // downstream goes dark. The relay stores pushes whose acknowledgement A never sees, so A
                // pushes them again on reconnect: the duplicates the relay must store once.
                long cutAfter = 8_000 + random.nextInt(200_000);
                Steps.faultAllLinks(t, a, LinkDirection.UP, LinkFaults.NONE.withLimitBytes(cutAfter).withBandwidth(200_000));
                int pushes = 8;
                for (int i = 0; i < pushes; i++) {
                    a.push(payload(random, 20_000 + random.nextInt(30_000)));
                }
                t.runFor(Duration.ofMillis(random.nextInt(1500)));
                Steps.faultAllLinks(t, a, LinkDirection.DOWN, LinkFaults.NONE.withPartitioned(true));
                t.runFor(Duration.ofSeconds(5 + random.nextInt(10)));
                t.heal(a);
                converge(t, SETTLE);
                Steps.allInvariants(t);
                // Relay side: one row and one cursor per distinct push; every row served once per device,
                // except that each connection of A a cut killed may have lost one page in flight, holding
                // at most A's own blobs (B is not faulted).
                long losses = Steps.connectionLosses(a);
                Steps.noRePull(t, start, losses * pushes, losses + " connection losses of A, each at most one lost page"
                        + " of its " + pushes + " own blobs");
            });

    public static final Scenario S_SM_02 = new Scenario("S-SM-02", "Disconnect during PULL state", Category.SYNC,
            needs(Capability.LIMIT_DATA, Capability.PARTITION), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                t.partition(b);
                for (int i = 0; i < 30; i++) {
                    a.push(payload(random, 10_000 + random.nextInt(40_000)));
                }
                t.runFor(Duration.ofSeconds(5));
                // B comes back but its downstream is cut partway through the pulled pages.
                Steps.faultAllLinks(t, b, LinkDirection.BOTH, LinkFaults.NONE);
                Steps.faultAllLinks(t, b, LinkDirection.DOWN, LinkFaults.NONE.withLimitBytes(20_000 + random.nextInt(600_000)));
                b.syncNow();
                t.runFor(Duration.ofSeconds(5 + random.nextInt(20)));
                t.heal(b);
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario S_SM_03 = new Scenario("S-SM-03", "Disconnect during state reconciliation",
            Category.SYNC, needs(Capability.LIMIT_DATA, Capability.CRASH_DEVICE), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Device a = d.get(0);
                Device b = d.get(1);
                for (int i = 0; i < 5; i++) {
                    a.push(payload(random, 500));
                }
                converge(t, SETTLE);
                // Reconnect B with its connection cut early: in the handshake, Hello/Welcome or the first pull.
                t.crashDevice(b);
                for (int i = 0; i < 5; i++) {
                    a.push(payload(random, 500));
                }
                Steps.faultAllLinks(t, b, random.nextBoolean() ? LinkDirection.UP : LinkDirection.DOWN,
                        LinkFaults.NONE.withLimitBytes(100 + random.nextInt(6000)));
                t.restartDevice(b);
                t.runFor(Duration.ofSeconds(10 + random.nextInt(60)));
                t.heal(b);
                converge(t, SETTLE);
                Steps.allInvariants(t);
            });

    public static final Scenario S_SM_04 = new Scenario("S-SM-04", "Rapid state transitions (push -> pull -> push)",
            Category.SYNC, needs(Capability.LATENCY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Steps.seededLatency(t, random);
                for (int i = 0; i < 100; i++) {
                    Device x = d.get(random.nextInt(2));
                    if (random.nextBoolean()) {
                        x.push(payload(random, 32 + random.nextInt(512)));
                    } else {
                        x.syncNow();
                    }
                    t.runFor(Duration.ofMillis(random.nextInt(20)));
                }
                converge(t, SETTLE);
                Steps.allInvariants(t);
            }).withInjection(Scenario.Injection.NONE);

    /** Every scenario of this class, in catalogue order. */
    public static final List<Scenario> ALL = List.of(S_CONC_01, S_CONC_02, S_CONC_03, S_CONC_04, S_CONV_01, S_CONV_02,
            S_CONV_03, S_CONV_04, S_SM_01, S_SM_02, S_SM_03, S_SM_04);
}
