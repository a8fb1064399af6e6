package dev.zerok.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The issue 4 sync benchmark (a manual main, not a unit test): time to sync 1,000 x 1 KiB,
 * 10,000 x 1 KiB and 1 x 100 MiB between two devices through a relay process on loopback, median
 * of 3 fresh runs each (new relay, new devices), and the relay's peak RSS. Each run is one
 * {@code zerok demo} on a generated tree; the time is push start to the last file written on the
 * second device. Command: see docs/OPERATIONS.md, "Client sync benchmark".
 */
public final class SyncBenchmarkMain {
    private static final Pattern TIME = Pattern.compile("time: ([0-9.]+) s push-to-written");
    private static final Pattern RSS = Pattern.compile("relay peak RSS: ([0-9.]+) MiB");

    private SyncBenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path base = Files.createTempDirectory("zerok-bench-");
        record Workload(String name, int files, int bytesEach) {}
        List<Workload> workloads = List.of(new Workload("1000 x 1 KiB", 1_000, 1024),
                new Workload("10000 x 1 KiB", 10_000, 1024), new Workload("1 x 100 MiB", 1, 100 << 20));
        for (Workload w : workloads) {
            Path tree = base.resolve(w.name().replace(' ', '_')).resolve("tree");
            Files.createDirectories(tree);
            SplittableRandom random = new SplittableRandom(w.files());
            byte[] data = new byte[w.bytesEach()];
            for (int i = 0; i < w.files(); i++) {
                random.nextBytes(data);
                Files.write(tree.resolve(String.format(Locale.ROOT, "f%05d", i)), data);
            }
            List<Double> times = new ArrayList<>();
            double rss = 0;
            for (int r = 0; r < runs; r++) {
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                DemoCommand demo = new DemoCommand(new PrintStream(captured, true, StandardCharsets.UTF_8));
                demo.dir = tree;
                demo.timeout = java.time.Duration.ofMinutes(20);
                int exit = demo.call();
                String text = captured.toString(StandardCharsets.UTF_8);
                Matcher t = TIME.matcher(text);
                Matcher m = RSS.matcher(text);
                if (exit != 0 || !t.find()) {
                    System.out.println(w.name() + " run " + (r + 1) + " FAILED:\n" + text);
                    System.exit(1);
                }
                times.add(Double.parseDouble(t.group(1)));
                if (m.find()) {
                    rss = Math.max(rss, Double.parseDouble(m.group(1)));
                }
                System.out.printf(Locale.ROOT, "%-14s run %d: %.2f s%n", w.name(), r + 1, times.getLast());
            }
            List<Double> sorted = times.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "%-14s median of %d: %.2f s (runs %s), relay peak RSS %.1f MiB%n", w.name(), runs,
                    sorted.get(sorted.size() / 2), times, rss);
        }
    }
}
