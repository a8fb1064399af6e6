package dev.zerok.ports.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.clientstate.Acknowledgement;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared contract of every {@link ClientStateStore}. An adapter's test subclasses it and
 * implements {@link #open}. Ids come from a fixed-seed {@link SeededEntropy}.
 */
public abstract class ClientStateStoreContract {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");

    private final SeededEntropy entropy = new SeededEntropy(0x5eed_0002L);
    private final List<ClientStateStore> opened = new ArrayList<>();

    /**
     * Opens the store under test on this test's backing storage: empty on the first call of a
     * test, the same storage (with what was committed) on later calls of the same test.
     */
    protected abstract ClientStateStore open() throws Exception;

    private ClientStateStore store() throws Exception {
        ClientStateStore store = open();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ClientStateStore::close);
    }

    protected RelayId relay() {
        return new RelayId(entropy.bytes(RelayId.LENGTH));
    }

    protected DeviceId device() {
        return new DeviceId(entropy.bytes(DeviceId.LENGTH));
    }

    protected BlobId blobId() {
        return new BlobId(entropy.bytes(BlobId.LENGTH));
    }

    protected OutboxEntry entry(int sizeBytes) {
        return new OutboxEntry(blobId(), entropy.bytes(sizeBytes), T0.plusNanos(entropy.nextLong(1_000_000)),
                Duration.ofSeconds(3600, 7));
    }

    private BlobIndexEntry received(RelayId relay, long cursor, DeviceId sender, long sequence) {
        return new BlobIndexEntry(blobId(), sender, sequence, relay, new Cursor(cursor),
                new ContentHash(entropy.bytes(ContentHash.LENGTH)), BlobIndexEntry.State.RECEIVED, "");
    }

    private BlobIndexEntry failed(RelayId relay, long cursor, String reason) {
        return new BlobIndexEntry(blobId(), device(), 0, relay, new Cursor(cursor),
                new ContentHash(entropy.bytes(ContentHash.LENGTH)), BlobIndexEntry.State.FAILED, reason);
    }

    @Test
    void newStore_isEmpty() throws Exception {
        ClientStateStore store = store();
        RelayId r = relay();
        assertThat(store.pending(r, 10)).isEmpty();
        assertThat(store.pullCursor(r)).isEqualTo(Cursor.ZERO);
        assertThat(store.versionVector()).isEqualTo(VersionVector.EMPTY);
        assertThat(store.failures()).isEmpty();
        assertThat(store.blob(blobId())).isEmpty();
    }

    @Test
    void enqueue_entries_pendingPerRelayOldestFirstBoundedByMax() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        OutboxEntry first = entry(10);
        OutboxEntry second = entry(20);
        OutboxEntry third = entry(30);
        store.enqueue(first, List.of(a, b));
        store.enqueue(second, List.of(a));
        store.enqueue(third, List.of(a, b));
        assertThat(store.pending(a, 10)).containsExactly(first, second, third);
        assertThat(store.pending(a, 2)).containsExactly(first, second);
        assertThat(store.pending(b, 10)).containsExactly(first, third);
        assertThat(store.pending(relay(), 10)).isEmpty();
    }

    @Test
    void pending_excludingInFlight_skipsThemAndStillBoundsByMax() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        OutboxEntry first = entry(10);
        OutboxEntry second = entry(20);
        OutboxEntry third = entry(30);
        store.enqueue(first, List.of(a));
        store.enqueue(second, List.of(a));
        store.enqueue(third, List.of(a));
        assertThat(store.pending(a, 1, java.util.Set.of(first.blob()))).containsExactly(second);
        assertThat(store.pending(a, 10, java.util.Set.of(first.blob(), third.blob()))).containsExactly(second);
        assertThat(store.pending(a, 10, java.util.Set.of())).containsExactly(first, second, third);
    }

    @Test
    void enqueue_sameBlobIdAgain_leavesFirstEntryAsItWas() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        OutboxEntry original = entry(10);
        store.enqueue(original, List.of(a));
        OutboxEntry imposter = new OutboxEntry(original.blob(), new byte[] {9}, T0, Duration.ofSeconds(1));
        store.enqueue(imposter, List.of(a, relay()));
        assertThat(store.pending(a, 10)).containsExactly(original);
    }

    @Test
    void acknowledge_byEveryRelay_removesEntryOnlyThen() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        OutboxEntry e = entry(10);
        store.enqueue(e, List.of(a, b));
        store.acknowledge(a, e.blob(), new Cursor(5));
        assertThat(store.pending(a, 10)).isEmpty();
        assertThat(store.pending(b, 10)).containsExactly(e);
        store.acknowledge(a, e.blob(), new Cursor(5));
        store.acknowledge(b, e.blob(), new Cursor(9));
        assertThat(store.pending(b, 10)).isEmpty();
        // Gone for good: a re-enqueue is a new entry, queued after the ones still waiting.
        OutboxEntry other = entry(5);
        store.enqueue(other, List.of(a));
        store.enqueue(e, List.of(a));
        assertThat(store.pending(a, 10)).containsExactly(other, e);
    }

    @Test
    void acknowledge_pushAckCursor_neverBecomesPullCursor() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        OutboxEntry e = entry(10);
        store.enqueue(e, List.of(a));
        store.acknowledge(a, e.blob(), new Cursor(42));
        assertThat(store.pullCursor(a)).isEqualTo(Cursor.ZERO);
        store.commitPulled(a, new Cursor(3), List.of(), VersionVector.EMPTY);
        store.acknowledge(a, e.blob(), new Cursor(99));
        assertThat(store.pullCursor(a)).isEqualTo(new Cursor(3));
    }

    @Test
    void commitPulled_recordsEntriesVectorAndCursorTogether() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId sender = device();
        BlobIndexEntry ok = received(a, 1, sender, 1);
        BlobIndexEntry bad = failed(a, 2, "authentication failed");
        VersionVector vv = VersionVector.EMPTY.with(sender, 1);
        store.commitPulled(a, new Cursor(2), List.of(ok, bad), vv);
        assertThat(store.pullCursor(a)).isEqualTo(new Cursor(2));
        assertThat(store.pullCursor(relay())).isEqualTo(Cursor.ZERO);
        assertThat(store.versionVector()).isEqualTo(vv);
        assertThat(store.blob(ok.blob())).contains(ok);
        assertThat(store.blob(bad.blob())).contains(bad);
        assertThat(store.failures()).containsExactly(bad);
    }

    @Test
    void commitPulled_cursorBeforeStored_isRefusedAndWritesNothing() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId sender = device();
        VersionVector vv = VersionVector.EMPTY.with(sender, 4);
        store.commitPulled(a, new Cursor(10), List.of(), vv);
        BlobIndexEntry late = received(a, 9, sender, 5);
        assertThatThrownBy(() -> store.commitPulled(a, new Cursor(9), List.of(late), vv.with(sender, 5)))
                .isInstanceOfSatisfying(ClientStateException.class,
                        e -> assertThat(e.code()).isEqualTo(ClientStateException.Code.CURSOR_REGRESSION));
        assertThat(store.pullCursor(a)).isEqualTo(new Cursor(10));
        assertThat(store.versionVector()).isEqualTo(vv);
        assertThat(store.blob(late.blob())).isEmpty();
        // The same cursor again is not a regression (an empty page).
        store.commitPulled(a, new Cursor(10), List.of(), vv);
    }

    @Test
    void commitPulled_cursorsAreUnsigned() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        Cursor high = new Cursor(-2L);
        store.commitPulled(a, high, List.of(), VersionVector.EMPTY);
        assertThat(store.pullCursor(a)).isEqualTo(high);
        assertThatThrownBy(() -> store.commitPulled(a, new Cursor(Long.MAX_VALUE), List.of(), VersionVector.EMPTY))
                .isInstanceOfSatisfying(ClientStateException.class,
                        e -> assertThat(e.code()).isEqualTo(ClientStateException.Code.CURSOR_REGRESSION));
    }

    @Test
    void commitPulled_failedThenReceivedFromAnotherRelay_endsReceived() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        BlobIndexEntry bad = failed(a, 1, "hash mismatch");
        store.commitPulled(a, new Cursor(1), List.of(bad), VersionVector.EMPTY);
        BlobIndexEntry good = new BlobIndexEntry(bad.blob(), bad.sender(), 1, b, new Cursor(7), bad.contentHash(),
                BlobIndexEntry.State.RECEIVED, "");
        store.commitPulled(b, new Cursor(7), List.of(good), VersionVector.EMPTY.with(bad.sender(), 1));
        assertThat(store.blob(bad.blob())).contains(good);
        assertThat(store.failures()).isEmpty();
    }

    @Test
    void commitPulled_receivedIsNeverReplacedByFailed_inALaterPageOrTheSamePage() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        DeviceId sender = device();
        BlobIndexEntry good = received(a, 1, sender, 1);
        BlobIndexEntry other = received(a, 2, sender, 2);
        store.commitPulled(a, new Cursor(2), List.of(good, other), VersionVector.EMPTY.with(sender, 2));
        BlobIndexEntry replayed = new BlobIndexEntry(good.blob(), sender, 1, b, new Cursor(3), good.contentHash(),
                BlobIndexEntry.State.FAILED, "replay");
        store.commitPulled(b, new Cursor(3), List.of(replayed), VersionVector.EMPTY.with(sender, 2));
        assertThat(store.blob(good.blob())).contains(good);

        BlobIndexEntry fresh = received(b, 4, sender, 3);
        BlobIndexEntry freshFailed = new BlobIndexEntry(fresh.blob(), sender, 3, b, new Cursor(5), fresh.contentHash(),
                BlobIndexEntry.State.FAILED, "replay");
        store.commitPulled(b, new Cursor(5), List.of(fresh, freshFailed), VersionVector.EMPTY.with(sender, 3));
        assertThat(store.blob(fresh.blob())).contains(fresh);
        assertThat(store.failures()).isEmpty();
        assertThat(store.received(sender, 0)).containsExactly(good, other, fresh);
    }

    @Test
    void enqueueWithVector_storesEntryAndVectorTogether_duplicateWritesNeither() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId self = device();
        OutboxEntry e = entry(10);
        VersionVector one = VersionVector.EMPTY.with(self, 1);
        store.enqueue(e, List.of(a), one);
        assertThat(store.pending(a, 10)).containsExactly(e);
        assertThat(store.versionVector()).isEqualTo(one);
        store.enqueue(e, List.of(a), one.with(self, 2));
        assertThat(store.versionVector()).isEqualTo(one);
        store.close();
        ClientStateStore again = store();
        assertThat(again.pending(a, 10)).containsExactly(e);
        assertThat(again.versionVector()).isEqualTo(one);
    }

    @Test
    void enqueueAll_queuesInListOrderWithTheVector_survivesReopen() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        DeviceId self = device();
        OutboxEntry before = entry(5);
        store.enqueue(before, List.of(a));
        List<OutboxEntry> batch = List.of(entry(10), entry(20), entry(30));
        VersionVector three = VersionVector.EMPTY.with(self, 3);
        store.enqueueAll(batch, List.of(a, b), three);
        assertThat(store.pending(a, 10)).containsExactly(before, batch.get(0), batch.get(1), batch.get(2));
        assertThat(store.pending(b, 2)).containsExactly(batch.get(0), batch.get(1));
        assertThat(store.versionVector()).isEqualTo(three);
        store.close();
        ClientStateStore again = store();
        assertThat(again.pending(b, 10)).containsExactlyElementsOf(batch);
        assertThat(again.versionVector()).isEqualTo(three);
    }

    @Test
    void enqueueAll_oneEntryAlreadyQueued_writesNoEntryAndNotTheVector() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId self = device();
        OutboxEntry queued = entry(10);
        VersionVector one = VersionVector.EMPTY.with(self, 1);
        store.enqueue(queued, List.of(a), one);
        OutboxEntry fresh = entry(20);
        store.enqueueAll(List.of(fresh, queued), List.of(a), one.with(self, 3));
        assertThat(store.pending(a, 10)).containsExactly(queued);
        assertThat(store.versionVector()).isEqualTo(one);
        assertThatThrownBy(() -> store.enqueueAll(List.of(), List.of(a), one))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.enqueueAll(List.of(fresh, fresh), List.of(a), one))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.pending(a, 10)).containsExactly(queued);
    }

    @Test
    void acknowledgeAll_recordsEveryAcknowledgement_repeatsAndStrangersChangeNothing() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        RelayId b = relay();
        OutboxEntry first = entry(10);
        OutboxEntry second = entry(20);
        OutboxEntry third = entry(30);
        store.enqueueAll(List.of(first, second, third), List.of(a, b), VersionVector.EMPTY.with(device(), 3));
        store.acknowledgeAll(List.of(
                new Acknowledgement(a, first.blob(), new Cursor(1)),
                new Acknowledgement(a, third.blob(), new Cursor(2)),
                new Acknowledgement(b, first.blob(), new Cursor(7)),
                new Acknowledgement(a, first.blob(), new Cursor(1)),
                new Acknowledgement(relay(), second.blob(), new Cursor(3)),
                new Acknowledgement(a, blobId(), new Cursor(4))));
        assertThat(store.pending(a, 10)).containsExactly(second);
        assertThat(store.pending(b, 10)).containsExactly(second, third);
        store.acknowledgeAll(List.of());
        store.close();
        ClientStateStore again = store();
        assertThat(again.pending(a, 10)).containsExactly(second);
        assertThat(again.pending(b, 10)).containsExactly(second, third);
        assertThat(again.pullCursor(a)).isEqualTo(Cursor.ZERO);
    }

    @Test
    void blobs_manyIdsInOneRead_onlyTheKnownOnesWithTheirEntries() throws Exception {
        ClientStateStore store = store();
        RelayId r = relay();
        List<BlobIndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 620; i++) { // more than one query's worth of ids
            entries.add(i % 7 == 0 ? failed(r, i + 1, "bad " + i) : received(r, i + 1, device(), i + 1));
        }
        store.commitPulled(r, new Cursor(620), entries, VersionVector.EMPTY);
        List<BlobId> asked = new ArrayList<>();
        entries.forEach(e -> asked.add(e.blob()));
        BlobId unknown = blobId();
        asked.add(unknown);

        java.util.Map<BlobId, BlobIndexEntry> found = store.blobs(asked);

        assertThat(found).hasSize(620).doesNotContainKey(unknown);
        for (BlobIndexEntry e : entries) {
            assertThat(found.get(e.blob())).isEqualTo(e);
        }
        assertThat(store.blobs(List.of())).isEmpty();
        assertThat(store.blobs(List.of(unknown))).isEmpty();
    }

    @Test
    void received_bySenderAboveSequence_ascendingReceivedOnly() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId sender = device();
        DeviceId other = device();
        BlobIndexEntry s5 = received(a, 1, sender, 5);
        BlobIndexEntry s3 = received(a, 2, sender, 3);
        BlobIndexEntry s2 = received(a, 3, sender, 2);
        BlobIndexEntry otherSender = received(a, 4, other, 4);
        BlobIndexEntry bad = new BlobIndexEntry(blobId(), sender, 4, a, new Cursor(5),
                new ContentHash(entropy.bytes(ContentHash.LENGTH)), BlobIndexEntry.State.FAILED, "replay");
        store.commitPulled(a, new Cursor(5), List.of(s5, s3, s2, otherSender, bad), VersionVector.EMPTY);
        assertThat(store.received(sender, 2)).containsExactly(s3, s5);
        assertThat(store.received(sender, 0)).containsExactly(s2, s3, s5);
        assertThat(store.received(sender, 5)).isEmpty();
        assertThat(store.received(device(), 0)).isEmpty();
    }

    @Test
    void failures_oldestFirst() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        BlobIndexEntry f1 = failed(a, 1, "one");
        BlobIndexEntry f2 = failed(a, 2, "two");
        BlobIndexEntry f3 = failed(a, 3, "three");
        store.commitPulled(a, new Cursor(1), List.of(f1), VersionVector.EMPTY);
        store.commitPulled(a, new Cursor(3), List.of(f2, f3), VersionVector.EMPTY);
        assertThat(store.failures()).containsExactly(f1, f2, f3);
    }

    @Test
    void reopen_keepsOutboxCursorsVectorAndIndex() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        DeviceId sender = device();
        OutboxEntry stranded = entry(100);
        store.enqueue(stranded, List.of(a));
        BlobIndexEntry ok = received(a, 4, sender, 2);
        VersionVector vv = VersionVector.EMPTY.with(sender, 2);
        store.commitPulled(a, new Cursor(4), List.of(ok), vv);
        store.close();
        ClientStateStore again = store();
        assertThat(again.pending(a, 10)).containsExactly(stranded);
        assertThat(again.pullCursor(a)).isEqualTo(new Cursor(4));
        assertThat(again.versionVector()).isEqualTo(vv);
        assertThat(again.blob(ok.blob())).contains(ok);
    }

    @Test
    void close_isIdempotentAndLaterCallsFailClosed() throws Exception {
        ClientStateStore store = store();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.pullCursor(relay()))
                .isInstanceOfSatisfying(ClientStateException.class,
                        e -> assertThat(e.code()).isEqualTo(ClientStateException.Code.CLOSED));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void enqueue_concurrentThreads_everyEntryPendingOnce() throws Exception {
        ClientStateStore store = store();
        RelayId a = relay();
        int threads = 4;
        int perThread = 25;
        List<List<OutboxEntry>> batches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<OutboxEntry> batch = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                batch.add(entry(16));
            }
            batches.add(batch);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<OutboxEntry> batch : batches) {
                futures.add(pool.submit(() -> {
                    for (OutboxEntry e : batch) {
                        store.enqueue(e, List.of(a));
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
        List<OutboxEntry> pending = store.pending(a, 1000);
        assertThat(pending).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(pending).containsExactlyInAnyOrderElementsOf(batches.stream().flatMap(List::stream).toList());
    }
}
