package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayResources;
import dev.zerok.chaos.topology.TempDirs;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link Scenario} on a topology for its iterations (seed 000 section 11.3): each iteration
 * gets its own seed derived from the base seed, the scenario ID and the iteration number; the
 * scenario passes only if every iteration passes; the first failure stops it and is captured
 * (timeline, relay logs, fault-proxy link states, the seed) under {@code <results>/<run-id>/failures/}.
 * After every iteration the runner proves the topology's cleanup ({@link CleanupProof}), demands
 * evidence that the declared fault acted ({@link FaultEvidence}) and reads sync and handshake times
 * for the comparison with the clean {@link Baseline} ({@link Baselines}). Every iteration's
 * timeline is appended to {@code <results>/<run-id>/timelines/<ID>.<topology>.jsonl}, and the
 * run's summary table is rewritten after each scenario ({@link RunReport}).
 *
 * <p>System properties: {@value #SEED} replays exactly one iteration with that seed;
 * {@value #BASE_SEED} changes the base seed; {@value #ITERATIONS} overrides the iteration count;
 * {@value #RESULTS} sets the results directory (default {@code target/chaos-results}, relative to the
 * module when run by Maven); {@value #RUN_ID} names the run; {@code zerok.chaos.baseline} is
 * {@code measure}, {@code off} or a directory of baseline files ({@link Baselines}).
 */
public final class ChaosRunner {
    public static final String SEED = "zerok.chaos.seed";
    public static final String BASE_SEED = "zerok.chaos.base.seed";
    public static final String ITERATIONS = "zerok.chaos.iterations";
    public static final String RESULTS = "zerok.chaos.results";
    public static final String RUN_ID = "zerok.chaos.run.id";
    /**
     * Iterations of one scenario run at once, each on its own topology (default 1). For wall-time
     * runs whose iterations mostly wait (delays, backoff, the seed's fixed durations): the nightly
     * catalogue on real processes. A scenario whose clean times are held to the baseline
     * ({@link Scenario.Injection#NONE}) always runs one at a time, so its times are not the
     * neighbours' load.
     */
    public static final String LANES = "zerok.chaos.lanes";
    /** The base seed when none is given: fixed, so CI runs are reproducible. */
    public static final long DEFAULT_BASE_SEED = 0x2E40_C4A0_5EEDL;

    /**
     * What a run uses.
     *
     * @param baseSeed iteration seeds derive from it
     * @param replaySeed if not null, run one iteration with exactly this seed
     * @param iterationsOverride if positive, the iteration count for every scenario
     * @param runDir where timelines, failures and the summary go
     * @param lanes how many iterations of one scenario may run at once, each on its own topology
     *     (at least 1; see {@link #LANES})
     */
    public record Settings(long baseSeed, Long replaySeed, int iterationsOverride, Path runDir, int lanes) {
        public Settings {
            if (lanes < 1) {
                throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
            }
        }

        /** One lane. */
        public Settings(long baseSeed, Long replaySeed, int iterationsOverride, Path runDir) {
            this(baseSeed, replaySeed, iterationsOverride, runDir, 1);
        }

        /** From the system properties (see the class comment). */
        public static Settings fromSystemProperties() {
            String replay = System.getProperty(SEED);
            String base = System.getProperty(BASE_SEED);
            String iterations = System.getProperty(ITERATIONS);
            Path results = Path.of(System.getProperty(RESULTS, "target/chaos-results"));
            return new Settings(base == null ? DEFAULT_BASE_SEED : Long.decode(base),
                    replay == null || replay.isBlank() ? null : Long.decode(replay),
                    iterations == null ? 0 : Integer.parseInt(iterations), results.resolve(RunReport.runId()),
                    Integer.parseInt(System.getProperty(LANES, "1")));
        }

        /** These settings with {@code iterations} as the iteration count. */
        public Settings withIterations(int iterations) {
            return new Settings(baseSeed, replaySeed, iterations, runDir, lanes);
        }
    }

    private ChaosRunner() {}

    /** Runs {@code scenario} with the settings from the system properties. */
    public static ScenarioResult run(Scenario scenario, TopologyFactory factory) {
        return run(scenario, factory, Settings.fromSystemProperties());
    }

    /**
     * Runs {@code scenario} on topologies from {@code factory}; never throws for a failing scenario.
     * After every iteration, passed or failed, the runner proves the topology's cleanup
     * ({@link CleanupProof}; a leak fails the scenario), demands evidence that the declared fault
     * acted ({@link FaultEvidence}; none fails it as "fault not exercised"), and records sync and
     * handshake times against the topology's clean {@link Baseline} (exceeding the thresholds fails
     * only a scenario that declares no fault).
     */
    public static ScenarioResult run(Scenario scenario, TopologyFactory factory, Settings settings) {
        return run(scenario, factory, settings, null);
    }

    /**
     * As {@link #run(Scenario, TopologyFactory, Settings)}, compared with {@code baseline} instead
     * of the run's measured or loaded one ({@link Baselines}); null means the run's.
     */
    public static ScenarioResult run(Scenario scenario, TopologyFactory factory, Settings settings, Baseline given) {
        long started = System.nanoTime();
        int planned = settings.replaySeed() != null ? 1
                : settings.iterationsOverride() > 0 ? settings.iterationsOverride() : scenario.category().iterations();
        String unavailable = factory.unavailableReason();
        if (unavailable != null) {
            return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned, 0,
                    unavailable, null, null, 0));
        }
        TreeSet<Capability> missing = new TreeSet<>(scenario.requires());
        missing.removeAll(factory.capabilities());
        if (!missing.isEmpty()) {
            return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned, 0,
                    "the " + factory.kind() + " topology cannot inject/observe " + missing, null, null, 0));
        }
        Optional<Baseline> baseline = given != null ? Optional.of(given) : Baselines.of(factory, settings.runDir());
        Path timelineFile = settings.runDir().resolve("timelines").resolve(scenario.id() + "." + factory.kind() + ".jsonl");
        int lanes = settings.replaySeed() != null || (scenario.injection() == Scenario.Injection.NONE
                && baseline.isPresent()) ? 1 : Math.min(settings.lanes(), planned);
        Outcome[] outcomes = runIterations(scenario, factory, settings, planned, lanes, baseline);
        int passed = 0;
        Aggregate total = new Aggregate();
        for (int i = 0; i < planned && outcomes[i] != null; i++) {
            Outcome outcome = outcomes[i];
            long seed = seedOf(settings, scenario, i);
            total.add(outcome);
            append(timelineFile, "{\"iteration\":" + i + ",\"seed\":" + seed + ",\"scenario\":\"" + scenario.id() + "\"}\n"
                    + outcome.timeline);
            if (outcome.notRunReason != null && outcome.failure == null) {
                return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned,
                        passed, outcome.notRunReason, null, null, millisSince(started), total.observations(baseline)));
            }
            if (outcome.failure != null) {
                Path dir = settings.runDir().resolve("failures").resolve(scenario.id() + "." + factory.kind() + "-seed-" + seed);
                capture(dir, scenario, factory.kind(), seed, i, outcome);
                String firstLine = firstLine(outcome.failure);
                return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned,
                        passed, null, seed, firstLine + " [replay: -D" + SEED + "=" + seed + "; capture: " + dir + "]",
                        millisSince(started), total.observations(baseline)));
            }
            passed++;
        }
        return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned, passed, null,
                null, null, millisSince(started), total.observations(baseline)));
    }

    private static long seedOf(Settings settings, Scenario scenario, int iteration) {
        return settings.replaySeed() != null ? settings.replaySeed() : iterationSeed(settings.baseSeed(), scenario.id(), iteration);
    }

    /**
     * The outcomes of iterations {@code 0..planned-1}, run by {@code lanes} threads that each take
     * the next iteration; after the first failed or not-run iteration no new one starts (the ones
     * running finish), so the array ends with nulls where iterations never ran. One lane runs them
     * in order on the calling thread and stops at the first failure.
     */
    private static Outcome[] runIterations(Scenario scenario, TopologyFactory factory, Settings settings, int planned,
            int lanes, Optional<Baseline> baseline) {
        Outcome[] outcomes = new Outcome[planned];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Runnable lane = () -> {
            for (int i = next.getAndIncrement(); i < planned && !stop.get(); i = next.getAndIncrement()) {
                Outcome o = runOnce(scenario, factory, seedOf(settings, scenario, i), baseline);
                synchronized (outcomes) {
                    outcomes[i] = o;
                }
                if (o.failure != null || o.notRunReason != null) {
                    stop.set(true);
                }
            }
        };
        if (lanes == 1) {
            lane.run();
            return outcomes;
        }
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
            threads.add(Thread.ofPlatform().name("chaos-lane-" + scenario.id() + "-" + l).start(lane));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChaosException("interrupted while iterations of " + scenario.id() + " ran", e);
            }
        }
        synchronized (outcomes) {
            return outcomes.clone();
        }
    }

    /** Sums what the iterations observed. */
    private static final class Aggregate {
        String cleanup = "";
        long faultEvents;
        Timings timings = new Timings(Optional.empty(), Optional.empty());
        String resources = "";

        void add(Outcome o) {
            if (o.cleanup != null && !cleanup.startsWith("LEAKED")) {
                cleanup = o.cleanup;
            }
            faultEvents += o.faultEvents;
            timings = timings.max(o.timings);
            if (!o.resources.isEmpty()) {
                resources = o.resources;
            }
        }

        ScenarioResult.Observations observations(Optional<Baseline> baseline) {
            return new ScenarioResult.Observations(cleanup, faultEvents, timings,
                    baseline.map(b -> b.compare(timings)).orElse("no baseline"), resources);
        }
    }

    /** The timeline of one iteration with {@code seed} (the determinism test compares two). */
    public static String timelineOf(Scenario scenario, TopologyFactory factory, long seed) {
        return runOnce(scenario, factory, seed).timeline;
    }

    /**
     * The seed of iteration {@code iteration} of scenario {@code id}: SplitMix64 of the base seed
     * mixed with the ID's hash and the iteration, so scenarios and iterations do not share seeds.
     */
    public static long iterationSeed(long baseSeed, String id, int iteration) {
        long h = baseSeed;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        return mix(h + iteration) & Long.MAX_VALUE;
    }

    private static long mix(long z) {
        z += 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private record Outcome(String timeline, List<String> relayLogs, List<String> linkStates, String notRunReason,
            Throwable failure, String cleanup, long faultEvents, Timings timings, String resources) {}

    private static Outcome runOnce(Scenario scenario, TopologyFactory factory, long seed) {
        return runOnce(scenario, factory, seed, Optional.empty());
    }

    private static Outcome runOnce(Scenario scenario, TopologyFactory factory, long seed, Optional<Baseline> baseline) {
        Path work;
        try {
            Path shm = Path.of("/dev/shm");
            work = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, CleanupProof.WORK_DIR_PREFIX)
                    : Files.createTempDirectory(CleanupProof.WORK_DIR_PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path topologyDir = work.resolve("t");
        Set<Long> processesBefore = CleanupProof.descendantsNow();
        Topology topology = null;
        String notRun = null;
        Throwable failure = null;
        List<String> logs = List.of();
        List<String> links = List.of();
        String resources = "";
        Optional<ResourceWitness.Footprint> footprint = Optional.empty();
        Optional<Map<Integer, Set<Long>>> socketsBeforeClose = Optional.empty();
        List<Timeline.Entry> entries = List.of();
        try {
            topology = factory.open(seed, topologyDir);
            try {
                scenario.body().run(topology);
                topology.verifyRelayLogs();
            } catch (NotRunException e) {
                topology.timeline().note("not-run", e.getMessage());
                notRun = e.getMessage();
            } catch (Throwable e) {
                topology.timeline().note("failed", firstLine(e));
                failure = e;
            }
            entries = topology.timeline().entries();
            if (failure == null && notRun == null) {
                Optional<String> unexercised = FaultEvidence.missing(scenario.injection(), entries);
                if (unexercised.isPresent()) {
                    topology.timeline().note("failed", unexercised.get());
                    failure = new AssertionError(unexercised.get() + " [declared " + scenario.injection() + "]");
                }
            }
            if (failure == null && notRun == null && scenario.injection() == Scenario.Injection.NONE
                    && baseline.isPresent()) {
                Timings timings = Timings.of(entries);
                Baseline b = baseline.get();
                if (b.exceedsSync(timings) || b.exceedsHandshake(timings)) {
                    String why = "clean scenario slower than the baseline thresholds (seed 000 13.2): " + b.compare(timings);
                    topology.timeline().note("failed", why);
                    failure = new AssertionError(why);
                }
            }
            if (failure != null) {
                logs = relayLogs(topology);
            }
            if (topology instanceof ResourceWitness witness) {
                resources = describeResources(topology, witness);
                links = safe(witness::linkStates);
                footprint = Optional.of(witness.footprint());
                socketsBeforeClose = CleanupProof.udpSockets(footprint.get().udpPorts());
            }
        } catch (NotRunException e) {
            notRun = e.getMessage();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            if (topology != null) {
                try {
                    topology.close();
                } catch (AssertionError alreadyReported) {
                    // the relay log audit: it ran after a passing body already, and a failing
                    // body is reported on its own
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        }
        String cleanup = CleanupProof.check(processesBefore, footprint, socketsBeforeClose, topologyDir);
        TempDirs.deleteRecursively(work);
        if (topology != null) {
            topology.timeline().note("cleanup", cleanup);
            entries = topology.timeline().entries();
        }
        if (!cleanup.equals("proven") && failure == null) {
            failure = new AssertionError("cleanup not proven: " + cleanup);
        }
        String timeline = topology == null ? "" : topology.timeline().toJsonLines();
        return new Outcome(timeline, logs, links, notRun, failure, cleanup, FaultEvidence.actingFaults(entries),
                Timings.of(entries), resources);
    }

    /** {@code relay-1 rss peak 181 MiB, fds 96->101, sessions 0; ...} for the relays that run now. */
    private static String describeResources(Topology topology, ResourceWitness witness) {
        if (!topology.capabilities().contains(Capability.RELAY_RESOURCES)) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (Relay r : topology.relays()) {
            if (!r.running()) {
                parts.add(r.name() + " not running");
                continue;
            }
            try {
                RelayResources now = topology.relayResources(r);
                OptionalLong peak = witness.relayPeakRssBytes(r);
                OptionalLong fdsAtStart = witness.relayOpenFdsAtStart(r);
                parts.add(r.name() + " rss peak " + (peak.isPresent() ? (peak.getAsLong() >> 20) + " MiB" : "?")
                        + ", fds " + (fdsAtStart.isPresent() ? fdsAtStart.getAsLong() : "?") + "->" + now.openFds()
                        + ", sessions " + now.sessions());
            } catch (RuntimeException e) {
                parts.add(r.name() + " resources unavailable (" + firstLine(e) + ")");
            }
        }
        return String.join("; ", parts);
    }

    private static List<String> safe(java.util.function.Supplier<List<String>> lines) {
        try {
            return lines.get();
        } catch (RuntimeException e) {
            return List.of("(unavailable: " + e.getMessage() + ")");
        }
    }

    private static List<String> relayLogs(Topology topology) {
        List<String> lines = new ArrayList<>();
        try {
            for (Relay r : topology.relays()) {
                lines.add("=== " + r.name());
                lines.addAll(topology.relayLogLines(r));
            }
        } catch (RuntimeException e) {
            lines.add("(relay logs unavailable: " + e.getMessage() + ")");
        }
        return lines;
    }

    private static void capture(Path dir, Scenario scenario, String kind, long seed, int iteration, Outcome outcome) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("timeline.jsonl"), outcome.timeline);
            Files.write(dir.resolve("relay-logs.txt"), outcome.relayLogs);
            Files.write(dir.resolve("links.txt"), outcome.linkStates);
            StringWriter trace = new StringWriter();
            outcome.failure.printStackTrace(new PrintWriter(trace));
            Files.writeString(dir.resolve("failure.txt"), "scenario: " + scenario.id() + " (" + scenario.title() + ")\n"
                    + "topology: " + kind + "\niteration: " + iteration + "\nseed: " + seed + "\nreplay: -D" + SEED + "="
                    + seed + "\ncleanup: " + outcome.cleanup
                    + "\nfault events: " + outcome.faultEvents + "\n\n" + trace);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the failure capture " + dir, e);
        }
    }

    private static void append(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String firstLine(Throwable t) {
        String m = t.getClass().getSimpleName() + ": " + (t.getMessage() == null ? "" : t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

}
