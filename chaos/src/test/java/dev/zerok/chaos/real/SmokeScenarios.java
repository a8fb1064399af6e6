package dev.zerok.chaos.real;

import dev.zerok.chaos.assertions.ChaosAssertions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.id.BlobId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The CI smoke trio of seed 000 section 12.2 (T-LOSS-02, E-HS-01, S-CONC-01), written against
 * {@link Topology} only, so the real and docker tests (and any other topology) run the same code.
 * Each method is one iteration; it throws an {@link AssertionError} naming the seed on failure.
 * Payloads carry a canary that must never appear in relay storage, relay logs or captured frames.
 */
public final class SmokeScenarios {
    /** In every payload; the no-plaintext checks search for it. */
    static final byte[] CANARY = "zerok-canary-7f3a9c51".getBytes(StandardCharsets.US_ASCII);
    /** Hex runs this long in a relay log would be key material or ids (the relay's own pinned key is printed once). */
    private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{40,}");

    /**
     * E-HS-01's up-direction byte budget on the real topology: UDP payload bytes a fresh device
     * connection sends through the proxy up to and including Noise handshake message 1 (QUIC
     * Initial and Handshake flights, then the 1,216-byte message 1 on the stream). Measured on
     * loopback with 1350-byte datagrams: at 3,300 bytes message 1 does not reach the relay, at
     * 3,800 it does and the handshake stalls, at 4,200 the device syncs (a whole clean
     * connection set-up to SYNCED sends 4,137 bytes up).
     */
    public static final long REAL_HANDSHAKE_MESSAGE_1_UP_BYTES = 3_850;

    private SmokeScenarios() {}

    /**
     * T-LOSS-02: 20% packet loss in both directions on every link; two devices push; sync completes
     * within the timeout and every blob arrives byte for byte (no corruption, no failed blob).
     */
    public static void tLoss02(Topology t) {
        Relay relay = t.addRelay();
        Group g = t.newGroup();
        Device a = t.addDevice(g, List.of(relay));
        Device b = t.addDevice(g, List.of(relay));
        LinkFaults loss = LinkFaults.NONE.withLoss(0.2);
        t.setFaults(a, relay, LinkDirection.BOTH, loss);
        t.setFaults(b, relay, LinkDirection.BOTH, loss);
        SplittableRandom random = new SplittableRandom(t.seed());
        for (int i = 0; i < 4; i++) {
            a.push(payload(random, 3000 + i * 1500));
        }
        b.push(payload(random, 2000));

        assertThat(t.awaitConvergence(Duration.ofSeconds(60))).as(failure(t, "no convergence under 20% loss")).isTrue();
        assertDelivered(t, a, b);
        assertDelivered(t, b, a);
        assertThat(t.timeline().entries()).as(failure(t, "the loss was injected"))
                .anyMatch(e -> e.type().equals("observe") && e.what().equals("fault"));
        assertNoPlaintextAtRelay(t, relay);
    }

    /**
     * E-HS-01: the device's link to the relay is cut (limit-data) after the first handshake
     * message; the handshake cannot complete, nothing is delivered, no key material or plaintext
     * shows at the relay; once the cut is lifted the device retries cleanly and syncs.
     *
     * @param limitBytes the up-direction byte budget that lets handshake message 1 through and
     *     nothing after it, in the topology's own counting (real: UDP payload bytes of the QUIC
     *     connection set-up plus message 1)
     */
    public static void eHs01(Topology t, long limitBytes) {
        Relay relay = t.addRelay();
        Group g = t.newGroup();
        Device a = t.addDevice(g, List.of(relay));
        Device b = t.addDevice(g, List.of(relay));
        SplittableRandom random = new SplittableRandom(t.seed());
        a.push(payload(random, 500));
        assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(failure(t, "clean start")).isTrue();
        long acceptedBefore = acceptedConnections(t, relay);

        // Restart the device behind the cut so its very first connection meets it.
        t.crashDevice(a);
        t.setFaults(a, relay, LinkDirection.UP, LinkFaults.NONE.withLimitBytes(limitBytes));
        int framesBefore = t.capturedFrames().size();
        t.restartDevice(a);
        BlobId behindCut = a.push(payload(random, 800));

        assertThat(t.await(() -> acceptedConnections(t, relay) > acceptedBefore, Duration.ofSeconds(15)))
                .as(failure(t, "handshake message 1 reached the relay")).isTrue();
        // Message 1 out and the relay's message 2 back: the cut lies after message 1.
        assertThat(t.await(() -> t.capturedFrames().size() >= framesBefore + 2, Duration.ofSeconds(10)))
                .as(failure(t, "the relay answered handshake message 1")).isTrue();
        // The relay's Hello deadline ends the half-open handshake; the device never gets a session.
        boolean delivered = t.await(() -> b.received().containsKey(behindCut)
                || a.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(6));
        assertThat(delivered).as(failure(t, "no session while the cut lasts")).isFalse();
        assertThat(a.events()).as(failure(t, "the device saw its attempt fail"))
                .anyMatch(e -> e instanceof SyncEvent.StatusChanged s && s.status().kind() != SyncStatus.Kind.SYNCED
                        && s.status().reason().isPresent());

        t.setFaults(a, relay, LinkDirection.UP, LinkFaults.NONE);
        a.syncNow();
        assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(failure(t, "clean retry after the cut")).isTrue();
        assertDelivered(t, a, b);
        assertNoPlaintextAtRelay(t, relay);
        for (String line : t.relayLogLines(relay)) {
            if (!line.startsWith("relay public key")) {
                assertThat(LONG_HEX.matcher(line).find()).as(failure(t, "key material in a relay log line: " + line))
                        .isFalse();
            }
        }
    }

    /**
     * S-CONC-01: two devices of one group push different blobs at the same time; both blobs end
     * up on both devices, nothing is lost, the version vectors are identical.
     */
    public static void sConc01(Topology t) {
        Relay relay = t.addRelay();
        Group g = t.newGroup();
        Device a = t.addDevice(g, List.of(relay));
        Device b = t.addDevice(g, List.of(relay));
        assertThat(t.await(() -> a.status().kind() == SyncStatus.Kind.SYNCED
                && b.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(30)))
                .as(failure(t, "both online")).isTrue();
        SplittableRandom random = new SplittableRandom(t.seed());
        for (int i = 0; i < 3; i++) {
            a.push(payload(random, 1000 + i));
            b.push(payload(random, 1000 + i));
        }

        assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(failure(t, "no convergence")).isTrue();
        assertDelivered(t, a, b);
        assertDelivered(t, b, a);
        assertThat(a.versionVector()).as(failure(t, "version vectors")).isEqualTo(b.versionVector());
        assertThat(a.received().size() + a.pushed().size()).isEqualTo(6);
        assertNoPlaintextAtRelay(t, relay);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code sizeBytes} random bytes with {@link #CANARY} in the middle. */
    static byte[] payload(SplittableRandom random, int sizeBytes) {
        byte[] data = new byte[sizeBytes];
        random.nextBytes(data);
        System.arraycopy(CANARY, 0, data, sizeBytes / 2 - CANARY.length / 2, CANARY.length);
        return data;
    }

    /** Every blob {@code from} pushed reached {@code to} with identical bytes. */
    static void assertDelivered(Topology t, Device from, Device to) {
        Map<BlobId, byte[]> received = to.received();
        for (Map.Entry<BlobId, byte[]> e : from.pushed().entrySet()) {
            assertThat(received).as(failure(t, from.name() + "'s blob on " + to.name())).containsKey(e.getKey());
            assertThat(received.get(e.getKey())).as(failure(t, "bytes of " + from.name() + "'s blob on " + to.name()))
                    .isEqualTo(e.getValue());
        }
        assertThat(to.events()).as(failure(t, "failed blobs on " + to.name()))
                .noneMatch(e -> e instanceof SyncEvent.BlobFailed);
    }

    /** The canary appears in no relay storage file, no relay log line and no captured frame. */
    static void assertNoPlaintextAtRelay(Topology t, Relay relay) {
        for (Path file : t.relayStorageFiles(relay)) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (java.io.IOException e) {
                continue; // a write-ahead log can vanish between listing and reading
            }
            assertThat(ChaosAssertions.indexOf(bytes, CANARY)).as(failure(t, "canary in " + file.getFileName())).isEqualTo(-1);
        }
        String canary = new String(CANARY, StandardCharsets.US_ASCII);
        assertThat(t.relayLogLines(relay)).as(failure(t, "canary in relay log")).noneMatch(l -> l.contains(canary));
        for (byte[] frame : t.capturedFrames()) {
            assertThat(ChaosAssertions.indexOf(frame, CANARY)).as(failure(t, "canary in a captured frame")).isEqualTo(-1);
        }
    }

    static long acceptedConnections(Topology t, Relay relay) {
        return t.relayLogLines(relay).stream().filter(l -> l.contains(": accepted")).count();
    }

    /** The assertion description: what failed, the seed that names the run, the timeline's last lines. */
    static Supplier<String> failure(Topology t, String what) {
        return () -> {
            List<String> lines = Arrays.asList(t.timeline().toJsonLines().split("\n"));
            return what + " [" + t.kind() + " -Dzerok.chaos.seed=" + t.seed() + "]\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        };
    }
}
