package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
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
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs a {@link Scenario} on a topology for its iterations (seed 000 section 11.3): each iteration
 * gets its own seed derived from the base seed, the scenario ID and the iteration number; the
 * scenario passes only if every iteration passes; the first failure stops it and is captured
 * (timeline, relay logs, the seed) under {@code <results>/<run-id>/failures/}. Every iteration's
 * timeline is appended to {@code <results>/<run-id>/timelines/<ID>.<topology>.jsonl}, and the
 * run's summary table is rewritten after each scenario ({@link RunReport}).
 *
 * <p>System properties: {@value #SEED} replays exactly one iteration with that seed;
 * {@value #BASE_SEED} changes the base seed; {@value #ITERATIONS} overrides the iteration count;
 * {@value #RESULTS} sets the results directory (default {@code target/chaos-results}, relative to the
 * module when run by Maven); {@value #RUN_ID} names the run.
 */
public final class ChaosRunner {
    public static final String SEED = "zerok.chaos.seed";
    public static final String BASE_SEED = "zerok.chaos.base.seed";
    public static final String ITERATIONS = "zerok.chaos.iterations";
    public static final String RESULTS = "zerok.chaos.results";
    public static final String RUN_ID = "zerok.chaos.run.id";
    /** The base seed when none is given: fixed, so CI runs are reproducible. */
    public static final long DEFAULT_BASE_SEED = 0x2E40_C4A0_5EEDL;

    /**
     * What a run uses.
     *
     * @param baseSeed iteration seeds derive from it
     * @param replaySeed if not null, run one iteration with exactly this seed
     * @param iterationsOverride if positive, the iteration count for every scenario
     * @param runDir where timelines, failures and the summary go
     */
    public record Settings(long baseSeed, Long replaySeed, int iterationsOverride, Path runDir) {
        /** From the system properties (see the class comment). */
        public static Settings fromSystemProperties() {
            String replay = System.getProperty(SEED);
            String base = System.getProperty(BASE_SEED);
            String iterations = System.getProperty(ITERATIONS);
            Path results = Path.of(System.getProperty(RESULTS, "target/chaos-results"));
            return new Settings(base == null ? DEFAULT_BASE_SEED : Long.decode(base),
                    replay == null || replay.isBlank() ? null : Long.decode(replay),
                    iterations == null ? 0 : Integer.parseInt(iterations), results.resolve(RunReport.runId()));
        }
    }

    private ChaosRunner() {}

    /** Runs {@code scenario} with the settings from the system properties. */
    public static ScenarioResult run(Scenario scenario, TopologyFactory factory) {
        return run(scenario, factory, Settings.fromSystemProperties());
    }

    /** Runs {@code scenario} on topologies from {@code factory}; never throws for a failing scenario. */
    public static ScenarioResult run(Scenario scenario, TopologyFactory factory, Settings settings) {
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
        Path timelineFile = settings.runDir().resolve("timelines").resolve(scenario.id() + "." + factory.kind() + ".jsonl");
        int passed = 0;
        for (int i = 0; i < planned; i++) {
            long seed = settings.replaySeed() != null ? settings.replaySeed()
                    : iterationSeed(settings.baseSeed(), scenario.id(), i);
            Outcome outcome = runOnce(scenario, factory, seed);
            append(timelineFile, "{\"iteration\":" + i + ",\"seed\":" + seed + ",\"scenario\":\"" + scenario.id() + "\"}\n"
                    + outcome.timeline);
            if (outcome.notRunReason != null) {
                return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned,
                        passed, outcome.notRunReason, null, null, millisSince(started)));
            }
            if (outcome.failure != null) {
                Path dir = settings.runDir().resolve("failures").resolve(scenario.id() + "." + factory.kind() + "-seed-" + seed);
                capture(dir, scenario, factory.kind(), seed, i, outcome);
                String firstLine = firstLine(outcome.failure);
                return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned,
                        passed, null, seed, firstLine + " [replay: -D" + SEED + "=" + seed + "; capture: " + dir + "]",
                        millisSince(started)));
            }
            passed++;
        }
        return RunReport.record(settings.runDir(), new ScenarioResult(scenario.id(), factory.kind(), planned, passed, null,
                null, null, millisSince(started)));
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

    private record Outcome(String timeline, List<String> relayLogs, String notRunReason, Throwable failure) {}

    private static Outcome runOnce(Scenario scenario, TopologyFactory factory, long seed) {
        Path work;
        try {
            Path shm = Path.of("/dev/shm");
            work = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "zerok-chaos-")
                    : Files.createTempDirectory("zerok-chaos-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Topology topology = null;
        try {
            topology = factory.open(seed, work.resolve("t"));
            try {
                scenario.body().run(topology);
                topology.verifyRelayLogs();
                return new Outcome(topology.timeline().toJsonLines(), List.of(), null, null);
            } catch (NotRunException e) {
                topology.timeline().note("not-run", e.getMessage());
                return new Outcome(topology.timeline().toJsonLines(), List.of(), e.getMessage(), null);
            } catch (Throwable e) {
                topology.timeline().note("failed", firstLine(e));
                return new Outcome(topology.timeline().toJsonLines(), relayLogs(topology), null, e);
            }
        } catch (NotRunException e) {
            return new Outcome("", List.of(), e.getMessage(), null);
        } catch (RuntimeException e) {
            return new Outcome(topology == null ? "" : topology.timeline().toJsonLines(), List.of(), null, e);
        } finally {
            if (topology != null) {
                try {
                    topology.close();
                } catch (AssertionError alreadyReported) {
                    // the relay log audit: it ran after a passing body already, and a failing
                    // body is reported on its own
                }
            }
            deleteRecursively(work);
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
            StringWriter trace = new StringWriter();
            outcome.failure.printStackTrace(new PrintWriter(trace));
            Files.writeString(dir.resolve("failure.txt"), "scenario: " + scenario.id() + " (" + scenario.title() + ")\n"
                    + "topology: " + kind + "\niteration: " + iteration + "\nseed: " + seed + "\nreplay: -D" + SEED + "="
                    + seed + "\n\n" + trace);
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

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a run for
        }
    }
}
