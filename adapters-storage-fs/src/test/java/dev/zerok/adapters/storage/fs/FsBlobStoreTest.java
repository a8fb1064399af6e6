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
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
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

    private static Map<ContentHash, byte[]> batch(int blobs) throws Exception {
        Map<ContentHash, byte[]> out = new LinkedHashMap<>();
        for (int i = 0; i < blobs; i++) {
            byte[] content = ("blob " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.put(new ContentHash(MessageDigest.getInstance("SHA-256").digest(content)), content);
        }
        return out;
    }

    private static List<Path> files(Path directory) throws Exception {
        try (Stream<Path> all = Files.walk(directory)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * The fsyncs of a batch are in flight together (each waits until all 8 have started), and no
     * blob is renamed into place before the last of them returned: the fsync that returns last
     * looks for the batch's addresses and finds none.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void putAllVerified_fsyncsConcurrently_andRenamesNothingBeforeEveryFsyncReturned() throws Exception {
        Path root = dir.resolve("store");
        Map<ContentHash, byte[]> blobs = batch(8);
        CountDownLatch started = new CountDownLatch(blobs.size());
        CountDownLatch othersReturned = new CountDownLatch(blobs.size() - 1);
        AtomicInteger calls = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Path> visibleBeforeLastReturned = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean lastReturned = new java.util.concurrent.atomic.AtomicBoolean();
        try (FsBlobStore store = FsBlobStore.open(root, new SeededEntropy(7), channel -> {
            int call = calls.getAndIncrement();
            threads.add(Thread.currentThread().getName());
            started.countDown();
            awaitOrFail(started);
            channel.force(true);
            if (call != 0) {
                othersReturned.countDown();
                return;
            }
            awaitOrFail(othersReturned);
            slowDisk();
            for (ContentHash hash : blobs.keySet()) {
                if (Files.exists(store(root, hash))) {
                    visibleBeforeLastReturned.add(store(root, hash));
                }
            }
            lastReturned.set(true);
        })) {
            store.putAllVerified(blobs);
            assertThat(lastReturned).as("every fsync returned before putAllVerified did").isTrue();
            assertThat(calls.get()).isEqualTo(blobs.size());
            assertThat(threads).hasSize(blobs.size()).allSatisfy(n -> assertThat(n).startsWith("zerok-blob-sync-"));
            assertThat(visibleBeforeLastReturned).isEmpty();
            for (Map.Entry<ContentHash, byte[]> e : blobs.entrySet()) {
                assertThat(store.get(e.getKey())).hasValueSatisfying(v -> assertThat(v).isEqualTo(e.getValue()));
            }
            assertThat(files(root.resolve("tmp"))).isEmpty();
        }
    }

    /**
     * One fsync of a batch fails: the call fails {@code IO} only after every other fsync of the
     * batch returned, nothing of the batch is stored and no temp file is left; the same batch
     * stores whole on the next try.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void putAllVerified_oneFsyncFails_isIoAfterAllFsyncsEnded_storesNothingLeavesNoTemp() throws Exception {
        Path root = dir.resolve("store");
        Map<ContentHash, byte[]> blobs = batch(6);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        boolean[] fail = {true};
        try (FsBlobStore store = FsBlobStore.open(root, new SeededEntropy(8), channel -> {
            if (fail[0] && calls.getAndIncrement() == 2) {
                failed.countDown();
                throw new java.io.IOException("injected fsync failure");
            }
            try {
                if (fail[0]) {
                    // Still running after the failure: the store must wait for this fsync before cleaning up.
                    failed.await(10, TimeUnit.SECONDS);
                    slowDisk();
                }
                channel.force(true);
                returned.incrementAndGet();
            } catch (Exception e) {
                unexpected.add(e);
                throw new java.io.IOException(e);
            }
        })) {
            assertThatThrownBy(() -> store.putAllVerified(blobs))
                    .isInstanceOfSatisfying(BlobStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.IO));
            assertThat(returned.get()).as("fsyncs that returned before the call failed").isEqualTo(blobs.size() - 1);
            assertThat(unexpected).isEmpty();
            assertThat(store.list()).isEmpty();
            assertThat(files(root.resolve("objects"))).isEmpty();
            assertThat(files(root.resolve("tmp"))).isEmpty();

            fail[0] = false;
            store.putAllVerified(blobs);
            assertThat(store.list()).containsExactlyInAnyOrderElementsOf(blobs.keySet());
        }
    }

    /** A batch of one is synced on the calling thread; close ends the store's sync threads. */
    @Test
    void putAllVerified_batchOfOne_syncsOnCaller_andCloseEndsSyncThreads() throws Exception {
        Path root = dir.resolve("store");
        List<String> threads = new CopyOnWriteArrayList<>();
        FsBlobStore store = FsBlobStore.open(root, new SeededEntropy(9), channel -> {
            threads.add(Thread.currentThread().getName());
            channel.force(true);
        });
        store.putAllVerified(batch(1));
        assertThat(threads).containsExactly(Thread.currentThread().getName());
        store.putAllVerified(batch(4));
        List<Thread> pool = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (threads.contains(t.getName()) && t.getName().startsWith("zerok-blob-sync-")) {
                pool.add(t);
            }
        }
        assertThat(pool).isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        store.close();
        for (Thread t : pool) {
            t.join(TimeUnit.SECONDS.toMillis(2)); // idle threads would end by themselves after 5 s
            assertThat(t.isAlive()).as(t.getName() + " ended after close").isFalse();
        }
    }

    private static Path store(Path root, ContentHash hash) {
        return root.resolve("objects").resolve(hash.hex().substring(0, 2)).resolve(hash.hex());
    }

    /** A slow fsync (the store must wait it out): a delay, not a wait for a condition. */
    private static void slowDisk() throws java.io.IOException {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException(e);
        }
    }

    private static void awaitOrFail(CountDownLatch latch) throws java.io.IOException {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new java.io.IOException("the batch's fsyncs did not run together");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException(e);
        }
    }
}
