package dev.zerok.adapters.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.blob.BlobStoreProvider;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.testkit.GeneratedInputStream;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** fs-specific behaviour: layout, permissions, crash leftovers, large streams, the lock. */
class FsBlobStoreTest {
    @TempDir
    Path dir;

    private final ProviderContext context = new ProviderContext(new ManualClock(), new SeededEntropy(5));

    private BlobStore open(Path directory) throws Exception {
        return new FsBlobStoreProvider().open(ProviderConfig.of("directory", directory.toString()), context);
    }

    /** Flips the lowest bit of the middle byte of the stored file for {@code hash}. */
    static void flipOneBit(Path directory, ContentHash hash) throws Exception {
        String name = hash.hex();
        Path file = directory.resolve("objects").resolve(name.substring(0, 2)).resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 1);
        }
    }

    @Test
    void provider_serviceLoaderAndConfig() throws Exception {
        assertThat(Providers.select(BlobStoreProvider.class, "fs")).isInstanceOf(FsBlobStoreProvider.class);
        assertThatThrownBy(() -> new FsBlobStoreProvider().open(
                        ProviderConfig.of("directory", dir.toString(), "dir", "x"), context))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dir");
        assertThatThrownBy(() -> new FsBlobStoreProvider().open(ProviderConfig.EMPTY, context))
                .isInstanceOf(ConfigException.class).hasMessageContaining("directory");
    }

    @Test
    void put_layoutIsFanOutByFirstHashByteWithOwnerOnlyPermissions() throws Exception {
        Path root = dir.resolve("store");
        try (BlobStore store = open(root)) {
            ContentHash hash = store.put(new byte[] {1, 2, 3});
            Path file = root.resolve("objects").resolve(hash.hex().substring(0, 2)).resolve(hash.hex());
            assertThat(file).isRegularFile();
            if (Files.getFileStore(root).supportsFileAttributeView("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                        .isEqualTo("rwx------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            }
            try (Stream<Path> temps = Files.list(root.resolve("tmp"))) {
                assertThat(temps).isEmpty();
            }
        }
    }

    @Test
    void open_strayTempFilesAndForeignNames_areIgnoredAndTempsCleaned() throws Exception {
        Path root = dir.resolve("store");
        ContentHash kept;
        try (BlobStore store = open(root)) {
            kept = store.put(new byte[] {4, 5, 6});
        }
        // What a crash mid-put leaves: a half-written temp file; plus junk a user dropped in.
        Path stray = root.resolve("tmp").resolve("deadbeef.tmp");
        Files.write(stray, new byte[12345]);
        Files.write(root.resolve("objects").resolve(kept.hex().substring(0, 2)).resolve("notes.txt"), new byte[] {1});
        try (BlobStore store = open(root)) {
            assertThat(stray).doesNotExist();
            assertThat(store.list()).containsExactly(kept);
            assertThat(store.get(kept)).isPresent();
        }
    }

    @Test
    void open_directoryAlreadyOpen_isRefused() throws Exception {
        Path root = dir.resolve("store");
        try (BlobStore first = open(root)) {
            assertThatThrownBy(() -> open(root))
                    .isInstanceOfSatisfying(BlobStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.IO));
            assertThat(first.list()).isEmpty();
        }
        open(root).close();
    }

    /** 64 MiB through put(InputStream) from a generator: the content never exists as one array. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void put_64MiBStream_storedVerifiedAndStreamedBack() throws Exception {
        long size = 64L << 20;
        try (BlobStore store = open(dir.resolve("store"))) {
            GeneratedInputStream source = new GeneratedInputStream(size, 64);
            ContentHash hash = store.put(source);
            assertThat(source.delivered()).isEqualTo(size);
            assertThat(hash).isEqualTo(new GeneratedInputStream(size, 64).sha256());
            String name = hash.hex();
            assertThat(Files.size(dir.resolve("store/objects").resolve(name.substring(0, 2)).resolve(name)))
                    .isEqualTo(size);
            try (InputStream in = store.openStream(hash).orElseThrow()) {
                assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(size);
            }
        }
    }

    @Test
    void errors_neverContainTheHash() throws Exception {
        Path root = dir.resolve("store");
        try (BlobStore store = open(root)) {
            ContentHash hash = store.put(new byte[] {9, 9, 9, 9});
            flipOneBit(root, hash);
            assertThatThrownBy(() -> store.get(hash))
                    .isInstanceOf(BlobStoreException.class)
                    .extracting(Throwable::getMessage).asString().doesNotContain(hash.hex());
        }
    }
}
