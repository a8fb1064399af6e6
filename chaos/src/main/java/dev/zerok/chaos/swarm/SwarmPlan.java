package dev.zerok.chaos.swarm;

import dev.zerok.chaos.topology.Capability;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one swarm seed does, drawn from the seed alone before the run (TigerBeetle's VOPR
 * prints the options a seed expands into; so does {@link #describe()}): the topology's shape, the
 * fault kinds this seed enables, and the steps of the chaos phase in topology time. After the steps
 * the runner heals everything and checks the invariants ({@link SwarmRunner}).
 *
 * @param seed the swarm seed; the topology is opened with the same seed
 * @param relays relays to add, 1 to 3
 * @param groups sync groups, 1 or 2, each with at least 2 devices
 * @param devices the devices to add, in order (2 to 6)
 * @param available the fault kinds the topology offers
 * @param enabled the kinds this seed may draw (a random subset of {@code available})
 * @param workload how busy the seed's devices are
 * @param chaosDuration how long the chaos phase lasts in topology time (2 to 8 min; the steps'
 *     waits add up to at most this)
 * @param steps the chaos phase, in order
 */
public record SwarmPlan(long seed, int relays, int groups, List<DeviceSpec> devices, Set<FaultKind> available,
        Set<FaultKind> enabled, Workload workload, Duration chaosDuration, List<SwarmStep> steps) {

    /**
     * How busy a seed is, drawn per seed like the fault kinds, so that some seeds reach states only
     * many blobs lead to (long pages, a device that received dozens of blobs in one run of its engine).
     *
     * @param maxPushes at most this many pushes in the chaos phase
     * @param pushWeight the weight of a push among the steps (the others weigh 3 to 12)
     * @param gapDivisor the waits between steps are divided by this
     */
    public enum Workload {
        LIGHT(10, 30, 1), NORMAL(40, 30, 1), HEAVY(200, 90, 10);

        private final int maxPushes;
        private final int pushWeight;
        private final int gapDivisor;

        Workload(int maxPushes, int pushWeight, int gapDivisor) {
            this.maxPushes = maxPushes;
            this.pushWeight = pushWeight;
            this.gapDivisor = gapDivisor;
        }

        public int maxPushes() {
            return maxPushes;
        }

        public int pushWeight() {
            return pushWeight;
        }

        public int gapDivisor() {
            return gapDivisor;
        }
    }

    /**
     * One device of the plan.
     *
     * @param group the group index, 0-based
     * @param relays relay indices in preference order, non-empty, no repeats; every two devices of a
     *     group share at least one relay (relays do not forward to each other, so two devices without
     *     a common relay could never converge)
     * @param clockOffset the device clock's offset from the topology's (zero without {@link FaultKind#CLOCK_SKEW})
     */
    public record DeviceSpec(int group, List<Integer> relays, Duration clockOffset) {
        public DeviceSpec {
            relays = List.copyOf(relays);
        }
    }

    public SwarmPlan {
        devices = List.copyOf(devices);
        available = Set.copyOf(available);
        enabled = Set.copyOf(enabled);
        steps = List.copyOf(steps);
    }

    /** The plan of {@code seed} for a topology with {@code capabilities}; the same inputs give an equal plan. */
    public static SwarmPlan draw(long seed, Set<Capability> capabilities) {
        return new SwarmGenerator(seed, capabilities).draw();
    }

    /** How many steps of each kind (record simple name, e.g. {@code Push}) the plan has. */
    public Map<String, Integer> stepCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (SwarmStep s : steps) {
            counts.merge(s.getClass().getSimpleName(), 1, Integer::sum);
        }
        return counts;
    }

    /** The plan as text: shape, enabled kinds, then one line per step with its topology-time offset. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("seed ").append(seed).append('\n');
        out.append(relays).append(" relay(s), ").append(groups).append(" group(s), ").append(devices.size())
                .append(" device(s)\n");
        for (int i = 0; i < devices.size(); i++) {
            DeviceSpec d = devices.get(i);
            out.append("  ").append(SwarmStep.dev(i)).append(" group-").append(d.group() + 1).append(" relays=")
                    .append(d.relays().stream().map(SwarmStep::rel).toList());
            if (!d.clockOffset().isZero()) {
                out.append(" clock-offset=").append(d.clockOffset().toMillis()).append(" ms");
            }
            out.append('\n');
        }
        out.append("enabled: ").append(new TreeSet<>(enabled)).append('\n');
        TreeSet<FaultKind> off = new TreeSet<>(available);
        off.removeAll(enabled);
        out.append("disabled: ").append(off).append('\n');
        out.append("workload: ").append(workload).append('\n');
        out.append("chaos phase: ").append(chaosDuration.toMillis()).append(" ms, ").append(steps.size())
                .append(" steps\n");
        long at = 0;
        for (SwarmStep s : steps) {
            if (s instanceof SwarmStep.Advance a) {
                at += a.duration().toMillis();
                continue;
            }
            out.append(String.format(Locale.ROOT, "  t+%9.3f s  %s%n", at / 1000.0, s.describe()));
        }
        return out.toString();
    }
}
