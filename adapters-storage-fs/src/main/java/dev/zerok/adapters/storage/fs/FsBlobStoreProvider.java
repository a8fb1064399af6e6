package dev.zerok.adapters.storage.fs;

import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.blob.BlobStoreProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code fs} {@link BlobStoreProvider}: content-addressed blobs as files under one directory,
 * written atomically (temp file, fsync, rename, fsync of the directory) and re-hashed with SHA-256
 * on every read.
 *
 * <p>Configuration keys (unknown keys are rejected):
 * <table>
 *   <caption>fs blob store keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code directory}</td><td>required</td><td>the store's directory; created with
 *       owner-only permissions ({@code rwx------}) where the file system supports POSIX modes.
 *       One open store per directory at a time (a lock file enforces it)</td></tr>
 * </table>
 *
 * <p>Uses the context's entropy for temp file names. Thread-safe and stateless.
 */
public final class FsBlobStoreProvider implements BlobStoreProvider {
    /** Key of the store directory. */
    public static final String DIRECTORY = "directory";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public FsBlobStoreProvider() {}

    /** {@code fs}. */
    @Override
    public String name() {
        return "fs";
    }

    /**
     * Opens the store in {@code directory}, creating it if needed and removing crash leftovers.
     *
     * @throws ConfigException if a key is unknown or {@code directory} is missing or invalid
     * @throws BlobStoreException {@code IO} if the directory cannot be created or another open
     *     store holds it
     */
    @Override
    public BlobStore open(ProviderConfig config, ProviderContext context) throws ConfigException, BlobStoreException {
        config.requireOnly(Set.of(DIRECTORY));
        String raw = config.string(DIRECTORY).orElseThrow(() -> new ConfigException(
                "configuration key '" + DIRECTORY + "' is required: the blob store directory"));
        if (raw.isBlank()) {
            throw new ConfigException("configuration key '" + DIRECTORY + "' must not be blank");
        }
        Path directory;
        try {
            directory = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException("configuration key '" + DIRECTORY + "' is not a valid path");
        }
        return FsBlobStore.open(directory, context.entropy());
    }
}
