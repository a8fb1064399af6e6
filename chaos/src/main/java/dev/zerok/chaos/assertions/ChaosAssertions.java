package dev.zerok.chaos.assertions;

import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants of seed 000 section 1.1 as checks on a {@link Topology}: each throws
 * {@link AssertionError} naming what is wrong by the members' human names (never by ids), and has
 * a unit test proving it fails on bad state. Names in messages are topology names ({@code device-2}),
 * so failure messages are as replayable as timelines.
 */
public final class ChaosAssertions {
    private ChaosAssertions() {}

    /**
     * {@code device} has {@code blob} (it pushed it or received it) and the bytes are {@code expected}.
     */
    public static void assertBlobPresent(Device device, BlobId blob, byte[] expected) {
        byte[] got = device.pushed().containsKey(blob) ? device.pushed().get(blob) : device.received().get(blob);
        if (got == null) {
            throw new AssertionError(device.name() + " does not have the blob (received " + device.received().size()
                    + ", pushed " + device.pushed().size() + ")");
        }
        if (!Arrays.equals(got, expected)) {
            throw new AssertionError(device.name() + " has the blob with different bytes (" + got.length
                    + " bytes, expected " + expected.length + "): silent corruption");
        }
    }

    /**
     * Invariants 1 and 2: within each group, every blob pushed by any device of the group is on every
     * running device of the group with exactly the pushed bytes, and no device received a blob that
     * nobody pushed.
     */
    public static void assertNoDataLoss(Topology topology) {
        List<String> problems = new ArrayList<>();
        for (Group g : groups(topology)) {
            List<Device> members = topology.devices().stream().filter(d -> d.group() == g).toList();
            Map<BlobId, byte[]> all = new LinkedHashMap<>();
            Map<BlobId, String> pusherOf = new LinkedHashMap<>();
            for (Device d : members) {
                d.pushed().forEach((id, bytes) -> {
                    all.put(id, bytes);
                    pusherOf.put(id, d.name());
                });
            }
            for (Device d : members) {
                if (!d.running()) {
                    continue;
                }
                int missing = 0;
                int corrupt = 0;
                for (Map.Entry<BlobId, byte[]> e : all.entrySet()) {
                    if (d.pushed().containsKey(e.getKey())) {
                        continue;
                    }
                    byte[] got = d.received().get(e.getKey());
                    if (got == null) {
                        missing++;
                    } else if (!Arrays.equals(got, e.getValue())) {
                        corrupt++;
                    }
                }
                long foreign = d.received().keySet().stream().filter(id -> !all.containsKey(id)).count();
                if (missing > 0) {
                    problems.add(d.name() + " is missing " + missing + " of " + all.size() + " blobs of " + g.name());
                }
                if (corrupt > 0) {
                    problems.add(d.name() + " received " + corrupt + " blobs whose bytes differ from what was pushed");
                }
                if (foreign > 0) {
                    problems.add(d.name() + " received " + foreign + " blobs nobody in " + g.name() + " pushed");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("data loss: " + String.join("; ", problems));
        }
    }

    /**
     * Invariant 4: within each group, the running devices' version vectors are byte-identical in
     * their canonical encoding ({@link #encode}).
     */
    public static void assertVersionVectorsConverged(Topology topology) {
        for (Group g : groups(topology)) {
            List<Device> members = topology.devices().stream().filter(d -> d.group() == g && d.running()).toList();
            if (members.size() < 2) {
                continue;
            }
            byte[] first = encode(members.get(0).versionVector());
            for (Device d : members.subList(1, members.size())) {
                byte[] other = encode(d.versionVector());
                if (!Arrays.equals(first, other)) {
                    throw new AssertionError("version vectors differ in " + g.name() + ": " + members.get(0).name() + " has "
                            + members.get(0).versionVector().entries().size() + " entries (total "
                            + total(members.get(0).versionVector()) + "), " + d.name() + " has "
                            + d.versionVector().entries().size() + " entries (total " + total(d.versionVector()) + ")");
                }
            }
        }
    }

    /**
     * Seed 000 S-CONV-04's {@code assert_state_converged}: within each group, the running devices
     * {@code members} agree on all of their state, not only on version vectors:
     * <ol>
     *   <li>version vectors byte-identical ({@link #encode});
     *   <li>blob manifests identical: each device's manifest is the map blob id -> SHA-256 of the bytes it
     *       holds (pushed or received);
     *   <li>collection complete: that manifest holds exactly the group's pushed blobs (the union of every
     *       member's pushes, with the pusher's bytes): nothing missing, nothing extra.
     * </ol>
     *
     * @throws AssertionError naming the first device and blob that differ
     */
    public static void assertStateConverged(List<Device> members) {
        for (Group g : members.stream().map(Device::group).distinct().toList()) {
            List<Device> group = members.stream().filter(d -> d.group() == g && d.running()).toList();
            if (group.isEmpty()) {
                continue;
            }
            Map<BlobId, String> complete = new LinkedHashMap<>();
            for (Device d : group) {
                d.pushed().forEach((b, bytes) -> complete.put(b, sha256Hex(bytes)));
            }
            byte[] vector = encode(group.get(0).versionVector());
            for (Device d : group) {
                if (!Arrays.equals(vector, encode(d.versionVector()))) {
                    throw new AssertionError("state not converged in " + g.name() + ": " + d.name()
                            + "'s version vector differs from " + group.get(0).name() + "'s");
                }
                Map<BlobId, String> manifest = new LinkedHashMap<>();
                d.received().forEach((b, bytes) -> manifest.put(b, sha256Hex(bytes)));
                d.pushed().forEach((b, bytes) -> manifest.put(b, sha256Hex(bytes)));
                for (Map.Entry<BlobId, String> e : complete.entrySet()) {
                    String held = manifest.get(e.getKey());
                    if (held == null) {
                        throw new AssertionError("state not converged in " + g.name() + ": " + d.name()
                                + "'s collection is incomplete (" + manifest.size() + " of " + complete.size() + " blobs)");
                    }
                    if (!held.equals(e.getValue())) {
                        throw new AssertionError("state not converged in " + g.name() + ": " + d.name()
                                + "'s manifest has other bytes for a blob than its pusher");
                    }
                }
                if (manifest.size() != complete.size()) {
                    throw new AssertionError("state not converged in " + g.name() + ": " + d.name() + "'s manifest has "
                            + (manifest.size() - complete.size()) + " blob(s) no member pushed");
                }
            }
        }
    }

    /** {@link #assertStateConverged(List)} over every device of {@code topology}. */
    public static void assertStateConverged(Topology topology) {
        assertStateConverged(topology.devices());
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * No device of the topology reported a blob that failed to open, parse or pass the replay check
     * (for scenarios without tampering, such a failure means corruption or a bug).
     */
    public static void assertNoBlobFailures(Topology topology) {
        for (Device d : topology.devices()) {
            long failures = d.events().stream().filter(e -> e instanceof SyncEvent.BlobFailed).count();
            if (failures > 0) {
                throw new AssertionError(d.name() + " reported " + failures + " failed blobs");
            }
        }
    }

    /**
     * Invariant 3: {@code canary} (a byte string inside every pushed payload) appears in none of the
     * relays' storage files, none of their log lines (raw, hex or Base64) and none of the captured
     * frames. Each source is checked only if the topology offers it; the caller's scenario declares
     * the capabilities it needs so a topology without them is NOT RUN rather than passed.
     *
     * @param canary 8 bytes or more, so a chance match in ciphertext is negligible
     */
    public static void assertNoPlaintextAtRelay(Topology topology, byte[] canary) {
        if (canary.length < 8) {
            throw new IllegalArgumentException("a canary needs at least 8 bytes");
        }
        for (Relay r : topology.relays()) {
            for (Path file : topology.relayStorageFiles(r)) {
                boolean found;
                try {
                    found = fileContains(file, canary);
                } catch (NoSuchFileException gone) {
                    continue; // a WAL or journal file removed between listing and reading
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (found) {
                    throw new AssertionError("plaintext canary found in a storage file of " + r.name() + ": "
                            + file.getFileName());
                }
            }
        }
        Set<String> textForms = textForms(canary);
        for (Relay r : topology.relays()) {
            for (String line : topology.relayLogLines(r)) {
                for (String form : textForms) {
                    if (line.contains(form)) {
                        throw new AssertionError("plaintext canary found in a log line of " + r.name());
                    }
                }
            }
        }
        int n = 0;
        for (byte[] frame : topology.capturedFrames()) {
            if (indexOf(frame, canary) >= 0) {
                throw new AssertionError("plaintext canary found in captured frame #" + n);
            }
            n++;
        }
    }

    /**
     * Invariant 5: no relay log line carries a group, device or blob id of the topology (hex, any
     * slice of 8+ hex digits, Base64), a client address or a vault size; the rule is
     * {@link RelayLogLeaks}, which every topology's {@link Topology#verifyRelayLogs} also applies.
     */
    public static void assertNoMetadataInRelayLogs(Topology topology) {
        RelayLogLeaks.assertNone(topology);
    }

    /**
     * The canonical encoding of a version vector: for each entry in device-id order, the 32 id bytes
     * then the sequence number as 8 bytes big-endian.
     */
    public static byte[] encode(VersionVector vector) {
        ByteBuffer out = ByteBuffer.allocate(vector.entries().size() * (DeviceId.LENGTH + 8));
        vector.entries().forEach((device, sequence) -> out.put(device.bytes()).putLong(sequence));
        return out.array();
    }

    private static long total(VersionVector v) {
        return v.entries().values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<Group> groups(Topology topology) {
        Set<Group> seen = new LinkedHashSet<>();
        topology.devices().forEach(d -> seen.add(d.group()));
        return List.copyOf(seen);
    }

    /** Lower-case hex and Base64 (standard and URL-safe, unpadded) of {@code id}. */
    private static Set<String> forms(byte[] id) {
        Set<String> out = new LinkedHashSet<>();
        out.add(HexFormat.of().formatHex(id));
        out.add(Base64.getEncoder().withoutPadding().encodeToString(id));
        out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(id));
        return out;
    }

    private static Set<String> textForms(byte[] canary) {
        Set<String> out = forms(canary);
        out.add(HexFormat.of().withUpperCase().formatHex(canary));
        out.add(new String(canary, StandardCharsets.ISO_8859_1));
        return out;
    }

    /**
     * Whether {@code file} contains {@code needle}, read in 1 MiB blocks that overlap by
     * {@code needle.length - 1} bytes, so a relay store holding S-BLOB-01's 100 MB is never read
     * into the heap at once.
     */
    private static boolean fileContains(Path file, byte[] needle) throws IOException {
        int block = 1 << 20;
        byte[] buffer = new byte[block + needle.length - 1];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int kept = 0;
            while (true) {
                int read = in.readNBytes(buffer, kept, block);
                int filled = kept + read;
                if (indexOf(buffer, filled, needle) >= 0) {
                    return true;
                }
                if (read < block) {
                    return false;
                }
                kept = Math.min(needle.length - 1, filled);
                System.arraycopy(buffer, filled - kept, buffer, 0, kept);
            }
        }
    }

    /** Where {@code needle} first occurs in {@code haystack}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, haystack.length, needle);
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
