package dev.zerok.chaos.adversary;

import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.real.RealTopology;
import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.transport.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The measuring side of an adversarial scenario on the real topology: a legitimate pair of
 * devices (one pushes, the other must receive) probed before, during and after an attack, and the
 * relay process sampled all along. Records per phase the push-to-pulled latency (p50/p99/max),
 * the relay's resident memory (first, peak, last), open file descriptors and {@code /health}
 * connections; {@link #report()} renders them and {@link #close()} writes them to the timeline and
 * to {@code <results>/<run>/figures/<ID>.md}.
 *
 * <p>Used from the scenario's thread; the 100 ms sampler runs on its own daemon thread.
 */
public final class Siege implements AutoCloseable {
    /** How often the relay's memory, descriptors and sessions are sampled. */
    static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    /** One legitimate push must reach the other device within this. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

    private final RealTopology t;
    private final Relay relay;
    private final Device pusher;
    private final Device puller;
    private final String id;
    private final RelayProbe probe;
    private final Map<String, Phase> phases = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final ScheduledExecutorService sampler;
    private volatile Phase current;
    private int probeNumber;

    private static final class Phase {
        final String name;
        final List<Long> latenciesMillis = new ArrayList<>();
        int failedProbes;
        long rssFirst = -1;
        long rssPeak = -1;
        long rssLast = -1;
        long fdsFirst = -1;
        long fdsPeak = -1;
        long fdsLast = -1;
        long connectionsPeak = -1;
        long connectionsLast = -1;

        Phase(String name) {
            this.name = name;
        }

        synchronized void sample(long rss, long fds, long connections) {
            if (rssFirst < 0) {
                rssFirst = rss;
                fdsFirst = fds;
            }
            rssPeak = Math.max(rssPeak, rss);
            fdsPeak = Math.max(fdsPeak, fds);
            rssLast = rss;
            fdsLast = fds;
            if (connections >= 0) {
                connectionsPeak = Math.max(connectionsPeak, connections);
                connectionsLast = connections;
            }
        }
    }

    /**
     * @param pusher pushes one small blob per probe
     * @param puller must receive each probe's blob
     * @param id the scenario ID, names the figures file
     */
    public Siege(RealTopology t, Relay relay, Device pusher, Device puller, String id) {
        this.t = t;
        this.relay = relay;
        this.pusher = pusher;
        this.puller = puller;
        this.id = id;
        this.probe = new RelayProbe(t.relayPid(relay), t.relayHttpBase(relay));
        this.current = phase("before");
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, id + "-sampler");
            th.setDaemon(true);
            return th;
        });
        sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The relay process probe. */
    public RelayProbe probe() {
        return probe;
    }

    /** Where attackers connect: the relay's QUIC port on loopback, directly. */
    public Endpoint relayEndpoint() {
        return new Endpoint("127.0.0.1", t.relayPort(relay));
    }

    /** The relay's 32-byte static key, as devices pin it. */
    public byte[] relayStatic() {
        return t.relayId(relay).value();
    }

    /**
     * A source address of its own for attackers: a UDP forwarder listening on 127.0.0.2 whose
     * upstream sockets are bound to 127.0.0.2, so the relay sees the attack come from another
     * address than the legitimate devices (127.0.0.1), as per-source limits need. Closed by the caller.
     */
    public UdpFaultProxy attackSource(int maxConnections) {
        try {
            return UdpFaultProxy.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), t.relayPort(relay)))
                    .listen(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))
                    .maxSessions(maxConnections).idleTimeout(Duration.ofMinutes(5)).start();
        } catch (IOException e) {
            throw new ChaosException("cannot start the attack source on 127.0.0.2: " + e.getMessage(), e);
        }
    }

    /** Starts phase {@code name} (samples from now on count for it). */
    public void enter(String name) {
        current = phase(name);
        t.timeline().note("phase", id + " " + name);
    }

    /** Runs {@code count} probes in the current phase; returns how many completed. */
    public int probes(int count) {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            if (syncOnce() >= 0) {
                ok++;
            }
        }
        return ok;
    }

    /**
     * Probes back to back while {@code attackOngoing} holds, for at most {@code maxProbes} probes or
     * {@code maxTime}; returns how many completed while the attack was still ongoing at their end.
     */
    public int probeWhile(BooleanSupplier attackOngoing, int maxProbes, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        int during = 0;
        for (int i = 0; i < maxProbes && attackOngoing.getAsBoolean() && System.nanoTime() < deadline; i++) {
            if (syncOnce() >= 0 && attackOngoing.getAsBoolean()) {
                during++;
            }
        }
        return during;
    }

    /** One probe: the pusher pushes a small blob; milliseconds until the puller has it, or -1 (recorded as failed). */
    public long syncOnce() {
        Phase p = current;
        byte[] data = (id + " probe " + (++probeNumber) + " " + p.name).getBytes(StandardCharsets.UTF_8);
        long started = System.nanoTime();
        BlobId blob;
        try {
            blob = pusher.push(data);
        } catch (ChaosException e) {
            synchronized (p) {
                p.failedProbes++;
            }
            return -1;
        }
        boolean arrived = t.await(() -> puller.received().containsKey(blob), PROBE_TIMEOUT);
        long millis = (System.nanoTime() - started) / 1_000_000;
        synchronized (p) {
            if (arrived) {
                p.latenciesMillis.add(millis);
            } else {
                p.failedProbes++;
            }
        }
        return arrived ? millis : -1;
    }

    /** Probes that completed in phase {@code name}. */
    public int completed(String name) {
        Phase p = phases.get(name);
        synchronized (p) {
            return p.latenciesMillis.size();
        }
    }

    /** Probes that did not complete within {@link #PROBE_TIMEOUT} in phase {@code name}. */
    public int failed(String name) {
        Phase p = phases.get(name);
        synchronized (p) {
            return p.failedProbes;
        }
    }

    /** Peak resident memory of the relay in phase {@code name}, KiB. */
    public long rssPeakKiB(String name) {
        Phase p = phases.get(name);
        synchronized (p) {
            return p.rssPeak;
        }
    }

    /** A line for the report (attack figures: counts, outcomes). */
    public void note(String line) {
        notes.add(line);
        t.timeline().note("figure", id + " " + line);
    }

    /**
     * Polls until {@code condition} holds or {@code deadline} passes; records how long it took.
     *
     * @return true if it held in time
     */
    public boolean awaitRecorded(String what, BooleanSupplier condition, Duration deadline) {
        long started = System.nanoTime();
        boolean ok = t.await(condition, deadline);
        note(what + ": " + (ok ? "after " + (System.nanoTime() - started) / 1_000_000 + " ms" : "NOT within " + deadline));
        return ok;
    }

    /** The figures as a markdown table plus the notes. */
    public String report() {
        StringBuilder b = new StringBuilder("### " + id + " (real, seed " + t.seed() + ")\n\n"
                + "| phase | probes ok/failed | sync p50 ms | p99 ms | max ms | RSS first/peak/last MiB | fds first/peak/last "
                + "| /health connections peak/last |\n|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases.values()) {
            synchronized (p) {
                List<Long> sorted = p.latenciesMillis.stream().sorted().toList();
                b.append("| ").append(p.name).append(" | ").append(sorted.size()).append('/').append(p.failedProbes)
                        .append(" | ").append(percentile(sorted, 50)).append(" | ").append(percentile(sorted, 99))
                        .append(" | ").append(sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1)).append(" | ")
                        .append(mib(p.rssFirst)).append('/').append(mib(p.rssPeak)).append('/').append(mib(p.rssLast))
                        .append(" | ").append(p.fdsFirst).append('/').append(p.fdsPeak).append('/').append(p.fdsLast)
                        .append(" | ").append(p.connectionsPeak).append('/').append(p.connectionsLast).append(" |\n");
            }
        }
        for (String n : notes) {
            b.append("\n- ").append(n);
        }
        return b.append('\n').toString();
    }

    /** Stops the sampler; writes the report to the timeline and the figures file. */
    @Override
    public void close() {
        sampler.shutdownNow();
        String report = report();
        for (String line : report.split("\n")) {
            if (line.startsWith("|") && !line.startsWith("|---")) {
                t.timeline().note("figures", id + " " + line);
            }
        }
        Path dir = Path.of(System.getProperty(ChaosRunner.RESULTS, "target/chaos-results")).resolve(RunReport.runId())
                .resolve("figures");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(id + ".md"), report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            t.timeline().note("figures", "cannot write " + dir + ": " + e.getMessage());
        }
    }

    private Phase phase(String name) {
        return phases.computeIfAbsent(name, Phase::new);
    }

    private void sampleQuietly() {
        try {
            if (!probe.alive()) {
                return;
            }
            long connections;
            try {
                connections = probe.connections();
            } catch (ChaosException e) {
                connections = -1;
            }
            current.sample(probe.rssKiB(), probe.openFds(), connections);
        } catch (RuntimeException e) {
            // the process may be gone between the check and the read: nothing to sample
        }
    }

    static String percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return String.valueOf(sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))));
    }

    private static String mib(long kib) {
        return kib < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", kib / 1024.0);
    }
}
