package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.TopologyFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clean {@link Baseline} of each topology kind in this JVM's run: measured once per kind, on
 * the first scenario that runs there, and written to {@code <run>/baseline-<kind>.properties}; or
 * loaded from a file written by an earlier baseline step.
 *
 * <p>System property {@value #PROPERTY}: {@code measure} (default), {@code off} (no comparison),
 * or a directory holding {@code baseline-<kind>.properties} files to load instead of measuring.
 * Thread-safe.
 */
public final class Baselines {
    public static final String PROPERTY = "zerok.chaos.baseline";
    private static final Map<String, Optional<Baseline>> BY_KIND = new ConcurrentHashMap<>();
    private static final Map<String, String> FAILURES = new ConcurrentHashMap<>();

    private Baselines() {}

    /** The baseline of {@code factory}'s kind, or empty if disabled or it could not be measured. */
    public static Optional<Baseline> of(TopologyFactory factory, Path runDir) {
        return BY_KIND.computeIfAbsent(factory.kind(), kind -> load(factory, runDir));
    }

    /** Why a kind has no baseline (for the summary), or null. */
    public static String failure(String kind) {
        return FAILURES.get(kind);
    }

    private static Optional<Baseline> load(TopologyFactory factory, Path runDir) {
        String mode = System.getProperty(PROPERTY, "measure");
        if (mode.equals("off")) {
            FAILURES.put(factory.kind(), "baseline off (-D" + PROPERTY + "=off)");
            return Optional.empty();
        }
        Path file = runDir.resolve("baseline-" + factory.kind() + ".properties");
        if (!mode.equals("measure")) {
            Path given = Path.of(mode).resolve("baseline-" + factory.kind() + ".properties");
            if (!Files.isRegularFile(given)) {
                FAILURES.put(factory.kind(), "no baseline file " + given);
                return Optional.empty();
            }
            Baseline b = Baseline.read(given);
            b.write(file);
            return Optional.of(b);
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("zerok-baseline-");
            Baseline b = Baseline.measure(factory, work.resolve("t"));
            b.write(file);
            return Optional.of(b);
        } catch (IOException | RuntimeException e) {
            FAILURES.put(factory.kind(), "baseline not measured: " + e.getMessage());
            return Optional.empty();
        } finally {
            if (work != null) {
                try (var paths = Files.walk(work)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a leftover empty temporary directory
                }
            }
        }
    }
}
