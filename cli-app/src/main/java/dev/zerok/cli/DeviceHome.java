package dev.zerok.cli;

import dev.zerok.client.IoMessages;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device's data directory: {@code --home DIR}, else {@code $ZEROK_HOME}, else {@code ~/.zerok}.
 * The directory is {@code rwx------} and every file in it {@code rw-------}; a directory or file
 * that the group or other users can access is refused (on file systems without POSIX permissions
 * the check is skipped). The command line owns only these names in it:
 *
 * <pre>
 *   device.key         the device's static X25519 identity: {@link StaticIdentity} private encoding, 33 bytes
 *   device.properties  name, created, relay.N.address / relay.N.key in preference order (N = 1, 2, ...)
 *   group.key          the 32-byte group secret, written by pairing
 * </pre>
 *
 * and writes temporary files {@code *.tmp} beside them while replacing; the device library owns
 * {@code state.db*}, {@code chunks/} and {@code content/}. Not thread-safe: one command at a time.
 */
final class DeviceHome {
    static final String IDENTITY_FILE = "device.key";
    static final String PROPERTIES_FILE = "device.properties";
    static final String GROUP_FILE = "group.key";
    /** Most relays a device keeps: an invite carries at most this many. */
    static final int MAX_RELAYS = dev.zerok.kernel.pairing.Invite.MAX_RELAYS;

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Pattern RELAY_KEY = Pattern.compile("relay\\.([1-9][0-9]{0,2})\\.(address|key)");

    /**
     * What {@code device.properties} holds.
     *
     * @param name the device's display name (1..64 characters, no control characters)
     * @param createdAt when {@code zerok init} ran
     * @param relays the relays in preference order (first = preferred), at most {@value #MAX_RELAYS}
     */
    record Profile(String name, Instant createdAt, List<RelayEntry> relays) {
        Profile {
            relays = List.copyOf(relays);
        }

        Profile withRelays(List<RelayEntry> newRelays) {
            return new Profile(name, createdAt, newRelays);
        }
    }

    private final Path dir;

    private DeviceHome(Path dir) {
        this.dir = dir;
    }

    /**
     * Which directory to use: the option, else {@code ZEROK_HOME}, else {@code ~/.zerok}.
     */
    static Path resolve(Path option, Map<String, String> environment, Path userHome) {
        if (option != null) {
            return option.toAbsolutePath().normalize();
        }
        String fromEnvironment = environment.get("ZEROK_HOME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment).toAbsolutePath().normalize();
        }
        return userHome.resolve(".zerok").toAbsolutePath().normalize();
    }

    /**
     * A home whose directory may not exist yet; nothing is created.
     *
     * @throws CliFailure if the path exists and is not an owner-only directory
     */
    static DeviceHome at(Path dir) throws CliFailure {
        DeviceHome home = new DeviceHome(dir);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            home.checkDirectory();
        }
        return home;
    }

    Path dir() {
        return dir;
    }

    /** True once {@code zerok init} completed here (the identity file is written last). */
    boolean initialized() {
        return Files.exists(dir.resolve(IDENTITY_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    /** True once this device joined or created a group. */
    boolean paired() {
        return Files.exists(dir.resolve(GROUP_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates the home for a new identity: the directory (owner-only), {@code device.properties},
     * then {@code device.key} (so a crash in between leaves a home that is not yet initialized).
     *
     * @param identity the new identity; its private key is written, not kept
     * @throws CliFailure if an identity already exists here, or on an I/O failure
     */
    void create(KeyPair identity, Profile profile) throws CliFailure {
        if (initialized()) {
            throw CliFailure.of("a device identity already exists in " + dir
                    + "; it is never overwritten (use --home DIR for another device)");
        }
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Path parent = dir.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                } catch (UnsupportedOperationException noPosix) {
                    Files.createDirectory(dir);
                }
            }
            checkDirectory();
            writeProfile(profile);
            try (Secret encoded = StaticIdentity.encodePrivate(identity)) {
                writeNew(IDENTITY_FILE, encoded.expose());
            }
        } catch (IOException e) {
            throw ioFailure("create", dir, e);
        }
    }

    /**
     * Loads the device identity.
     *
     * @throws CliFailure if the home is not initialized, the file is accessible by others, or it
     *     is not a valid identity
     */
    KeyPair readIdentity(Dh x25519) throws CliFailure {
        requireInitialized();
        byte[] encoded = readOwnerOnly(IDENTITY_FILE);
        try {
            return StaticIdentity.decodePrivate(x25519, encoded);
        } catch (NoiseException e) {
            throw CliFailure.of(dir.resolve(IDENTITY_FILE) + " is not a valid device identity: " + e.getMessage());
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    /**
     * Reads and strictly parses {@code device.properties}.
     *
     * @throws CliFailure naming the key for an unknown key, bad hex, bad address or port, a relay
     *     with only one of its two keys, or a missing name/created
     */
    Profile readProfile() throws CliFailure {
        requireInitialized();
        byte[] bytes = readOwnerOnly(PROPERTIES_FILE);
        return parseProfile(new String(bytes, StandardCharsets.UTF_8), dir.resolve(PROPERTIES_FILE).toString());
    }

    /**
     * Replaces {@code device.properties} atomically (temporary file, fsync, rename).
     *
     * @throws CliFailure on an I/O failure
     */
    void writeProfile(Profile profile) throws CliFailure {
        Properties properties = new Properties();
        properties.setProperty("name", profile.name());
        properties.setProperty("created", profile.createdAt().toString());
        int n = 1;
        for (RelayEntry relay : profile.relays()) {
            properties.setProperty("relay." + n + ".address", relay.address());
            properties.setProperty("relay." + n + ".key", relay.keyHex());
            n++;
        }
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "zerok device; relays in preference order (relay.1 first)");
            replace(PROPERTIES_FILE, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ioFailure("write", dir.resolve(PROPERTIES_FILE), e);
        }
    }

    /**
     * The 32-byte group secret, if this device is paired; the caller destroys it.
     *
     * @throws CliFailure if the file is accessible by others or not 32 bytes
     */
    Optional<Secret> readGroupSecret() throws CliFailure {
        if (!paired()) {
            return Optional.empty();
        }
        byte[] bytes = readOwnerOnly(GROUP_FILE);
        if (bytes.length != GroupKeys.SECRET_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw CliFailure.of(dir.resolve(GROUP_FILE) + " must hold " + GroupKeys.SECRET_BYTES + " bytes, has "
                    + bytes.length + "; restore it from a backup or pair again in a new home");
        }
        return Optional.of(Secret.adopt(bytes));
    }

    /**
     * Writes the group secret; never replaces an existing one.
     *
     * @param groupSecret 32 bytes; not kept
     * @throws CliFailure if a group secret already exists, or on an I/O failure
     */
    void writeGroupSecret(Secret groupSecret) throws CliFailure {
        try {
            writeNew(GROUP_FILE, groupSecret.expose());
        } catch (FileAlreadyExistsException e) {
            throw CliFailure.of("this device already belongs to a group (" + dir.resolve(GROUP_FILE)
                    + " exists); it is never overwritten");
        } catch (IOException e) {
            throw ioFailure("write", dir.resolve(GROUP_FILE), e);
        }
    }

    /** Parses the text of {@code device.properties}; {@code source} names it in messages. */
    static Profile parseProfile(String text, String source) throws CliFailure {
        Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw CliFailure.of(source + " is not a valid properties file: " + e.getMessage());
        }
        String name = null;
        Instant created = null;
        TreeMap<Integer, String[]> relays = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            if (key.equals("name")) {
                name = parseName(value, source + ": key 'name'");
                continue;
            }
            if (key.equals("created")) {
                try {
                    created = Instant.parse(value.strip());
                } catch (DateTimeParseException e) {
                    throw CliFailure.of(source + ": key 'created' must be an ISO-8601 instant, got '" + value + "'");
                }
                continue;
            }
            Matcher m = RELAY_KEY.matcher(key);
            if (!m.matches()) {
                throw CliFailure.of(source + ": unknown key '" + key
                        + "' (known: name, created, relay.N.address, relay.N.key)");
            }
            int index = Integer.parseInt(m.group(1));
            String[] pair = relays.computeIfAbsent(index, i -> new String[2]);
            pair[m.group(2).equals("address") ? 0 : 1] = value;
        }
        if (name == null || created == null) {
            throw CliFailure.of(source + ": key '" + (name == null ? "name" : "created") + "' is missing");
        }
        if (relays.size() > MAX_RELAYS) {
            throw CliFailure.of(source + ": at most " + MAX_RELAYS + " relays, found " + relays.size());
        }
        List<RelayEntry> entries = new ArrayList<>();
        Set<String> addresses = new HashSet<>();
        for (Map.Entry<Integer, String[]> e : relays.entrySet()) {
            String prefix = "relay." + e.getKey() + ".";
            String[] pair = e.getValue();
            if (pair[0] == null || pair[1] == null) {
                throw CliFailure.of(source + ": key '" + prefix + (pair[0] == null ? "address" : "key")
                        + "' is missing (every relay needs both)");
            }
            String address = RelayEntry.parseAddress(pair[0], source + ": key '" + prefix + "address'");
            byte[] key = RelayEntry.parseKey(pair[1], source + ": key '" + prefix + "key'");
            if (!addresses.add(address)) {
                throw CliFailure.of(source + ": key '" + prefix + "address' repeats relay " + address);
            }
            entries.add(new RelayEntry(address, key));
        }
        return new Profile(name, created, entries);
    }

    /**
     * Checks a device name.
     *
     * @throws CliFailure naming {@code what} if it is empty, longer than 64 characters or holds
     *     control characters
     */
    static String parseName(String raw, String what) throws CliFailure {
        String name = raw.strip();
        if (name.isEmpty() || name.length() > 64 || name.chars().anyMatch(Character::isISOControl)) {
            throw CliFailure.of(what + " must be 1 to 64 characters without control characters");
        }
        return name;
    }

    private void requireInitialized() throws CliFailure {
        if (!initialized()) {
            throw CliFailure.of("no device identity in " + dir + "; run 'zerok init' first (or pass --home DIR)");
        }
    }

    private void checkDirectory() throws CliFailure {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw CliFailure.of(dir + " is not a directory; choose another --home");
        }
        requireOwnerOnly(dir, "700");
    }

    private byte[] readOwnerOnly(String fileName) throws CliFailure {
        checkDirectory();
        Path file = dir.resolve(fileName);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw CliFailure.of(file + " is missing or not a regular file");
        }
        requireOwnerOnly(file, "600");
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CliFailure.of(file + " is missing");
        } catch (IOException e) {
            throw ioFailure("read", file, e);
        }
    }

    private static void requireOwnerOnly(Path path, String chmodMode) throws CliFailure {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException noPosix) {
            return;
        } catch (IOException e) {
            throw ioFailure("check the permissions of", path, e);
        }
        if (!java.util.Collections.disjoint(permissions, OTHERS)) {
            throw CliFailure.of(path + " is accessible by other users (" + PosixFilePermissions.toString(permissions)
                    + "); refusing to use it: run 'chmod " + chmodMode + " " + path + "'");
        }
    }

    /** Writes a file that must not exist yet, owner-only from its creation, and fsyncs it. */
    private void writeNew(String fileName, byte[] bytes) throws IOException {
        Path file = dir.resolve(fileName);
        try (SeekableByteChannel out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC), PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
            out.write(ByteBuffer.wrap(bytes));
        }
    }

    /** Replaces a file atomically: owner-only temporary file, fsync, rename over the old one. */
    private void replace(String fileName, byte[] bytes) throws IOException {
        Path target = dir.resolve(fileName);
        Path temporary = dir.resolve(fileName + ".tmp");
        Files.deleteIfExists(temporary);
        writeNew(temporary.getFileName().toString(), bytes);
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static CliFailure ioFailure(String verb, Path path, IOException e) {
        return new CliFailure(ExitCodes.FAILURE, "cannot " + verb + " " + path + ": " + IoMessages.describe(e), e);
    }
}
