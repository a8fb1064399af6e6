package dev.zerok.chaos.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The results of every scenario run in this JVM, and the summary table (scenario, topology,
 * iterations, passed, verdict, not run reason / failure) rewritten to {@code <run>/summary.md}
 * after each scenario, so it is complete when the run ends however it ends. Thread-safe.
 *
 * <p>Each result is also appended to {@code <run>/results.tsv}, and the summary is built from that
 * file: several JVMs given the same run id ({@value ChaosRunner#RUN_ID}: the test JVMs Maven forks
 * at once in one build, or one nightly category per evening) fill one summary, under a file lock.
 * An ID run again on the same topology in a later JVM replaces that ID's earlier rows there.
 */
public final class RunReport {
    private static final String RUN_ID = System.getProperty(ChaosRunner.RUN_ID,
            "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + ProcessHandle.current().pid());
    /** Tells this JVM's rows in {@code results.tsv} from earlier JVMs' rows. */
    private static final String STAMP = System.currentTimeMillis() + "-" + ProcessHandle.current().pid();
    private static final String RESULTS_FILE = "results.tsv";
    private static final List<ScenarioResult> RESULTS = new ArrayList<>();
    private static Catalogue catalogue = Catalogue.standard();

    /** One summary row: the JVM that produced it, the ID, its topology, verdict and the rendered Markdown row. */
    record Row(String stamp, String id, String topology, String verdict, String markdown) {
        static Row of(String stamp, ScenarioResult r) {
            return new Row(stamp, r.id(), r.topology(), r.verdict(), render(r));
        }

        String line() {
            return String.join("\t", stamp, id, topology, verdict, markdown) + "\n";
        }

        /** The row of a {@code results.tsv} line, or null if the line is not one (a torn last line). */
        static Row parse(String line) {
            String[] f = line.split("\t", 5);
            return f.length == 5 ? new Row(f[0], f[1], f[2], f[3], f[4]) : null;
        }
    }

    private RunReport() {}

    /** This JVM's run id (the directory name under the results directory). */
    public static String runId() {
        return RUN_ID;
    }

    /**
     * The catalogue the summary lists (default {@link Catalogue#standard()}); the real catalogue
     * tests set the one with the adversarial entries, so their IDs are not reported "no scenario".
     */
    public static synchronized void useCatalogue(Catalogue c) {
        catalogue = c;
    }

    /**
     * Adds {@code result}, appends it to {@code runDir/results.tsv} and rewrites
     * {@code runDir/summary.md} from every row there; returns {@code result}.
     *
     * @throws UncheckedIOException if the run directory cannot be written
     */
    public static synchronized ScenarioResult record(Path runDir, ScenarioResult result) {
        RESULTS.add(result);
        try {
            Files.createDirectories(runDir);
            Path file = runDir.resolve(RESULTS_FILE);
            // Test JVMs running at once share the run: each appends, reads and rewrites under one lock.
            try (FileChannel lock = FileChannel.open(runDir.resolve(RESULTS_FILE + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock held = lock.lock()) {
                Files.writeString(file, Row.of(STAMP, result).line(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                List<Row> rows = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(Row::parse)
                        .filter(r -> r != null).toList();
                Files.writeString(runDir.resolve("summary.md"), summaryOfRows(catalogue, rows));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chaos summary", e);
        }
        return result;
    }

    /** Every result of this JVM so far, in order. */
    public static synchronized List<ScenarioResult> results() {
        return List.copyOf(RESULTS);
    }

    /**
     * The summary of this JVM's results as Markdown: one row per catalogue ID ({@link Catalogue#ALL_IDS},
     * in order) and topology it ran on, with the verdict (PASSED / FAILED / NOT RUN and why), iterations
     * passed of planned, wall time, the cleanup proof, the fault events observed, sync and handshake
     * times against the clean baseline and the relay's resources; an ID that did not run is NOT RUN
     * ("no scenario" if the catalogue has none, else "not selected in this run"). Results of IDs
     * outside the catalogue follow. Ends with the ID counts and the baselines.
     */
    public static synchronized String table() {
        return summary(catalogue, RESULTS);
    }

    static String summary(Catalogue c, List<ScenarioResult> results) {
        return summaryOfRows(c, results.stream().map(r -> Row.of(STAMP, r)).toList());
    }

    static String summaryOfRows(Catalogue c, List<Row> all) {
        // per ID and topology, only the rows of the last JVM that ran it there (two test JVMs of
        // one run may run the same ID, one on mock and one on real)
        Map<String, String> latest = new LinkedHashMap<>();
        all.forEach(r -> latest.put(r.id() + "\t" + r.topology(), r.stamp()));
        List<Row> rows = all.stream().filter(r -> r.stamp().equals(latest.get(r.id() + "\t" + r.topology()))).toList();
        StringBuilder out = new StringBuilder(HEADER);
        int[] counts = new int[3];
        for (String id : c.ids()) {
            List<Row> mine = rows.stream().filter(r -> r.id().equals(id)).toList();
            if (mine.isEmpty()) {
                String why = c.missingReason(id).orElse("not selected in this run");
                out.append("| ").append(id).append(" | NOT RUN | | | | | | | | ").append(escape(why)).append(" |\n");
                counts[2]++;
                continue;
            }
            mine.forEach(r -> out.append(r.markdown()).append('\n'));
            boolean failed = mine.stream().anyMatch(r -> r.verdict().equals("FAILED"));
            boolean passed = mine.stream().anyMatch(r -> r.verdict().equals("PASSED"));
            counts[failed ? 1 : passed ? 0 : 2]++;
        }
        List<Row> others = rows.stream().filter(r -> !c.ids().contains(r.id())).toList();
        if (!others.isEmpty()) {
            out.append("\nOutside the catalogue:\n\n").append(HEADER);
            others.forEach(r -> out.append(r.markdown()).append('\n'));
        }
        out.append("\n").append(c.ids().size()).append(" catalogue IDs: ").append(counts[0]).append(" passed, ")
                .append(counts[1]).append(" failed, ").append(counts[2]).append(" not run\n");
        Set<String> kinds = new TreeSet<>();
        rows.forEach(r -> kinds.add(r.topology()));
        for (String kind : kinds) {
            String failure = Baselines.failure(kind);
            out.append("\nbaseline ").append(kind).append(": ").append(failure != null ? failure
                    : "see baseline-" + kind + ".properties (thresholds: sync <= " + Baseline.SYNC_FACTOR
                            + "x, handshake <= " + Baseline.HANDSHAKE_FACTOR + "x; enforced for scenarios declaring no fault)")
                    .append("\n");
        }
        return out.toString();
    }

    private static final String HEADER = "| ID | verdict | topology | passed/planned | wall ms | cleanup | fault events "
            + "| vs baseline (sync, handshake) | relay resources | not run reason / failure |\n"
            + "|---|---|---|---|---|---|---|---|---|---|\n";

    private static String render(ScenarioResult r) {
        ScenarioResult.Observations o = r.observations();
        String note = r.notRunReason() != null ? r.notRunReason() : r.failure() != null ? r.failure() : "";
        return "| " + r.id() + " | " + r.verdict() + " | " + r.topology() + " | " + r.passed() + '/' + r.iterations()
                + " | " + r.wallMillis() + " | " + escape(o.cleanup()) + " | " + o.faultEvents() + " | "
                + escape(o.vsBaseline()) + " | " + escape(o.relayResources()) + " | " + escape(note) + " |";
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ").replace("\t", " ").replace("\r", " ");
    }
}
