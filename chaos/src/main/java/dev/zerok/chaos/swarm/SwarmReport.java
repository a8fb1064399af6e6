package dev.zerok.chaos.swarm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a swarm run did, as counts (no timelines of passing seeds are kept, so a run of hours stays
 * small): seeds run and failed, wall and topology time, the distribution of what the seeds drew, and
 * each failure with its seed, first line, replay command and capture directory. Rendered as
 * {@code swarm.md} by {@link #toMarkdown()}. Not thread-safe.
 */
public final class SwarmReport {
    /**
     * One failing seed.
     *
     * @param seed replays it
     * @param firstLine the failure's first line
     * @param capture the directory with plan, timeline and stack trace, or null
     */
    public record Failure(long seed, String firstLine, Path capture) {
        /** The command that replays this seed. */
        public String replayCommand() {
            return SwarmRunner.replayCommand(seed);
        }
    }

    private final String topology;
    private final long baseSeed;
    private final Long replaySeed;
    private final Duration budget;
    private final List<Failure> failures = new ArrayList<>();
    private final Map<Integer, Integer> relays = new TreeMap<>();
    private final Map<Integer, Integer> devices = new TreeMap<>();
    private final Map<Integer, Integer> groups = new TreeMap<>();
    private final Map<Integer, Integer> kindsEnabled = new TreeMap<>();
    private final Map<SwarmPlan.Workload, Integer> workloads = new EnumMap<>(SwarmPlan.Workload.class);
    private final Map<FaultKind, Integer> enabled = new EnumMap<>(FaultKind.class);
    private final Map<FaultKind, Integer> available = new EnumMap<>(FaultKind.class);
    private final Map<String, Long> steps = new TreeMap<>();
    private int seeds;
    private long wallMillisTotal;
    private long wallMillisMax;
    private long maxWallSeed;
    private long virtualMillisTotal;
    private Duration elapsed = Duration.ZERO;

    SwarmReport(String topology, long baseSeed, Long replaySeed, Duration budget) {
        this.topology = topology;
        this.baseSeed = baseSeed;
        this.replaySeed = replaySeed;
        this.budget = budget;
    }

    void add(SeedResult r, Path capture, Duration elapsedSoFar) {
        seeds++;
        elapsed = elapsedSoFar;
        wallMillisTotal += r.wallMillis();
        if (r.wallMillis() > wallMillisMax) {
            wallMillisMax = r.wallMillis();
            maxWallSeed = r.seed();
        }
        virtualMillisTotal += r.virtualTime().toMillis();
        SwarmPlan p = r.plan();
        relays.merge(p.relays(), 1, Integer::sum);
        devices.merge(p.devices().size(), 1, Integer::sum);
        groups.merge(p.groups(), 1, Integer::sum);
        kindsEnabled.merge(p.enabled().size(), 1, Integer::sum);
        workloads.merge(p.workload(), 1, Integer::sum);
        p.enabled().forEach(k -> enabled.merge(k, 1, Integer::sum));
        p.available().forEach(k -> available.merge(k, 1, Integer::sum));
        p.stepCounts().forEach((k, v) -> steps.merge(k, (long) v, Long::sum));
        if (!r.passed()) {
            failures.add(new Failure(r.seed(), r.failure(), capture));
        }
    }

    /** Seeds run. */
    public int seeds() {
        return seeds;
    }

    /** Every failing seed, in the order run. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Wall time from the start of the run to the end of the last seed. */
    public Duration elapsed() {
        return elapsed;
    }

    /** Seeds per hour of wall time, 0 before the first seed. */
    public double seedsPerHour() {
        return elapsed.isZero() ? 0 : seeds * 3_600_000.0 / Math.max(1, elapsed.toMillis());
    }

    /** Mean wall time per seed in milliseconds, 0 before the first seed. */
    public double meanWallMillis() {
        return seeds == 0 ? 0 : (double) wallMillisTotal / seeds;
    }

    /** The report as Markdown ({@code swarm.md}). */
    public String toMarkdown() {
        StringBuilder out = new StringBuilder("# Swarm run\n\n");
        out.append("- topology: ").append(topology).append('\n');
        if (replaySeed != null) {
            out.append("- replay of seed ").append(replaySeed).append('\n');
        } else {
            out.append("- base seed: ").append(baseSeed).append(" (-D").append(SwarmRunner.BASE_SEED).append('=')
                    .append(baseSeed).append(")\n");
            out.append("- budget: ").append(budget).append('\n');
        }
        out.append("- seeds run: ").append(seeds).append(", failed: ").append(failures.size()).append('\n');
        out.append("- wall time: ").append(elapsed.toMillis() / 1000).append(" s; seeds/hour: ")
                .append(String.format(Locale.ROOT, "%.0f", seedsPerHour())).append('\n');
        out.append("- wall ms per seed: mean ").append(String.format(Locale.ROOT, "%.0f", meanWallMillis()))
                .append(", max ").append(wallMillisMax).append(" (seed ").append(maxWallSeed).append(")\n");
        out.append("- topology time per seed (chaos phase + heal + convergence): mean ")
                .append(seeds == 0 ? 0 : virtualMillisTotal / seeds / 1000).append(" s\n\n");

        out.append("## Failures\n\n");
        if (failures.isEmpty()) {
            out.append("none\n\n");
        } else {
            out.append("| seed | first failing line | replay | capture |\n|---|---|---|---|\n");
            for (Failure f : failures) {
                out.append("| ").append(f.seed()).append(" | ").append(f.firstLine().replace("|", "\\|"))
                        .append(" | `").append(f.replayCommand()).append("` | ")
                        .append(f.capture() == null ? "" : f.capture().toString()).append(" |\n");
            }
            out.append('\n');
        }

        out.append("## What the seeds drew\n\n");
        histogram(out, "relays", relays);
        histogram(out, "devices", devices);
        histogram(out, "groups", groups);
        histogram(out, "fault kinds enabled", kindsEnabled);
        out.append("| workload | seeds |\n|---|---|\n");
        workloads.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        out.append('\n');
        out.append("| fault kind | seeds with it enabled | seeds where the topology offers it |\n|---|---|---|\n");
        for (FaultKind k : FaultKind.values()) {
            out.append("| ").append(k).append(" | ").append(enabled.getOrDefault(k, 0)).append(" | ")
                    .append(available.getOrDefault(k, 0)).append(" |\n");
        }
        out.append("\n| step | total over all seeds |\n|---|---|\n");
        steps.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return out.toString();
    }

    private static void histogram(StringBuilder out, String title, Map<Integer, Integer> counts) {
        out.append("| ").append(title).append(" | seeds |\n|---|---|\n");
        counts.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        out.append('\n');
    }
}
