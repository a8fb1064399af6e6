package dev.zerok.ports.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.id.ContentHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared contract of every {@link BlobStore}. An adapter's test subclasses it, implements
 * {@link #open} and {@link #corruptStoredBytes} (how bit rot looks in that adapter's storage).
 */
public abstract class BlobStoreContract {
    private final SeededEntropy entropy = new SeededEntropy(0x5eed_0003L);
    private final List<BlobStore> opened = new ArrayList<>();

    /**
     * Opens the store under test on this test's backing storage: empty on the first call of a
     * test, the same storage on later calls of the same test.
     */
    protected abstract BlobStore open() throws Exception;

    /** Changes the stored bytes of {@code hash} behind the store's back (flips one bit). */
    protected abstract void corruptStoredBytes(ContentHash hash) throws Exception;

    protected BlobStore store() throws Exception {
        BlobStore store = open();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(BlobStore::close);
    }

    protected byte[] bytes(int size) {
        return entropy.bytes(size);
    }

    protected static ContentHash sha256(byte[] content) throws Exception {
        return new ContentHash(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** Reads a stream to EOF. */
    protected static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void put_content_returnsSha256AndGetReturnsIt() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(5000);
        ContentHash hash = store.put(content);
        assertThat(hash).isEqualTo(sha256(content));
        assertThat(store.has(hash)).isTrue();
        assertThat(store.get(hash)).hasValueSatisfying(v -> assertThat(v).isEqualTo(content));
        try (InputStream in = store.openStream(hash).orElseThrow()) {
            assertThat(readAll(in)).isEqualTo(content);
        }
    }

    @Test
    void put_emptyContent_isStored() throws Exception {
        BlobStore store = store();
        ContentHash hash = store.put(new byte[0]);
        assertThat(hash).isEqualTo(sha256(new byte[0]));
        assertThat(store.get(hash)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void put_sameContentTwice_storesItOnce() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(100);
        ContentHash first = store.put(content);
        ContentHash second = store.put(content.clone());
        assertThat(second).isEqualTo(first);
        assertThat(store.list()).containsExactly(first);
    }

    @Test
    void get_absent_isEmpty() throws Exception {
        BlobStore store = store();
        ContentHash absent = sha256(bytes(10));
        assertThat(store.get(absent)).isEmpty();
        assertThat(store.openStream(absent)).isEmpty();
        assertThat(store.has(absent)).isFalse();
        assertThat(store.delete(absent)).isFalse();
    }

    @Test
    void putVerified_matchingHash_storesAndWrongHash_isCorruptAndStoresNothing() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(64);
        store.putVerified(sha256(content), content);
        assertThat(store.get(sha256(content))).isPresent();
        byte[] other = bytes(64);
        ContentHash wrong = sha256(bytes(64));
        assertThatThrownBy(() -> store.putVerified(wrong, other))
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CORRUPT));
        assertThat(store.has(wrong)).isFalse();
        assertThat(store.has(sha256(other))).isFalse();
        assertThat(store.list()).containsExactly(sha256(content));
    }

    @Test
    void putAllVerified_storesEveryBlob_oneWrongHashStoresNothing() throws Exception {
        BlobStore store = store();
        java.util.Map<ContentHash, byte[]> batch = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] content = bytes(100 + i);
            batch.put(sha256(content), content);
        }
        store.putAllVerified(batch);
        for (java.util.Map.Entry<ContentHash, byte[]> e : batch.entrySet()) {
            assertThat(store.get(e.getKey())).hasValueSatisfying(v -> assertThat(v).isEqualTo(e.getValue()));
        }
        store.putAllVerified(batch); // again: still stored once each
        assertThat(store.list()).hasSize(40);
        store.putAllVerified(java.util.Map.of());

        java.util.Map<ContentHash, byte[]> bad = new java.util.LinkedHashMap<>();
        byte[] good = bytes(64);
        bad.put(sha256(good), good);
        bad.put(sha256(bytes(64)), bytes(64));
        assertThatThrownBy(() -> store.putAllVerified(bad))
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CORRUPT));
        assertThat(store.has(sha256(good))).isFalse();
        assertThat(store.list()).hasSize(40);
    }

    @Test
    void put_streamOfSeveralMebibytes_isStoredAndHashed() throws Exception {
        BlobStore store = store();
        long size = 4L << 20;
        GeneratedInputStream source = new GeneratedInputStream(size, 11);
        ContentHash hash = store.put(source);
        assertThat(source.delivered()).isEqualTo(size);
        assertThat(hash).isEqualTo(new GeneratedInputStream(size, 11).sha256());
        try (InputStream in = store.openStream(hash).orElseThrow()) {
            assertThat(in.transferTo(OutputSink.INSTANCE)).isEqualTo(size);
        }
    }

    @Test
    void put_failingStream_isIoAndLeavesNothing() throws Exception {
        BlobStore store = store();
        InputStream failing = new GeneratedInputStream(1L << 20, 3).failingAfter(100_000);
        assertThatThrownBy(() -> store.put(failing))
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.IO));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void get_bitRot_isCorrupt() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(3000);
        ContentHash hash = store.put(content);
        corruptStoredBytes(hash);
        assertThatThrownBy(() -> store.get(hash))
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CORRUPT));
        assertThat(store.has(hash)).isTrue();
    }

    @Test
    void openStream_bitRot_finalReadThrowsWithCorruptCause() throws Exception {
        BlobStore store = store();
        ContentHash hash = store.put(bytes(100_000));
        corruptStoredBytes(hash);
        try (InputStream in = store.openStream(hash).orElseThrow()) {
            assertThatThrownBy(() -> in.transferTo(OutputSink.INSTANCE))
                    .isInstanceOf(IOException.class)
                    .cause()
                    .isInstanceOfSatisfying(BlobStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CORRUPT));
            assertThatThrownBy(in::read).isInstanceOf(IOException.class);
        }
    }

    @Test
    void putVerified_afterBitRot_healsTheBlob() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(2000);
        ContentHash hash = store.put(content);
        corruptStoredBytes(hash);
        store.putVerified(hash, content);
        assertThat(store.get(hash)).hasValueSatisfying(v -> assertThat(v).isEqualTo(content));
    }

    @Test
    void delete_existing_removesIt() throws Exception {
        BlobStore store = store();
        ContentHash hash = store.put(bytes(10));
        assertThat(store.delete(hash)).isTrue();
        assertThat(store.delete(hash)).isFalse();
        assertThat(store.has(hash)).isFalse();
        assertThat(store.get(hash)).isEmpty();
    }

    @Test
    void list_isInUnsignedByteOrder() throws Exception {
        BlobStore store = store();
        List<ContentHash> put = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            put.add(store.put(bytes(1 + i)));
        }
        put.sort(Comparator.naturalOrder());
        assertThat(store.list()).containsExactlyElementsOf(put);
    }

    @Test
    void reopen_keepsBlobs() throws Exception {
        BlobStore store = store();
        byte[] content = bytes(777);
        ContentHash hash = store.put(content);
        store.close();
        BlobStore again = store();
        assertThat(again.get(hash)).hasValueSatisfying(v -> assertThat(v).isEqualTo(content));
    }

    @Test
    void close_isIdempotentAndLaterCallsFailClosed() throws Exception {
        BlobStore store = store();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.put(new byte[] {1}))
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CLOSED));
        assertThatThrownBy(store::list)
                .isInstanceOfSatisfying(BlobStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(BlobStoreException.Code.CLOSED));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void put_sameAndDistinctContentFromThreads_allReadableOnce() throws Exception {
        BlobStore store = store();
        byte[] shared = bytes(50_000);
        int threads = 4;
        List<List<byte[]>> own = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<byte[]> mine = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                mine.add(bytes(1000 + i));
            }
            own.add(mine);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<byte[]> mine : own) {
                futures.add(pool.submit(() -> {
                    for (byte[] b : mine) {
                        store.put(shared);
                        store.put(b);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list()).hasSize(1 + threads * 10).doesNotHaveDuplicates();
        assertThat(store.get(sha256(shared))).hasValueSatisfying(v -> assertThat(v).isEqualTo(shared));
    }

    /** Discards everything written to it. */
    protected static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
