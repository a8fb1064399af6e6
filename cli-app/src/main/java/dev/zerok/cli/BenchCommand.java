package dev.zerok.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zerok bench}: the sync benchmark of docs/PERFORMANCE.md. Generates the standard trees,
 * runs each case as fresh processes ({@code zerok demo TREE}: a new JVM for the two devices and a
 * new relay process per run), and prints one table: median, min and max of the push-to-written
 * time over the runs, throughput, and the peak RSS of the relay and of the devices' process, each
 * the maximum over the runs. Every run must verify byte for byte, or the command fails. With
 * {@code --warm-up} each run first syncs the demo's warm-up tree through the same processes
 * ({@code zerok demo --warm-up}), so the figures show warmed JVMs, as long-running devices and
 * relays have them; without it they include the JVMs' warm-up (class loading, JIT compilation).
 *
 * <p>Exit codes: 0 every run verified; 1 a run failed (its output is printed).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure sync through a relay on this machine: 1,000 x 1 KiB, 10,000 x 1 KiB in 100 "
                + "directories and 1 x 100 MiB, each as fresh processes, median of the runs (docs/PERFORMANCE.md)."})
public class BenchCommand implements Callable<Integer> {
    private static final Pattern TIME = Pattern.compile("time: ([0-9.]+) s push-to-written \\(seal\\+queue ([0-9.]+) s, "
            + "upload acked ([0-9.]+) s, download ([0-9.]+) s, write ([0-9.]+) s\\)");
    private static final Pattern RELAY_RSS = Pattern.compile("relay peak RSS: ([0-9.]+) MiB");
    private static final Pattern DEVICE_RSS = Pattern.compile("devices peak RSS: ([0-9.]+) MiB");

    /** One benchmark case: a generated tree. */
    record Case(String name, int directories, int filesPerDirectory, int bytesEach, String target) {
        long bytes() {
            return (long) directories * filesPerDirectory * bytesEach;
        }

        int files() {
            return directories * filesPerDirectory;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("1k", 1, 1_000, 1024, "<= 0.8 s"),
            new Case("10k", 100, 100, 1024, "<= 3 s"),
            new Case("100m", 1, 1, 100 << 20, "<= 1.0 s"));

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "fresh runs per case (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--cases", split = ",", defaultValue = "1k,10k,100m", paramLabel = "CASE",
            description = "which cases, comma-separated: 1k, 10k, 100m (default ${DEFAULT-VALUE})")
    List<String> cases;

    @Option(names = "--warm-up", description = "each run first syncs a warm-up tree through the same processes "
            + "(zerok demo --warm-up): figures of warmed JVMs")
    boolean warmUp;

    @Option(names = "--work", paramLabel = "DIR", description = "where the trees are generated (default: a new "
            + "temporary directory, deleted afterwards)")
    Path work;

    private final PrintStream out;

    public BenchCommand() {
        this(System.out);
    }

    BenchCommand(PrintStream out) {
        this.out = out;
    }

    /** The figures of one run. */
    record Run(double seconds, double sealQueue, double upload, double download, double write, double relayRssMiB,
            double deviceRssMiB) {}

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            System.err.println("zerok: bench: --runs must be 1 or more");
            return 1;
        }
        List<Case> chosen = new ArrayList<>();
        for (String name : cases) {
            Case c = CASES.stream().filter(x -> x.name().equals(name.trim())).findFirst().orElse(null);
            if (c == null) {
                System.err.println("zerok: bench: unknown case '" + name + "' (1k, 10k or 100m)");
                return 1;
            }
            chosen.add(c);
        }
        boolean temporary = work == null;
        Path root = temporary ? Files.createTempDirectory("zerok-bench-") : work.toAbsolutePath();
        try {
            List<String> rows = new ArrayList<>();
            for (Case c : chosen) {
                Path tree = generate(root, c);
                List<Run> results = new ArrayList<>();
                for (int i = 1; i <= runs; i++) {
                    Run run = runOnce(tree, root.resolve("run-" + c.name() + "-" + i));
                    if (run == null) {
                        return 1;
                    }
                    results.add(run);
                    out.printf(Locale.ROOT, "%-5s run %d: %.2f s (seal+queue %.2f, upload acked %.2f, download %.2f, "
                            + "write %.2f), relay %.0f MiB, devices %.0f MiB%n", c.name(), i, run.seconds(),
                            run.sealQueue(), run.upload(), run.download(), run.write(), run.relayRssMiB(), run.deviceRssMiB());
                }
                rows.add(row(c, results));
            }
            out.println();
            out.printf(Locale.ROOT, "| case | runs | median | min-max | throughput | relay peak RSS | devices peak RSS "
                    + "| target |%n|---|---|---|---|---|---|---|---|%n");
            rows.forEach(out::println);
            return 0;
        } finally {
            if (temporary) {
                DemoCommand.deleteTree(root);
            }
        }
    }

    private String row(Case c, List<Run> results) {
        List<Double> times = results.stream().map(Run::seconds).sorted().toList();
        double median = times.get(times.size() / 2);
        double relay = results.stream().mapToDouble(Run::relayRssMiB).max().orElse(0);
        double devices = results.stream().mapToDouble(Run::deviceRssMiB).max().orElse(0);
        String label = String.format(Locale.ROOT, "%,d x %s%s", c.files(), c.bytesEach() >= 1 << 20
                ? (c.bytesEach() >> 20) + " MiB" : (c.bytesEach() >> 10) + " KiB",
                c.directories() > 1 ? " in " + c.directories() + " dirs" : "") + (warmUp ? ", warm" : ", cold");
        return String.format(Locale.ROOT, "| %s | %d | %.2f s | %.2f-%.2f s | %.1f MB/s, %,.0f files/s | %.0f MiB | %.0f MiB | %s |",
                label, results.size(), median, times.getFirst(), times.getLast(), c.bytes() / 1e6 / median,
                c.files() / median, relay, devices, c.target());
    }

    /** Writes the case's tree once (deterministic content) and returns it. */
    static Path generate(Path root, Case c) throws IOException {
        Path tree = root.resolve("tree-" + c.name()).resolve("bench-" + c.name());
        if (Files.isDirectory(tree)) {
            return tree;
        }
        SplittableRandom random = new SplittableRandom(c.files());
        byte[] data = new byte[c.bytesEach()];
        for (int d = 0; d < c.directories(); d++) {
            Path dir = c.directories() > 1 ? tree.resolve(String.format(Locale.ROOT, "d%03d", d)) : tree;
            Files.createDirectories(dir);
            for (int f = 0; f < c.filesPerDirectory(); f++) {
                random.nextBytes(data);
                Files.write(dir.resolve(String.format(Locale.ROOT, "f%05d.bin", f)), data);
            }
        }
        return tree;
    }

    /**
     * The figures of a {@code zerok demo} output: the push-to-written time and its phases, and the
     * peak RSS lines (0 where the platform reported none).
     *
     * @return empty if the output has no time line (the demo failed)
     */
    static Optional<Run> parse(String demoOutput) {
        Matcher time = TIME.matcher(demoOutput);
        if (!time.find()) {
            return Optional.empty();
        }
        Matcher relay = RELAY_RSS.matcher(demoOutput);
        Matcher devices = DEVICE_RSS.matcher(demoOutput);
        return Optional.of(new Run(Double.parseDouble(time.group(1)), Double.parseDouble(time.group(2)),
                Double.parseDouble(time.group(3)), Double.parseDouble(time.group(4)), Double.parseDouble(time.group(5)),
                relay.find() ? Double.parseDouble(relay.group(1)) : 0,
                devices.find() ? Double.parseDouble(devices.group(1)) : 0));
    }

    /** One fresh {@code zerok demo} process; null (after printing its output) if it failed. */
    private Run runOnce(Path tree, Path runDir) throws IOException, InterruptedException {
        List<String> command = RelayChild.javaCommand(ZerokMain.class.getName());
        command.addAll(List.of("demo", "--work", runDir.toString(), "--timeout", "20m"));
        if (warmUp) {
            command.add("--warm-up");
        }
        command.add(tree.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = process.waitFor(25, TimeUnit.MINUTES);
        DemoCommand.deleteTree(runDir);
        Optional<Run> run = exited && process.exitValue() == 0 ? parse(text) : Optional.empty();
        if (run.isEmpty()) {
            process.destroyForcibly();
            out.println("zerok: bench: a run failed; its output:");
            out.println(text);
            return null;
        }
        return run.get();
    }
}
