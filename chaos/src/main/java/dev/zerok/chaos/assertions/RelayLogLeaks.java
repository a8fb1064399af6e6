package dev.zerok.chaos.assertions;

import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.ClientAddress;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Invariant 5, the one rule for every topology: no relay log line, at any level, carries metadata
 * of the scenario (seed 000 section 1.1: "filenames, folder structures, vault sizes, or client
 * identifiers beyond session tokens"). What a line must not contain:
 *
 * <ul>
 *   <li>a group id, device id or blob id of the scenario (every group's id, every device's id
 *       (and, where a device cannot name its id, every sender in running devices' version vectors),
 *       every blob a device pushed): any run of {@value #MIN_HEX_DIGITS} or more hex digits of the
 *       id's hex form, in either case (so the whole id and any prefix or slice of it), and its
 *       standard or URL-safe Base64 form, with or without padding;</li>
 *   <li>a client address as the relay sees it ({@link Topology#clientAddresses}): {@code ip:port}
 *       ({@code [ip]:port} for IPv6), except right after {@code ://} (the relay printing its own
 *       endpoints as URLs);</li>
 *   <li>a vault size: the byte total of a group's blobs as a relay stored them, after each row in
 *       cursor order (read from the relay's store), and the plaintext total of everything the
 *       group's devices pushed, where the number stands next to a byte unit ({@code 1234 B},
 *       {@code 1234 bytes}) or in a size field ({@code size=1234}, {@code sizeBytes: 1234},
 *       {@code bytes=1234}). Other numbers are not sizes of the vault (a relay logs its configured
 *       limits); single blob sizes are covered where they are the vault's (its first row).</li>
 * </ul>
 *
 * <p>Filenames and folder structures never reach a relay unsealed (they travel inside sealed
 * blobs, invariant 3 covers them). The scan is linear in the log: ids are looked up by
 * {@value #MIN_HEX_DIGITS}-digit windows of each hex run and by the head of each long Base64 run.
 */
public final class RelayLogLeaks {
    /** The shortest hex slice of an id that counts as a leak. */
    public static final int MIN_HEX_DIGITS = 8;
    private static final int BASE64_HEAD = 12;
    private static final Pattern SIZE_IN_CONTEXT = Pattern.compile(
            "(?i)(?:size|bytes|length)[a-z_]*\\s*[=:]?\\s*(\\d[\\d,_]*)|(\\d[\\d,_]*)\\s*(?:b|bytes?|octets)\\b");

    /** Every {@value #MIN_HEX_DIGITS}-digit lower-case slice of every id's hex, to what it is. */
    private final Map<String, String> hexSlices = new HashMap<>();
    /** Head of each Base64 form, to the forms starting with it and what they are. */
    private final Map<String, List<String[]>> base64 = new HashMap<>();
    private int shortestBase64 = Integer.MAX_VALUE;
    private final List<ClientAddress> addresses = new ArrayList<>();
    private final Map<Long, String> sizes = new HashMap<>();

    /** An empty rule set; add what must not appear. */
    public RelayLogLeaks() {}

    /**
     * The forbidden metadata of {@code topology} as it stands: its groups', devices' and pushed
     * blobs' ids, its client addresses, its vaults' sizes (stored, from each relay's
     * {@code relay.db} if the topology lists its storage files; plaintext, from the pushes).
     */
    public static RelayLogLeaks of(Topology topology) {
        RelayLogLeaks rule = new RelayLogLeaks();
        Map<Group, Long> plaintextBytes = new java.util.LinkedHashMap<>();
        // Senders in version vectors are the group's devices; ask a device (an RPC for a device
        // process) only if some device cannot name its own id.
        boolean askVectors = topology.devices().stream().anyMatch(d -> d.deviceId().isEmpty());
        for (Device d : topology.devices()) {
            d.group().groupId().ifPresent(id -> rule.id(id.bytes(), "the group id of " + d.group().name()));
            d.deviceId().ifPresent(id -> rule.id(id.bytes(), "the device id of " + d.name()));
            for (Map.Entry<BlobId, byte[]> b : d.pushed().entrySet()) {
                rule.id(b.getKey().bytes(), "a blob id pushed by " + d.name());
                plaintextBytes.merge(d.group(), (long) b.getValue().length, Long::sum);
            }
            if (askVectors && d.running()) {
                try {
                    for (DeviceId sender : d.versionVector().entries().keySet()) {
                        rule.id(sender.bytes(), "a device id in " + d.name() + "'s version vector");
                    }
                } catch (ChaosException notReadable) {
                    // a device that stopped answering: its own id and pushes are covered above
                }
            }
        }
        plaintextBytes.forEach((g, total) -> rule.size(total, "the plaintext size of " + g.name() + "'s vault"));
        topology.clientAddresses().forEach(rule::address);
        for (Relay r : topology.relays()) {
            List<Path> files;
            try {
                files = topology.relayStorageFiles(r);
            } catch (NotRunException | java.io.UncheckedIOException e) {
                continue;
            }
            for (Path f : files) {
                if (f.getFileName().toString().equals("relay.db") && isSqlite(f)) {
                    rule.storedVaultSizes(f, r.name());
                }
            }
        }
        return rule;
    }

    /**
     * Fails if a log line of a relay of {@code topology} carries forbidden metadata
     * ({@link #of(Topology)}).
     *
     * @throws AssertionError naming the relay, the line number, what the line carries, and the line
     *     with the offending text masked
     */
    public static void assertNone(Topology topology) {
        if (topology.relays().isEmpty()) {
            return;
        }
        RelayLogLeaks rule = of(topology);
        for (Relay r : topology.relays()) {
            List<String> lines;
            try {
                lines = topology.relayLogLines(r);
            } catch (NotRunException e) {
                return;
            }
            int n = 0;
            for (String line : lines) {
                n++;
                Optional<Finding> f = rule.find(line);
                if (f.isPresent()) {
                    throw new AssertionError("invariant 5: relay log of " + r.name() + " line " + n + " carries "
                            + f.get().what() + ": " + f.get().masked(line));
                }
            }
        }
    }

    /** Forbids {@code id} (hex slices of {@value #MIN_HEX_DIGITS}+ digits, Base64 forms). */
    public RelayLogLeaks id(byte[] id, String what) {
        String hex = HexFormat.of().formatHex(id);
        for (int i = 0; i + MIN_HEX_DIGITS <= hex.length(); i++) {
            hexSlices.putIfAbsent(hex.substring(i, i + MIN_HEX_DIGITS), what);
        }
        Set<String> forms = new LinkedHashSet<>(List.of(Base64.getEncoder().encodeToString(id),
                Base64.getEncoder().withoutPadding().encodeToString(id), Base64.getUrlEncoder().encodeToString(id),
                Base64.getUrlEncoder().withoutPadding().encodeToString(id)));
        for (String form : forms) {
            if (form.length() >= BASE64_HEAD) {
                base64.computeIfAbsent(form.substring(0, BASE64_HEAD), k -> new ArrayList<>()).add(new String[] {form, what});
                shortestBase64 = Math.min(shortestBase64, form.length());
            }
        }
        return this;
    }

    /** Forbids {@code address}. */
    public RelayLogLeaks address(ClientAddress address) {
        addresses.add(address);
        return this;
    }

    /** Forbids {@code bytes} as a number in a size context. */
    public RelayLogLeaks size(long bytes, String what) {
        sizes.putIfAbsent(bytes, what);
        return this;
    }

    /** True if {@code file} starts with the SQLite 3 header (a store the relay has created). */
    private static boolean isSqlite(Path file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(16), "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
            return false; // gone between listing and reading (a restart), or not readable: no store to read
        }
    }

    private void storedVaultSizes(Path database, String relay) {
        List<long[]> groups;
        try {
            groups = SqliteRelayStoreAccess.blobSizesByGroup(database);
        } catch (SQLException e) {
            throw new ChaosException("cannot read the vault sizes of " + relay + ": " + e.getMessage(), e);
        }
        for (long[] rows : groups) {
            long total = 0;
            for (int i = 0; i < rows.length; i++) {
                total += rows[i];
                size(total, "a vault size at " + relay + " (its first " + (i + 1) + " blob(s))");
            }
        }
    }

    /**
     * What forbidden metadata {@code line} carries first, if any.
     */
    public Optional<Finding> find(String line) {
        Optional<Finding> f = findHex(line);
        if (f.isEmpty()) {
            f = findBase64(line);
        }
        if (f.isEmpty()) {
            f = findAddress(line);
        }
        if (f.isEmpty()) {
            f = findSize(line);
        }
        return f;
    }

    /**
     * Forbidden text in a line.
     *
     * @param what what it is ("a blob id pushed by device-1", never the value)
     * @param start first char of the offending text
     * @param end one past its last char
     */
    public record Finding(String what, int start, int end) {
        /** {@code line} with the offending text replaced by {@code <masked>}. */
        public String masked(String line) {
            return line.substring(0, start) + "<masked>" + line.substring(end);
        }
    }

    private Optional<Finding> findHex(String line) {
        int n = line.length();
        for (int i = 0; i < n; ) {
            if (Character.digit(line.charAt(i), 16) < 0) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && Character.digit(line.charAt(end), 16) >= 0) {
                end++;
            }
            if (end - i >= MIN_HEX_DIGITS) {
                String run = line.substring(i, end).toLowerCase(Locale.ROOT);
                for (int k = 0; k + MIN_HEX_DIGITS <= run.length(); k++) {
                    String what = hexSlices.get(run.substring(k, k + MIN_HEX_DIGITS));
                    if (what != null) {
                        return Optional.of(new Finding("hex digits of " + what, i + k, i + k + MIN_HEX_DIGITS));
                    }
                }
            }
            i = end;
        }
        return Optional.empty();
    }

    private Optional<Finding> findBase64(String line) {
        if (base64.isEmpty()) {
            return Optional.empty();
        }
        int n = line.length();
        for (int i = 0; i < n; ) {
            if (!isBase64(line.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && isBase64(line.charAt(end))) {
                end++;
            }
            for (int k = i; k + shortestBase64 <= end; k++) {
                List<String[]> candidates = base64.get(line.substring(k, k + BASE64_HEAD));
                if (candidates != null) {
                    for (String[] c : candidates) {
                        if (line.startsWith(c[0], k)) {
                            return Optional.of(new Finding("the Base64 form of " + c[1], k, k + c[0].length()));
                        }
                    }
                }
            }
            i = end;
        }
        return Optional.empty();
    }

    private static boolean isBase64(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
                || c == '-' || c == '_' || c == '=';
    }

    private Optional<Finding> findAddress(String line) {
        for (ClientAddress a : addresses) {
            String host = a.host().contains(":") ? "[" + a.host() + "]" : a.host();
            String needle = a.port() < 0 ? host + ":" : host + ":" + a.port();
            for (int at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + 1)) {
                int end = at + needle.length();
                boolean portEnds = a.port() < 0 ? end < line.length() && Character.isDigit(line.charAt(end))
                        : end == line.length() || !Character.isDigit(line.charAt(end));
                boolean hostStarts = at == 0 || !Character.isLetterOrDigit(line.charAt(at - 1)) && line.charAt(at - 1) != '.';
                boolean ownUrl = at >= 3 && line.startsWith("://", at - 3);
                if (portEnds && hostStarts && !ownUrl) {
                    return Optional.of(new Finding("the client address of " + a.whose(), at, end));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Finding> findSize(String line) {
        if (sizes.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SIZE_IN_CONTEXT.matcher(line);
        while (m.find()) {
            int group = m.group(1) != null ? 1 : 2;
            String digits = m.group(group).replace(",", "").replace("_", "");
            if (digits.length() > 18) {
                continue;
            }
            String what = sizes.get(Long.parseLong(digits));
            if (what != null) {
                return Optional.of(new Finding(what, m.start(group), m.end(group)));
            }
        }
        return Optional.empty();
    }
}
