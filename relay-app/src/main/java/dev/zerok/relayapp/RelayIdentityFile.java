package dev.zerok.relayapp;

import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * The relay's persistent static X25519 identity in {@code <data.dir>/relay.key}: generated on first
 * start, then loaded, so a restart keeps the key clients pinned. The directory is {@code rwx------}
 * and the file {@code rw-------}; the file holds {@link StaticIdentity}'s versioned private encoding.
 */
final class RelayIdentityFile {
    static final String FILE_NAME = "relay.key";

    private RelayIdentityFile() {}

    static KeyPair loadOrCreate(Path dataDir, Dh x25519, Entropy entropy) throws IOException, NoiseException {
        if (!Files.isDirectory(dataDir)) {
            Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            byte[] encoded = Files.readAllBytes(file);
            try {
                return StaticIdentity.decodePrivate(x25519, encoded);
            } finally {
                Arrays.fill(encoded, (byte) 0);
            }
        }
        KeyPair identity = StaticIdentity.generate(x25519, entropy);
        try (Secret encoded = StaticIdentity.encodePrivate(identity)) {
            // Created owner-only from the start: no window in which another user could read it.
            try (var out = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                out.write(java.nio.ByteBuffer.wrap(encoded.expose()));
            } catch (FileAlreadyExistsException raced) {
                return loadOrCreate(dataDir, x25519, entropy);
            }
        }
        return identity;
    }
}
