package dev.zerok.chaos.swarm;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Draws a {@link SwarmPlan} from a seed. It keeps a model of what the steps drawn so far did (which
 * relays and devices are running, paused or down, which links carry faults) so that every step it
 * draws is possible when the run reaches it: only running members are killed, crashed, paused or
 * pushed from, only down members restarted, only paused ones resumed. A step that would be
 * impossible is a generator bug, not a finding.
 */
final class SwarmGenerator {
    /** Separates the plan's draws from the topology's, which use the same seed. */
    private static final long SALT = 0x5A7A_11AB_CDEFL;
    private static final int MAX_STEPS = 600;
    /** Payloads near the largest size cost most (sealing, fan-out, capture, the canary scan). */
    private static final int MAX_LARGE_PUSHES = 3;
    private static final int CANARY_BYTES = dev.zerok.chaos.scenarios.Steps.CANARY.length;

    private enum State { RUNNING, DOWN, PAUSED }

    private final long seed;
    private final SplittableRandom random;
    private final Set<FaultKind> available = EnumSet.noneOf(FaultKind.class);

    SwarmGenerator(long seed, Set<Capability> capabilities) {
        this.seed = seed;
        this.random = new SplittableRandom(seed ^ SALT);
        for (FaultKind k : FaultKind.values()) {
            if (k.availableOn(capabilities)) {
                available.add(k);
            }
        }
    }

    SwarmPlan draw() {
        int relays = 1 + random.nextInt(3);
        int deviceCount = 2 + random.nextInt(5);
        int groups = deviceCount >= 4 ? 1 + random.nextInt(2) : 1;

        // Swarm testing: each kind on with probability 1/2, independently.
        Set<FaultKind> enabled = EnumSet.noneOf(FaultKind.class);
        for (FaultKind k : available) {
            if (random.nextBoolean()) {
                enabled.add(k);
            }
        }

        List<SwarmPlan.DeviceSpec> devices = drawDevices(relays, deviceCount, groups, enabled);
        int w = random.nextInt(10);
        SwarmPlan.Workload workload = w < 3 ? SwarmPlan.Workload.LIGHT : w < 8 ? SwarmPlan.Workload.NORMAL
                : SwarmPlan.Workload.HEAVY;
        Duration chaos = Duration.ofMillis(random.nextLong(120_000, 480_001));
        List<SwarmStep> steps = drawSteps(relays, devices, enabled, workload, chaos.toMillis());
        return new SwarmPlan(seed, relays, groups, devices, available, enabled, workload, chaos, steps);
    }

    private List<SwarmPlan.DeviceSpec> drawDevices(int relays, int count, int groups, Set<FaultKind> enabled) {
        int[] groupOf = new int[count];
        for (int i = 0; i < count; i++) {
            // two per group first, the rest anywhere
            groupOf[i] = i < 2 * groups ? i / 2 : random.nextInt(groups);
        }
        List<List<Integer>> relaysOf = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Integer> all = new ArrayList<>();
            for (int r = 0; r < relays; r++) {
                all.add(r);
            }
            shuffle(all);
            relaysOf.add(new ArrayList<>(all.subList(0, 1 + random.nextInt(relays))));
        }
        // Every two devices of a group must share a relay; give the second one the first's first
        // relay, at a random place in its preference order, until that holds.
        for (int a = 0; a < count; a++) {
            for (int b = a + 1; b < count; b++) {
                if (groupOf[a] != groupOf[b]) {
                    continue;
                }
                List<Integer> ra = relaysOf.get(a);
                List<Integer> rb = relaysOf.get(b);
                if (ra.stream().noneMatch(rb::contains)) {
                    rb.add(random.nextInt(rb.size() + 1), ra.get(0));
                }
            }
        }
        List<SwarmPlan.DeviceSpec> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Duration offset = enabled.contains(FaultKind.CLOCK_SKEW) && random.nextBoolean()
                    ? Duration.ofMillis(random.nextLong(-120_000, 120_001)) : Duration.ZERO;
            out.add(new SwarmPlan.DeviceSpec(groupOf[i], relaysOf.get(i), offset));
        }
        return out;
    }

    private record Choice(int weight, Supplier<SwarmStep> step) {}

    private List<SwarmStep> drawSteps(int relays, List<SwarmPlan.DeviceSpec> devices, Set<FaultKind> enabled,
            SwarmPlan.Workload workload, long chaosMillis) {
        State[] relay = new State[relays];
        State[] device = new State[devices.size()];
        Arrays.fill(relay, State.RUNNING);
        Arrays.fill(device, State.RUNNING);
        Set<List<Integer>> faulted = new LinkedHashSet<>(); // [device, relay]
        List<FaultKind> linkKinds = enabled.stream().filter(FaultKind::linkFault).toList();
        int[] pushes = {0, 0}; // all, large

        List<SwarmStep> steps = new ArrayList<>();
        long at = 0;
        while (steps.size() < MAX_STEPS) {
            long gap = gap() / workload.gapDivisor();
            if (at + gap >= chaosMillis) {
                break;
            }
            if (gap > 0) {
                steps.add(new SwarmStep.Advance(Duration.ofMillis(gap)));
                at += gap;
            }
            List<Choice> choices = new ArrayList<>();
            List<Integer> live = indices(device, State.RUNNING);
            if (!live.isEmpty() && pushes[0] < workload.maxPushes()) {
                choices.add(new Choice(workload.pushWeight(), () -> {
                    pushes[0]++;
                    return push(pick(live), pushes);
                }));
            }
            if (!live.isEmpty()) {
                choices.add(new Choice(8, () -> new SwarmStep.SyncNow(pick(live))));
            }
            if (!linkKinds.isEmpty()) {
                choices.add(new Choice(12, () -> {
                    int d = random.nextInt(devices.size());
                    int r = pick(devices.get(d).relays());
                    faulted.add(List.of(d, r));
                    return new SwarmStep.SetLink(d, r, direction(), linkFaults(linkKinds));
                }));
            }
            if (!faulted.isEmpty()) {
                choices.add(new Choice(6, () -> {
                    List<Integer> link = pick(new ArrayList<>(faulted));
                    faulted.remove(link);
                    return new SwarmStep.SetLink(link.get(0), link.get(1), LinkDirection.BOTH, LinkFaults.NONE);
                }));
                choices.add(new Choice(2, () -> {
                    int d = pick(new ArrayList<>(faulted)).get(0);
                    faulted.removeIf(l -> l.get(0) == d);
                    return new SwarmStep.HealDevice(d);
                }));
            }
            if (enabled.contains(FaultKind.PARTITION)) {
                choices.add(new Choice(6, () -> {
                    int d = random.nextInt(devices.size());
                    if (random.nextInt(3) == 0) {
                        for (int r : devices.get(d).relays()) {
                            faulted.add(List.of(d, r));
                        }
                        return new SwarmStep.PartitionDevice(d);
                    }
                    int r = pick(devices.get(d).relays());
                    faulted.add(List.of(d, r));
                    return new SwarmStep.SetLink(d, r, direction(), LinkFaults.NONE.withPartitioned(true));
                }));
            }
            List<Integer> paused = indices(device, State.PAUSED);
            List<Integer> crashed = indices(device, State.DOWN);
            if (enabled.contains(FaultKind.CRASH_DEVICE) && !live.isEmpty()) {
                choices.add(new Choice(4, () -> {
                    int d = pick(live);
                    device[d] = State.DOWN;
                    return new SwarmStep.CrashDevice(d);
                }));
            }
            if (!crashed.isEmpty()) {
                choices.add(new Choice(8, () -> {
                    int d = pick(crashed);
                    device[d] = State.RUNNING;
                    return new SwarmStep.RestartDevice(d);
                }));
            }
            if (enabled.contains(FaultKind.PAUSE_DEVICE) && !live.isEmpty()) {
                choices.add(new Choice(3, () -> {
                    int d = pick(live);
                    device[d] = State.PAUSED;
                    return new SwarmStep.PauseDevice(d);
                }));
            }
            if (!paused.isEmpty()) {
                choices.add(new Choice(8, () -> {
                    int d = pick(paused);
                    device[d] = State.RUNNING;
                    return new SwarmStep.ResumeDevice(d);
                }));
            }
            List<Integer> liveRelays = indices(relay, State.RUNNING);
            List<Integer> downRelays = indices(relay, State.DOWN);
            List<Integer> pausedRelays = indices(relay, State.PAUSED);
            if (enabled.contains(FaultKind.KILL_RELAY) && !liveRelays.isEmpty()) {
                choices.add(new Choice(4, () -> {
                    int r = pick(liveRelays);
                    relay[r] = State.DOWN;
                    return new SwarmStep.KillRelay(r);
                }));
            }
            if (enabled.contains(FaultKind.STOP_RELAY) && !liveRelays.isEmpty()) {
                choices.add(new Choice(3, () -> {
                    int r = pick(liveRelays);
                    relay[r] = State.DOWN;
                    return new SwarmStep.StopRelay(r);
                }));
            }
            if (!downRelays.isEmpty()) {
                choices.add(new Choice(8, () -> {
                    int r = pick(downRelays);
                    relay[r] = State.RUNNING;
                    return new SwarmStep.RestartRelay(r);
                }));
            }
            if (enabled.contains(FaultKind.PAUSE_RELAY) && !liveRelays.isEmpty()) {
                choices.add(new Choice(3, () -> {
                    int r = pick(liveRelays);
                    relay[r] = State.PAUSED;
                    return new SwarmStep.PauseRelay(r);
                }));
            }
            if (!pausedRelays.isEmpty()) {
                choices.add(new Choice(8, () -> {
                    int r = pick(pausedRelays);
                    relay[r] = State.RUNNING;
                    return new SwarmStep.ResumeRelay(r);
                }));
            }
            if (choices.isEmpty()) {
                continue; // every device down and nothing to heal yet: time passes
            }
            int total = choices.stream().mapToInt(Choice::weight).sum();
            int x = random.nextInt(total);
            for (Choice c : choices) {
                x -= c.weight();
                if (x < 0) {
                    steps.add(c.step().get());
                    break;
                }
            }
        }
        if (chaosMillis > at) {
            steps.add(new SwarmStep.Advance(Duration.ofMillis(chaosMillis - at))); // the rest of the phase, quiet
        }
        return steps;
    }

    /** Mostly short gaps, sometimes long quiet stretches: 50% under 1 s, 35% 1-10 s, 15% 10-40 s. */
    private long gap() {
        int p = random.nextInt(100);
        if (p < 50) {
            return random.nextLong(0, 1_000);
        }
        return p < 85 ? random.nextLong(1_000, 10_000) : random.nextLong(10_000, 40_000);
    }

    /**
     * A payload size: 8% empty, 2% below the canary's length, 55% 47 B-4 KiB, 25% 4-128 KiB, 5% exactly
     * the largest, 5% a little below it (at most {@link #MAX_LARGE_PUSHES} of these two per seed).
     */
    private SwarmStep push(int device, int[] pushes) {
        int p = random.nextInt(100);
        if (p >= 90 && pushes[1] < MAX_LARGE_PUSHES) {
            pushes[1]++;
            return new SwarmStep.Push(device, p < 95 ? 0 : random.nextInt(1, 200), true);
        }
        if (p < 8) {
            return new SwarmStep.Push(device, 0, false);
        }
        if (p < 10) {
            return new SwarmStep.Push(device, random.nextInt(1, CANARY_BYTES), false);
        }
        if (p < 65) {
            return new SwarmStep.Push(device, random.nextInt(CANARY_BYTES, 4097), false);
        }
        return new SwarmStep.Push(device, random.nextInt(4097, 128 * 1024 + 1), false);
    }

    private LinkDirection direction() {
        LinkDirection[] all = LinkDirection.values();
        return all[random.nextInt(all.length)];
    }

    /** A mix of 1 or more of {@code kinds}, each included with probability 1/2. */
    private LinkFaults linkFaults(List<FaultKind> kinds) {
        Set<FaultKind> chosen = EnumSet.noneOf(FaultKind.class);
        for (FaultKind k : kinds) {
            if (random.nextBoolean()) {
                chosen.add(k);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(pick(kinds));
        }
        LinkFaults f = LinkFaults.NONE;
        Duration delay = Duration.ZERO;
        Duration jitter = Duration.ZERO;
        if (chosen.contains(FaultKind.LATENCY)) {
            int p = random.nextInt(10);
            delay = Duration.ofMillis(p < 6 ? random.nextLong(1, 50) : p < 9 ? random.nextLong(50, 500)
                    : random.nextLong(500, 3_001));
        }
        if (chosen.contains(FaultKind.JITTER)) {
            jitter = Duration.ofMillis(random.nextLong(1, 201));
        }
        f = f.withDelay(delay, jitter);
        if (chosen.contains(FaultKind.BURST_LOSS)) {
            f = f.withBurstLoss(rate(0.05, 0.30), 2 + random.nextInt(9));
        } else if (chosen.contains(FaultKind.LOSS)) {
            f = f.withLoss(rate(0.01, 0.50));
        }
        if (chosen.contains(FaultKind.DUPLICATE)) {
            f = f.withDuplicate(rate(0.01, 0.50));
        }
        if (chosen.contains(FaultKind.REORDER)) {
            f = f.withReorder(rate(0.01, 0.50));
        }
        if (chosen.contains(FaultKind.CORRUPT)) {
            f = f.withCorrupt(rate(0.001, 0.05));
        }
        if (chosen.contains(FaultKind.TRUNCATE)) {
            f = f.withTruncate(rate(0.001, 0.05));
        }
        if (chosen.contains(FaultKind.LIMIT_DATA)) {
            f = f.withLimitBytes(random.nextLong(2 * 1024, 512 * 1024 + 1));
        }
        if (chosen.contains(FaultKind.BANDWIDTH)) {
            f = f.withBandwidth(random.nextLong(8_000, 1_000_001));
        }
        return f;
    }

    /** A rate in [min, max), rounded to 1/1000 so plans print short. */
    private double rate(double min, double max) {
        return Math.round((min + random.nextDouble() * (max - min)) * 1000) / 1000.0;
    }

    private static List<Integer> indices(State[] states, State wanted) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            if (states[i] == wanted) {
                out.add(i);
            }
        }
        return out;
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private void shuffle(List<Integer> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
