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

    /** The summary as a Markdown table. */
    public static synchronized String table() {
        StringBuilder out = new StringBuilder("| scenario | topology | iterations | passed | verdict | not run reason / failure | wall ms |\n"
                + "|---|---|---|---|---|---|---|\n");
        int passed = 0;
        int failed = 0;
        int notRun = 0;
        for (ScenarioResult r : new ArrayList<>(RESULTS)) {
            String note = r.notRunReason() != null ? r.notRunReason() : r.failure() != null ? r.failure() : "";
            out.append("| ").append(r.id()).append(" | ").append(r.topology()).append(" | ").append(r.iterations())
                    .append(" | ").append(r.passed()).append(" | ").append(r.verdict()).append(" | ")
                    .append(note.replace("|", "\\|")).append(" | ").append(r.wallMillis()).append(" |\n");
            switch (r.verdict()) {
                case "PASSED" -> passed++;
                case "FAILED" -> failed++;
                default -> notRun++;
            }
        }
        out.append("\n").append(passed).append(" passed, ").append(failed).append(" failed, ").append(notRun)
                .append(" not run\n");
        return out.toString();
    }
}
