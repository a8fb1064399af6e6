package dev.zerok.chaos.swarm;

import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.scenarios.Steps;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.TempDirs;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Swarm runs on a topology, in the style of TigerBeetle's VOPR and FoundationDB's simulation: each
 * 64-bit seed draws a topology, a workload and a fault schedule ({@link SwarmPlan}), runs them in
 * topology time, then heals everything (paused members resumed, stopped, killed and crashed ones
 * restarted, every link cleared) and checks liveness and safety: convergence within
 * {@link Steps#SETTLE} ({@link Steps#converge}), the five invariants ({@link Steps#allInvariants}:
 * no data loss, version vectors converged, no blob failure, no plaintext at a relay, no metadata in
 * relay logs) and the relay log audit ({@link Topology#verifyRelayLogs}). A run takes as many seeds
 * as fit a wall-clock budget, bounded in count.
 *
 * <p>Seeds: seed {@code i} is {@code ChaosRunner.iterationSeed(base, "SWARM", i)}. The base seed is
 * {@link #DEFAULT_BASE_SEED} unless {@value #BASE_SEED} says otherwise ({@code random} draws one and
 * prints it). On the mock topology a seed replays exactly: {@value #SEED}{@code =N} runs that seed alone.
 *
 * <p>Output: {@code <results>/<run-id>/swarm.md} (rewritten after every seed, so it is complete however
 * the run ends) and, per failing seed, {@code failures/swarm-seed-N/} with {@code plan.txt},
 * {@code timeline.jsonl} and {@code failure.txt}.
 *
 * <p>System properties: {@value #SEED}, {@value #BASE_SEED}, {@value #BUDGET} (e.g. {@code 60s},
 * {@code 10m}, {@code 4h}, or ISO-8601 {@code PT4H}; default 25 s), {@value #MAX_SEEDS} (default
 * 100,000), and the chaos runner's {@code zerok.chaos.results}.
 */
public final class SwarmRunner {
    public static final String SEED = "zerok.swarm.seed";
    public static final String BASE_SEED = "zerok.swarm.base.seed";
    public static final String BUDGET = "zerok.swarm.budget";
    public static final String MAX_SEEDS = "zerok.swarm.max.seeds";
    /** The base seed when none is given: fixed, so CI runs are reproducible. */
    public static final long DEFAULT_BASE_SEED = 0x5A_A2_4D_5EEDL;
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(25);
    public static final int DEFAULT_MAX_SEEDS = 100_000;
    /** Separates payload bytes from the plan's and the topology's draws. */
    private static final long PAYLOAD_SALT = 0x9A71_0ADL;

    /**
     * What a swarm run uses.
     *
     * @param baseSeed seeds derive from it
     * @param replaySeed if not null, run exactly this one seed
     * @param budget wall-clock time after which no new seed starts
     * @param maxSeeds no more seeds than this, at least 1
     * @param runDir where {@code swarm.md} and failure captures go
     */
    public record Settings(long baseSeed, Long replaySeed, Duration budget, int maxSeeds, Path runDir) {
        public Settings {
            if (maxSeeds < 1 || budget.isNegative()) {
                throw new IllegalArgumentException("maxSeeds must be at least 1 and budget not negative");
            }
        }

        /**
         * From the system properties (see the class comment).
         *
         * @throws IllegalArgumentException for a malformed seed, budget or count
         */
        public static Settings fromSystemProperties() {
            String replay = System.getProperty(SEED);
            String base = System.getProperty(BASE_SEED);
            long baseSeed;
            if (base == null || base.isBlank()) {
                baseSeed = DEFAULT_BASE_SEED;
            } else if (base.equalsIgnoreCase("random")) {
                baseSeed = new SecureRandom().nextLong() & Long.MAX_VALUE;
                System.out.println("swarm: random base seed " + baseSeed + " (-D" + BASE_SEED + "=" + baseSeed
                        + " repeats this run)");
            } else {
                baseSeed = Long.decode(base);
            }
            String budget = System.getProperty(BUDGET);
            String max = System.getProperty(MAX_SEEDS);
            Path results = Path.of(System.getProperty(ChaosRunner.RESULTS, "target/chaos-results"));
            return new Settings(baseSeed, replay == null || replay.isBlank() ? null : Long.decode(replay),
                    budget == null || budget.isBlank() ? DEFAULT_BUDGET : parseDuration(budget),
                    max == null || max.isBlank() ? DEFAULT_MAX_SEEDS : Integer.parseInt(max),
                    results.resolve(RunReport.runId()));
        }
    }

    private SwarmRunner() {}

    /**
     * {@code 90s}, {@code 10m}, {@code 4h}, {@code 1500ms} or ISO-8601 ({@code PT4H}).
     *
     * @throws IllegalArgumentException if it is none of these
     */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("unit");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 60s, 10m, 4h or PT4H)", e);
        }
    }

    /** The command that replays {@code seed} (on the mock topology, exactly). */
    public static String replayCommand(long seed) {
        return "./mvnw -pl chaos -am test -Dtest=SwarmTest -Dsurefire.failIfNoSpecifiedTests=false -D" + SEED + "="
                + seed;
    }

    /** Seed {@code index} of a run with {@code baseSeed}. */
    public static long seedOf(long baseSeed, int index) {
        return ChaosRunner.iterationSeed(baseSeed, "SWARM", index);
    }

    /**
     * Runs seeds on topologies from {@code factory} until the budget or the count is used up (or
     * exactly the replay seed), writing {@code swarm.md} after each; prints every failure with its
     * replay command. Never throws for a failing seed.
     */
    public static SwarmReport run(TopologyFactory factory, Settings settings) {
        SwarmReport report = new SwarmReport(factory.kind(), settings.baseSeed(), settings.replaySeed(),
                settings.budget());
        long started = System.nanoTime();
        long budgetNanos = settings.budget().toNanos();
        for (int i = 0; settings.replaySeed() != null ? i < 1 : i < settings.maxSeeds(); i++) {
            if (settings.replaySeed() == null && i > 0 && System.nanoTime() - started >= budgetNanos) {
                break;
            }
            long seed = settings.replaySeed() != null ? settings.replaySeed() : seedOf(settings.baseSeed(), i);
            SeedResult r = runSeed(factory, seed);
            Path capture = null;
            if (!r.passed()) {
                capture = settings.runDir().resolve("failures").resolve("swarm-seed-" + seed);
                capture(capture, factory.kind(), r);
                System.out.println("swarm seed " + seed + " FAILED: " + r.failure() + "\n  replay: "
                        + r.replayCommand() + "\n  capture: " + capture);
            }
            report.add(r, capture, Duration.ofNanos(System.nanoTime() - started));
            write(settings.runDir().resolve("swarm.md"), report.toMarkdown());
        }
        return report;
    }

    /** Runs one seed on a fresh topology from {@code factory}; never throws for a failing seed. */
    public static SeedResult runSeed(TopologyFactory factory, long seed) {
        long started = System.nanoTime();
        SwarmPlan plan = SwarmPlan.draw(seed, factory.capabilities());
        Path work;
        try {
            Path shm = Path.of("/dev/shm");
            work = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "zerok-swarm-")
                    : Files.createTempDirectory("zerok-swarm-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Topology t = null;
        Instant begin = null;
        try {
            t = factory.open(seed, work.resolve("t"));
            begin = t.now();
            try {
                execute(t, plan);
                return new SeedResult(seed, plan, null, null, t.timeline().toJsonLines(),
                        Duration.between(begin, t.now()), millisSince(started));
            } catch (Throwable e) {
                t.timeline().note("failed", firstLine(e));
                return new SeedResult(seed, plan, firstLine(e), stackTrace(e), t.timeline().toJsonLines(),
                        Duration.between(begin, t.now()), millisSince(started));
            }
        } catch (RuntimeException e) {
            return new SeedResult(seed, plan, firstLine(e), stackTrace(e), t == null ? "" : t.timeline().toJsonLines(),
                    Duration.ZERO, millisSince(started));
        } finally {
            if (t != null) {
                try {
                    t.close();
                } catch (AssertionError alreadyChecked) {
                    // the relay log audit ran inside execute (a failing seed is reported on its own)
                }
            }
            TempDirs.deleteRecursively(work);
        }
    }

    /**
     * The seed's body: build the topology, run the chaos phase, heal, then liveness and safety.
     *
     * @throws AssertionError for a violated invariant
     */
    static void execute(Topology t, SwarmPlan plan) {
        t.timeline().note("swarm", "enabled=" + new TreeSet<>(plan.enabled()) + " relays=" + plan.relays()
                + " groups=" + plan.groups() + " devices=" + plan.devices().size() + " steps=" + plan.steps().size());
        List<Relay> relays = new ArrayList<>();
        for (int i = 0; i < plan.relays(); i++) {
            relays.add(t.addRelay());
        }
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < plan.groups(); i++) {
            groups.add(t.newGroup());
        }
        List<Device> devices = new ArrayList<>();
        for (SwarmPlan.DeviceSpec spec : plan.devices()) {
            List<Relay> mine = spec.relays().stream().map(relays::get).toList();
            devices.add(spec.clockOffset().isZero() ? t.addDevice(groups.get(spec.group()), mine)
                    : t.addDevice(groups.get(spec.group()), mine, spec.clockOffset()));
        }
        SplittableRandom bytes = new SplittableRandom(plan.seed() ^ PAYLOAD_SALT);
        Set<Relay> pausedRelays = new HashSet<>();
        Set<Device> pausedDevices = new HashSet<>();
        for (SwarmStep step : plan.steps()) {
            switch (step) {
                case SwarmStep.Advance a -> t.runFor(a.duration());
                case SwarmStep.Push p -> {
                    Device d = devices.get(p.device());
                    int size = p.belowMax() ? d.maxPayloadBytes() - p.sizeBytes() : p.sizeBytes();
                    d.push(payload(bytes, size));
                }
                case SwarmStep.SyncNow s -> devices.get(s.device()).syncNow();
                case SwarmStep.SetLink l -> t.setFaults(devices.get(l.device()), relays.get(l.relay()), l.direction(),
                        l.faults());
                case SwarmStep.PartitionDevice p -> t.partition(devices.get(p.device()));
                case SwarmStep.HealDevice h -> t.heal(devices.get(h.device()));
                case SwarmStep.CrashDevice c -> t.crashDevice(devices.get(c.device()));
                case SwarmStep.RestartDevice r -> t.restartDevice(devices.get(r.device()));
                case SwarmStep.PauseDevice p -> {
                    t.pauseDevice(devices.get(p.device()));
                    pausedDevices.add(devices.get(p.device()));
                }
                case SwarmStep.ResumeDevice r -> {
                    t.resumeDevice(devices.get(r.device()));
                    pausedDevices.remove(devices.get(r.device()));
                }
                case SwarmStep.KillRelay k -> t.killRelay(relays.get(k.relay()));
                case SwarmStep.StopRelay s -> t.stopRelay(relays.get(s.relay()));
                case SwarmStep.RestartRelay r -> t.restartRelay(relays.get(r.relay()));
                case SwarmStep.PauseRelay p -> {
                    t.pauseRelay(relays.get(p.relay()));
                    pausedRelays.add(relays.get(p.relay()));
                }
                case SwarmStep.ResumeRelay r -> {
                    t.resumeRelay(relays.get(r.relay()));
                    pausedRelays.remove(relays.get(r.relay()));
                }
            }
        }
        healEverything(t, relays, devices, pausedRelays, pausedDevices);
        Steps.converge(t, Steps.SETTLE);
        Steps.allInvariants(t);
        t.verifyRelayLogs();
    }

    /** Resumes, restarts and clears everything, in plan order (so the heal replays too). */
    private static void healEverything(Topology t, List<Relay> relays, List<Device> devices, Set<Relay> pausedRelays,
            Set<Device> pausedDevices) {
        t.timeline().note("swarm", "heal everything");
        for (Relay r : relays) {
            if (pausedRelays.contains(r)) {
                t.resumeRelay(r);
            } else if (!r.running()) {
                t.restartRelay(r);
            }
        }
        for (Device d : devices) {
            if (pausedDevices.contains(d)) {
                t.resumeDevice(d);
            } else if (!d.running()) {
                t.restartDevice(d);
            }
            for (Relay r : d.relays()) {
                t.setFaults(d, r, LinkDirection.BOTH, LinkFaults.NONE);
            }
        }
    }

    /** {@code size} bytes: seeded noise, with the canary inside when it fits ({@link Steps#payload}). */
    private static byte[] payload(SplittableRandom random, int size) {
        if (size >= Steps.CANARY.length) {
            return Steps.payload(random, size);
        }
        byte[] out = new byte[size];
        random.nextBytes(out);
        return out;
    }

    private static void capture(Path dir, String kind, SeedResult r) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("plan.txt"), r.plan().describe());
            Files.writeString(dir.resolve("timeline.jsonl"), r.timeline());
            Files.writeString(dir.resolve("failure.txt"), "swarm seed: " + r.seed() + "\ntopology: " + kind
                    + "\nreplay: " + r.replayCommand() + "\nfailure: " + r.failure() + "\n\n" + r.stackTrace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the swarm failure capture " + dir, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String firstLine(Throwable t) {
        String m = t.getClass().getSimpleName() + ": " + (t.getMessage() == null ? "" : t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

}
