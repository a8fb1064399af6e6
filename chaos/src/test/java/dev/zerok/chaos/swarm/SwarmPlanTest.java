package dev.zerok.chaos.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.mock.MockTopology;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.LinkFaults;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plan generator: seeded, within the stated bounds, and never drawing an impossible step. */
class SwarmPlanTest {
    private static final int SEEDS = 1_500;

    @Test
    void draw_sameSeed_equalPlans_otherSeed_otherPlan() {
        SwarmPlan a = SwarmPlan.draw(42, MockTopology.CAPABILITIES);
        assertThat(SwarmPlan.draw(42, MockTopology.CAPABILITIES)).isEqualTo(a);
        assertThat(SwarmPlan.draw(42, MockTopology.CAPABILITIES).describe()).isEqualTo(a.describe());
        assertThat(SwarmPlan.draw(43, MockTopology.CAPABILITIES)).isNotEqualTo(a);
    }

    @Test
    void draw_onTheMock_shapesWithinBoundsAndEveryStepPossible() {
        for (int i = 0; i < SEEDS; i++) {
            checkPlan(SwarmPlan.draw(SwarmRunner.seedOf(1, i), MockTopology.CAPABILITIES));
        }
    }

    @Test
    void draw_onEveryCapability_alsoDrawsPausesAndBurstLossAndStaysPossible() {
        Set<Capability> all = EnumSet.allOf(Capability.class);
        Map<String, Integer> steps = new java.util.TreeMap<>();
        boolean burst = false;
        for (int i = 0; i < SEEDS; i++) {
            SwarmPlan p = SwarmPlan.draw(SwarmRunner.seedOf(2, i), all);
            checkPlan(p);
            p.stepCounts().forEach((k, v) -> steps.merge(k, v, Integer::sum));
            burst |= p.steps().stream().anyMatch(s -> s instanceof SwarmStep.SetLink l && l.faults().burstLength() > 0);
        }
        assertThat(steps).containsKeys("PauseRelay", "ResumeRelay", "PauseDevice", "ResumeDevice", "KillRelay",
                "StopRelay", "RestartRelay", "CrashDevice", "RestartDevice", "PartitionDevice", "HealDevice", "Push",
                "SyncNow", "SetLink", "Advance");
        assertThat(burst).as("some plan draws burst loss").isTrue();
    }

    @Test
    void draw_swarm_everyKindIsOnInSomeSeedsAndOffInOthers() {
        Map<FaultKind, Integer> on = new EnumMap<>(FaultKind.class);
        for (int i = 0; i < 400; i++) {
            SwarmPlan.draw(SwarmRunner.seedOf(3, i), EnumSet.allOf(Capability.class)).enabled()
                    .forEach(k -> on.merge(k, 1, Integer::sum));
        }
        for (FaultKind k : FaultKind.values()) {
            assertThat(on.getOrDefault(k, 0)).as(k.toString()).isBetween(120, 280);
        }
    }

    @Test
    void draw_pushSizes_includeEmptyTheLargestAndNearTheLargest() {
        boolean empty = false;
        boolean largest = false;
        boolean nearLargest = false;
        for (int i = 0; i < 200; i++) {
            for (SwarmStep s : SwarmPlan.draw(SwarmRunner.seedOf(4, i), MockTopology.CAPABILITIES).steps()) {
                if (s instanceof SwarmStep.Push p) {
                    empty |= !p.belowMax() && p.sizeBytes() == 0;
                    largest |= p.belowMax() && p.sizeBytes() == 0;
                    nearLargest |= p.belowMax() && p.sizeBytes() > 0;
                }
            }
        }
        assertThat(List.of(empty, largest, nearLargest)).containsOnly(true);
    }

    @Test
    void draw_workloads_heavySeedsPushMoreThanFiftyBlobs() {
        long heavy = 0;
        for (int i = 0; i < 200; i++) {
            SwarmPlan p = SwarmPlan.draw(SwarmRunner.seedOf(5, i), MockTopology.CAPABILITIES);
            if (p.steps().stream().filter(s -> s instanceof SwarmStep.Push).count() > 50) {
                assertThat(p.workload()).isEqualTo(SwarmPlan.Workload.HEAVY);
                heavy++;
            }
        }
        assertThat(heavy).as("seeds with more than 50 pushes").isGreaterThan(20);
    }

    @Test
    void parseDuration_unitsAndIso_badTextRefusedWithTheText() {
        assertThat(SwarmRunner.parseDuration("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(SwarmRunner.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SwarmRunner.parseDuration("4h")).isEqualTo(Duration.ofHours(4));
        assertThat(SwarmRunner.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(SwarmRunner.parseDuration("PT4H")).isEqualTo(Duration.ofHours(4));
        assertThatThrownBy(() -> SwarmRunner.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'soon'");
    }

    /** Replays the plan against a model of member states and fails on any impossible or out-of-bounds step. */
    private static void checkPlan(SwarmPlan p) {
        String where = "seed " + p.seed();
        assertThat(p.relays()).as(where).isBetween(1, 3);
        assertThat(p.devices()).as(where).hasSizeBetween(2, 6);
        assertThat(p.groups()).as(where).isBetween(1, 2);
        assertThat(p.available()).as(where).containsAll(p.enabled());
        for (int g = 0; g < p.groups(); g++) {
            int group = g;
            List<SwarmPlan.DeviceSpec> members = p.devices().stream().filter(d -> d.group() == group).toList();
            assertThat(members).as(where + " group " + g).hasSizeGreaterThanOrEqualTo(2);
            for (SwarmPlan.DeviceSpec a : members) {
                for (SwarmPlan.DeviceSpec b : members) {
                    assertThat(a.relays()).as(where + ": two devices of a group share a relay")
                            .containsAnyElementsOf(b.relays());
                }
            }
        }
        for (SwarmPlan.DeviceSpec d : p.devices()) {
            assertThat(d.relays()).as(where).isNotEmpty().doesNotHaveDuplicates()
                    .allMatch(r -> r >= 0 && r < p.relays());
            if (!p.enabled().contains(FaultKind.CLOCK_SKEW)) {
                assertThat(d.clockOffset()).as(where).isZero();
            }
            assertThat(d.clockOffset().abs()).as(where).isLessThanOrEqualTo(Duration.ofMinutes(2));
        }
        boolean[] relayDown = new boolean[p.relays()];
        boolean[] relayPaused = new boolean[p.relays()];
        boolean[] deviceDown = new boolean[p.devices().size()];
        boolean[] devicePaused = new boolean[p.devices().size()];
        long waited = 0;
        Set<Integer> pushers = new HashSet<>();
        for (SwarmStep s : p.steps()) {
            String step = where + " " + s.describe();
            switch (s) {
                case SwarmStep.Advance a -> {
                    assertThat(a.duration()).as(step).isPositive();
                    waited += a.duration().toMillis();
                }
                case SwarmStep.Push push -> {
                    assertThat(!deviceDown[push.device()] && !devicePaused[push.device()]).as(step).isTrue();
                    assertThat(push.sizeBytes()).as(step).isBetween(0, 128 * 1024);
                    pushers.add(push.device());
                }
                case SwarmStep.SyncNow n -> assertThat(!deviceDown[n.device()] && !devicePaused[n.device()]).as(step).isTrue();
                case SwarmStep.SetLink l -> {
                    assertThat(p.devices().get(l.device()).relays()).as(step).contains(l.relay());
                    checkFaults(p, l.faults(), step);
                }
                case SwarmStep.PartitionDevice x -> assertThat(p.enabled()).as(step).contains(FaultKind.PARTITION);
                case SwarmStep.HealDevice x -> { }
                case SwarmStep.CrashDevice c -> {
                    assertThat(p.enabled()).as(step).contains(FaultKind.CRASH_DEVICE);
                    assertThat(!deviceDown[c.device()] && !devicePaused[c.device()]).as(step).isTrue();
                    deviceDown[c.device()] = true;
                }
                case SwarmStep.RestartDevice r -> {
                    assertThat(deviceDown[r.device()]).as(step).isTrue();
                    deviceDown[r.device()] = false;
                }
                case SwarmStep.PauseDevice x -> {
                    assertThat(p.enabled()).as(step).contains(FaultKind.PAUSE_DEVICE);
                    assertThat(!deviceDown[x.device()] && !devicePaused[x.device()]).as(step).isTrue();
                    devicePaused[x.device()] = true;
                }
                case SwarmStep.ResumeDevice r -> {
                    assertThat(devicePaused[r.device()]).as(step).isTrue();
                    devicePaused[r.device()] = false;
                }
                case SwarmStep.KillRelay k -> {
                    assertThat(p.enabled()).as(step).contains(FaultKind.KILL_RELAY);
                    assertThat(!relayDown[k.relay()] && !relayPaused[k.relay()]).as(step).isTrue();
                    relayDown[k.relay()] = true;
                }
                case SwarmStep.StopRelay x -> {
                    assertThat(p.enabled()).as(step).contains(FaultKind.STOP_RELAY);
                    assertThat(!relayDown[x.relay()] && !relayPaused[x.relay()]).as(step).isTrue();
                    relayDown[x.relay()] = true;
                }
                case SwarmStep.RestartRelay r -> {
                    assertThat(relayDown[r.relay()]).as(step).isTrue();
                    relayDown[r.relay()] = false;
                }
                case SwarmStep.PauseRelay x -> {
                    assertThat(p.enabled()).as(step).contains(FaultKind.PAUSE_RELAY);
                    assertThat(!relayDown[x.relay()] && !relayPaused[x.relay()]).as(step).isTrue();
                    relayPaused[x.relay()] = true;
                }
                case SwarmStep.ResumeRelay r -> {
                    assertThat(relayPaused[r.relay()]).as(step).isTrue();
                    relayPaused[r.relay()] = false;
                }
            }
        }
        assertThat(waited).as(where + ": the waits fill the chaos phase").isEqualTo(p.chaosDuration().toMillis());
        assertThat(p.chaosDuration()).as(where).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(8));
        assertThat(p.steps().stream().filter(s -> s instanceof SwarmStep.Push).count()).as(where)
                .isLessThanOrEqualTo(p.workload().maxPushes());
    }

    private static void checkFaults(SwarmPlan p, LinkFaults f, String step) {
        if (f.equals(LinkFaults.NONE)) {
            return;
        }
        Set<FaultKind> used = EnumSet.noneOf(FaultKind.class);
        if (!f.delay().isZero()) used.add(FaultKind.LATENCY);
        if (!f.jitter().isZero()) used.add(FaultKind.JITTER);
        if (f.burstLength() > 0) used.add(FaultKind.BURST_LOSS);
        else if (f.lossRate() > 0) used.add(FaultKind.LOSS);
        if (f.duplicateRate() > 0) used.add(FaultKind.DUPLICATE);
        if (f.reorderRate() > 0) used.add(FaultKind.REORDER);
        if (f.corruptRate() > 0) used.add(FaultKind.CORRUPT);
        if (f.truncateRate() > 0) used.add(FaultKind.TRUNCATE);
        if (f.limitBytes() != Long.MAX_VALUE) used.add(FaultKind.LIMIT_DATA);
        if (f.bandwidthBytesPerSecond() > 0) used.add(FaultKind.BANDWIDTH);
        if (f.partitioned()) used.add(FaultKind.PARTITION);
        assertThat(p.enabled()).as(step + ": only enabled kinds").containsAll(used);
        assertThat(f.bandwidthBytesPerSecond() == 0 || f.bandwidthBytesPerSecond() >= 8_000).as(step + ": bandwidth")
                .isTrue();
    }
}
