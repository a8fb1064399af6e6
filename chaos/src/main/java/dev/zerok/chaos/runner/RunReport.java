package dev.zerok.chaos.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The results of every scenario run in this JVM, and the summary table (scenario, topology,
 * iterations, passed, verdict, not run reason / failure) rewritten to {@code <run>/summary.md}
 * after each scenario, so it is complete when the run ends however it ends. Thread-safe.
 */
public final class RunReport {
    private static final String RUN_ID = System.getProperty(ChaosRunner.RUN_ID,
            "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + ProcessHandle.current().pid());
    private static final List<ScenarioResult> RESULTS = new ArrayList<>();

    private RunReport() {}

    /** This JVM's run id (the directory name under the results directory). */
    public static String runId() {
        return RUN_ID;
    }

    /** Adds {@code result} and rewrites the summary in {@code runDir}; returns {@code result}. */
    public static synchronized ScenarioResult record(Path runDir, ScenarioResult result) {
        RESULTS.add(result);
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("summary.md"), table());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chaos summary", e);
        }
        return result;
    }

    /** Every result so far, in order. */
    public static synchronized List<ScenarioResult> results() {
        return List.copyOf(RESULTS);
    }

    /**
     * The summary as Markdown: one row per catalogue ID ({@link Catalogue#ALL_IDS}, in order) and
     * topology it ran on, with the verdict (PASSED / FAILED / NOT RUN and why), iterations passed of
     * planned, wall time, the cleanup proof, the fault events observed, sync and handshake times
     * against the clean baseline and the relay's resources; an ID that did not run in this JVM is
     * NOT RUN ("no scenario" if the catalogue has none, else "not selected in this run"). Results
     * of IDs outside the catalogue follow. Ends with the ID counts and the baselines.
     */
    public static synchronized String table() {
        return summary(Catalogue.standard(), new ArrayList<>(RESULTS));
    }

    static String summary(Catalogue catalogue, List<ScenarioResult> results) {
        StringBuilder out = new StringBuilder("| ID | verdict | topology | passed/planned | wall ms | cleanup | fault events "
                + "| vs baseline (sync, handshake) | relay resources | not run reason / failure |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        java.util.Map<String, Integer> idVerdicts = new java.util.LinkedHashMap<>();
        int[] counts = new int[3];
        for (String id : catalogue.ids()) {
            List<ScenarioResult> mine = results.stream().filter(r -> r.id().equals(id)).toList();
            if (mine.isEmpty()) {
                String why = catalogue.missingReason(id).orElse("not selected in this run");
                out.append("| ").append(id).append(" | NOT RUN | | | | | | | | ").append(escape(why)).append(" |\n");
                counts[2]++;
                continue;
            }
            mine.forEach(r -> row(out, r));
            boolean failed = mine.stream().anyMatch(r -> r.verdict().equals("FAILED"));
            boolean passed = mine.stream().anyMatch(r -> r.verdict().equals("PASSED"));
            counts[failed ? 1 : passed ? 0 : 2]++;
        }
        List<ScenarioResult> others = results.stream().filter(r -> !catalogue.ids().contains(r.id())).toList();
        if (!others.isEmpty()) {
            out.append("\nOutside the catalogue:\n\n| ID | verdict | topology | passed/planned | wall ms | cleanup "
                    + "| fault events | vs baseline (sync, handshake) | relay resources | not run reason / failure |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|\n");
            others.forEach(r -> row(out, r));
        }
        out.append("\n").append(catalogue.ids().size()).append(" catalogue IDs: ").append(counts[0]).append(" passed, ")
                .append(counts[1]).append(" failed, ").append(counts[2]).append(" not run\n");
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        results.forEach(r -> kinds.add(r.topology()));
        for (String kind : kinds) {
            String failure = Baselines.failure(kind);
            out.append("\nbaseline ").append(kind).append(": ").append(failure != null ? failure
                    : "see baseline-" + kind + ".properties (thresholds: sync <= " + Baseline.SYNC_FACTOR
                            + "x, handshake <= " + Baseline.HANDSHAKE_FACTOR + "x; enforced for scenarios declaring no fault)")
                    .append("\n");
        }
        return out.toString();
    }

    private static void row(StringBuilder out, ScenarioResult r) {
        ScenarioResult.Observations o = r.observations();
        String note = r.notRunReason() != null ? r.notRunReason() : r.failure() != null ? r.failure() : "";
        out.append("| ").append(r.id()).append(" | ").append(r.verdict()).append(" | ").append(r.topology())
                .append(" | ").append(r.passed()).append('/').append(r.iterations()).append(" | ").append(r.wallMillis())
                .append(" | ").append(escape(o.cleanup())).append(" | ").append(o.faultEvents()).append(" | ")
                .append(escape(o.vsBaseline())).append(" | ").append(escape(o.relayResources())).append(" | ")
                .append(escape(note)).append(" |\n");
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
