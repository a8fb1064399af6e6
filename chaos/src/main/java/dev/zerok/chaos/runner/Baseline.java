package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The clean baseline of one topology kind (seed 000 section 13.2): two devices on one relay, no
 * fault; {@code handshake} is the longer of the two devices' times from being added to SYNCED,
 * {@code sync} the time from pushing one blob of {@value #BLOB_BYTES} bytes (or the largest payload
 * the topology allows, if smaller) on one device to its delivery on the other. Thresholds: a
 * scenario's sync time above {@value #SYNC_FACTOR}x and handshake time above
 * {@value #HANDSHAKE_FACTOR}x the baseline are flagged; the runner fails only scenarios that declare
 * no fault ({@link Scenario.Injection#NONE}), where the seed's "&gt; 10X = failure" is meaningful
 * (under 7 KB/s or a partition the times are expected to exceed it).
 *
 * @param kind the topology kind
 * @param handshake clean handshake time
 * @param sync clean sync time of one {@code blobBytes} blob
 * @param blobBytes the blob size measured
 */
public record Baseline(String kind, Duration handshake, Duration sync, int blobBytes) {
    public static final int BLOB_BYTES = 1 << 20;
    public static final long SYNC_FACTOR = 10;
    public static final long HANDSHAKE_FACTOR = 5;

    /**
     * Measures it on a fresh topology from {@code factory} (seed fixed, so the mock's is
     * reproducible).
     *
     * @throws IllegalStateException if the clean run does not converge within two minutes
     */
    public static Baseline measure(TopologyFactory factory, Path workDir) {
        try (Topology t = factory.open(0xBA5E_11E5L, workDir)) {
            Relay relay = t.addRelay();
            Group group = t.newGroup();
            Device a = t.addDevice(group, List.of(relay));
            Device b = t.addDevice(group, List.of(relay));
            if (!t.awaitConvergence(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the clean baseline did not converge on " + factory.kind());
            }
            int size = Math.min(BLOB_BYTES, a.maxPayloadBytes());
            byte[] data = new byte[size];
            new SplittableRandom(7).nextBytes(data);
            var blob = a.push(data);
            if (!t.await(() -> b.received().containsKey(blob), Duration.ofMinutes(2))) {
                throw new IllegalStateException("the clean baseline blob did not arrive on " + factory.kind());
            }
            Timings timings = Timings.of(t.timeline().entries());
            return new Baseline(factory.kind(), timings.handshake().orElseThrow(), timings.sync().orElseThrow(), size);
        }
    }

    /** How {@code timings} compare: e.g. {@code sync 3.1x, handshake 0.9x}, with {@code EXCEEDED} flags. */
    public String compare(Timings timings) {
        if (!comparable()) {
            return "not compared: clean baseline " + sync.toMillis() + " ms sync, " + handshake.toMillis()
                    + " ms handshake (no link latency in topology time)";
        }
        StringBuilder out = new StringBuilder();
        timings.sync().ifPresent(s -> out.append("sync ").append(ratio(s, sync))
                .append(exceedsSync(timings) ? " EXCEEDED>10x" : ""));
        timings.handshake().ifPresent(h -> out.append(out.isEmpty() ? "" : ", ").append("handshake ")
                .append(ratio(h, handshake)).append(exceedsHandshake(timings) ? " EXCEEDED>5x" : ""));
        return out.isEmpty() ? "no sync/handshake" : out.toString();
    }

    /**
     * Whether ratios mean anything: the mock's virtual time has no link latency, so its clean
     * baseline is 0 ms and every ratio would be infinite.
     */
    public boolean comparable() {
        return !sync.isZero() && !handshake.isZero();
    }

    /** Whether the scenario's sync time is above {@value #SYNC_FACTOR}x the baseline (false if not {@link #comparable()}). */
    public boolean exceedsSync(Timings timings) {
        return comparable() && timings.sync().map(s -> s.compareTo(sync.multipliedBy(SYNC_FACTOR)) > 0).orElse(false);
    }

    /** Whether the scenario's handshake time is above {@value #HANDSHAKE_FACTOR}x the baseline (false if not {@link #comparable()}). */
    public boolean exceedsHandshake(Timings timings) {
        return comparable() && timings.handshake().map(h -> h.compareTo(handshake.multipliedBy(HANDSHAKE_FACTOR)) > 0).orElse(false);
    }

    private static String ratio(Duration value, Duration base) {
        double r = base.isZero() ? Double.POSITIVE_INFINITY : (double) value.toNanos() / base.toNanos();
        return String.format(java.util.Locale.ROOT, "%d ms (%.1fx)", value.toMillis(), r);
    }

    /** Writes it as a properties file ({@code kind, handshake.ms, sync.ms, blob.bytes}). */
    public void write(Path file) {
        Properties p = new Properties();
        p.setProperty("kind", kind);
        p.setProperty("handshake.ms", String.valueOf(handshake.toMillis()));
        p.setProperty("sync.ms", String.valueOf(sync.toMillis()));
        p.setProperty("blob.bytes", String.valueOf(blobBytes));
        try {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "zerok chaos clean baseline (seed 000 section 13.2)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the baseline " + file, e);
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IllegalArgumentException if a key is missing or not a number
     */
    public static Baseline read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the baseline " + file, e);
        }
        try {
            return new Baseline(p.getProperty("kind"), Duration.ofMillis(Long.parseLong(p.getProperty("handshake.ms"))),
                    Duration.ofMillis(Long.parseLong(p.getProperty("sync.ms"))),
                    Integer.parseInt(p.getProperty("blob.bytes")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("baseline file " + file + " lacks kind/handshake.ms/sync.ms/blob.bytes: "
                    + e.getMessage(), e);
        }
    }
}
