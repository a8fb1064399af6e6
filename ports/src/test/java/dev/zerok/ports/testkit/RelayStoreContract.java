package dev.zerok.ports.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.GroupUsage;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoredBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared contract of every {@link RelayStore}: the guarantees its javadoc lists, checked the
 * same way for each adapter. An adapter's test subclasses it and implements {@link #open}.
 *
 * <p>Ids and payloads come from a {@link SeededEntropy} with a fixed seed, so a failure replays.
 */
public abstract class RelayStoreContract {
    /** Start of virtual time in these tests. */
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** A TTL below every cap used here. */
    protected static final Duration ONE_HOUR = Duration.ofHours(1);

    private final SeededEntropy entropy = new SeededEntropy(0x5eed_0001L);
    private final List<RelayStore> opened = new ArrayList<>();

    /**
     * Opens the store under test on this test's backing storage: empty on the first call of a
     * test, the same storage (with what was committed) on later calls of the same test.
     *
     * @param ttlMax the TTL cap
     * @param groupQuotaBytes the per-group quota
     * @param capacityBytes the relay-wide cap on stored payload bytes
     * @param capacityBlobs the relay-wide cap on stored blobs
     */
    protected abstract RelayStore open(Duration ttlMax, long groupQuotaBytes, long capacityBytes, long capacityBlobs)
            throws Exception;

    /**
     * Damages the stored copy of {@code payload} underneath the store, as disk rot would: flips a
     * bit of it in the backing storage, not through the store's API. Called while no store opened
     * by this test is open; the next {@link #open} sees the damaged storage.
     *
     * @param payload the exact bytes of a blob appended earlier in this test, 200 bytes or more
     *     (long enough to be unique in the storage)
     */
    protected abstract void rotStoredPayload(byte[] payload) throws Exception;

    /** Opens with relay-wide caps too large to matter. */
    protected final RelayStore open(Duration ttlMax, long groupQuotaBytes) throws Exception {
        return open(ttlMax, groupQuotaBytes, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Opens with a 7-day cap and a 1 MiB quota. */
    protected RelayStore open() throws Exception {
        return track(open(Duration.ofDays(7), 1 << 20));
    }

    /** Registers a store to be closed after the test. */
    protected RelayStore track(RelayStore store) {
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RelayStore::close);
    }

    protected GroupId group() {
        return new GroupId(entropy.bytes(GroupId.LENGTH));
    }

    protected DeviceId device() {
        return new DeviceId(entropy.bytes(DeviceId.LENGTH));
    }

    protected BlobId blobId() {
        return new BlobId(entropy.bytes(BlobId.LENGTH));
    }

    protected byte[] payload(int sizeBytes) {
        return entropy.bytes(sizeBytes);
    }

    private static List<Cursor> cursors(Page page) {
        return page.blobs().stream().map(StoredBlob::cursor).toList();
    }

    @Test
    void head_emptyGroup_isZero() throws Exception {
        RelayStore store = open();
        assertThat(store.head(group())).isEqualTo(Cursor.ZERO);
        Page page = store.pageAfter(group(), Cursor.ZERO, 10, 1 << 20, T0);
        assertThat(page.blobs()).isEmpty();
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void append_sequence_cursorsStrictlyIncreaseAndPullReturnsExactBlobsInOrder() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        DeviceId sender = device();
        List<StoredBlob> pushed = new ArrayList<>();
        Cursor previous = Cursor.ZERO;
        for (int i = 0; i < 20; i++) {
            BlobId id = blobId();
            byte[] bytes = payload(1 + i * 7);
            AppendResult result = store.append(g, sender, id, bytes, T0, ONE_HOUR);
            assertThat(result.duplicate()).isFalse();
            assertThat(result.cursor().isAfter(previous)).isTrue();
            previous = result.cursor();
            pushed.add(new StoredBlob(result.cursor(), id, sender, bytes));
        }
        assertThat(store.head(g)).isEqualTo(previous);
        Page page = store.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(page.blobs()).containsExactlyElementsOf(pushed);
        assertThat(page.hasMore()).isFalse();
        Page tail = store.pageAfter(g, pushed.get(9).cursor(), 100, 1 << 20, T0);
        assertThat(tail.blobs()).containsExactlyElementsOf(pushed.subList(10, 20));
    }

    @Test
    void append_groups_areIndependentLogs() throws Exception {
        RelayStore store = open();
        GroupId a = group();
        GroupId b = group();
        store.append(a, device(), blobId(), payload(10), T0, ONE_HOUR);
        store.append(a, device(), blobId(), payload(10), T0, ONE_HOUR);
        AppendResult inB = store.append(b, device(), blobId(), payload(10), T0, ONE_HOUR);
        assertThat(store.pageAfter(b, Cursor.ZERO, 10, 1 << 20, T0).blobs())
                .extracting(StoredBlob::cursor).containsExactly(inB.cursor());
        assertThat(store.usage(a).blobCount()).isEqualTo(2);
        assertThat(store.usage(b).blobCount()).isEqualTo(1);
    }

    @Test
    void append_sameBlobIdTwice_returnsFirstCursorAsDuplicateAndStoresOnce() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        BlobId id = blobId();
        byte[] bytes = payload(100);
        AppendResult first = store.append(g, device(), id, bytes, T0, ONE_HOUR);
        AppendResult second = store.append(g, device(), id, bytes, T0.plusSeconds(5), ONE_HOUR);
        assertThat(second.duplicate()).isTrue();
        assertThat(second.cursor()).isEqualTo(first.cursor());
        assertThat(second.expiresAt()).isEqualTo(first.expiresAt());
        assertThat(store.head(g)).isEqualTo(first.cursor());
        assertThat(store.usage(g).blobCount()).isEqualTo(1);
        assertThat(store.usage(g).storedBytes()).isEqualTo(100);
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, T0).blobs()).hasSize(1);
    }

    @Test
    void append_identicalContentUnderTwoBlobIds_bothPullableAndChargedOnce() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        byte[] bytes = payload(1000);
        store.append(g, device(), blobId(), bytes, T0, ONE_HOUR);
        store.append(g, device(), blobId(), bytes.clone(), T0, ONE_HOUR);
        Page page = store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, T0);
        assertThat(page.blobs()).hasSize(2);
        assertThat(page.blobs()).allSatisfy(b -> assertThat(b.payload()).isEqualTo(bytes));
        assertThat(store.usage(g).blobCount()).isEqualTo(2);
        assertThat(store.usage(g).storedBytes()).isEqualTo(1000);
    }

    @Test
    void append_ttlAboveCap_isLoweredToCap() throws Exception {
        RelayStore store = track(open(Duration.ofHours(2), 1 << 20));
        GroupId g = group();
        AppendResult capped = store.append(g, device(), blobId(), payload(10), T0, Duration.ofDays(365));
        assertThat(capped.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
        AppendResult under = store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(30));
        assertThat(under.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        Instant afterCap = T0.plus(Duration.ofHours(2)).plusSeconds(1);
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, afterCap).blobs()).isEmpty();
    }

    @Test
    void pageAfter_expiredRows_areNeverReturnedAndPurgeRemovesThem() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        AppendResult shortLived = store.append(g, device(), blobId(), payload(50), T0, Duration.ofMinutes(1));
        AppendResult longLived = store.append(g, device(), blobId(), payload(70), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));
        Page page = store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, later);
        assertThat(cursors(page)).containsExactly(longLived.cursor());
        assertThat(store.purgeExpired(later)).isEqualTo(1);
        assertThat(store.purgeExpired(later)).isZero();
        assertThat(store.usage(g).blobCount()).isEqualTo(1);
        assertThat(store.usage(g).storedBytes()).isEqualTo(70);
        assertThat(shortLived.cursor().isAfter(Cursor.ZERO)).isTrue();
    }

    @Test
    void purgeExpired_atExactExpiry_removesRow() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        AppendResult r = store.append(g, device(), blobId(), payload(5), T0, Duration.ofMinutes(1));
        assertThat(store.purgeExpired(r.expiresAt().minusMillis(1))).isZero();
        assertThat(store.purgeExpired(r.expiresAt())).isEqualTo(1);
    }

    @Test
    void purgeExpired_neverLowersHead_nextCursorIsHigher() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        AppendResult old = store.append(g, device(), blobId(), payload(5), T0, Duration.ofMinutes(1));
        Instant later = T0.plus(Duration.ofHours(1));
        store.purgeExpired(later);
        assertThat(store.head(g)).isEqualTo(old.cursor());
        AppendResult fresh = store.append(g, device(), blobId(), payload(5), later, ONE_HOUR);
        assertThat(fresh.cursor().isAfter(old.cursor())).isTrue();
    }

    @Test
    void oldestRetained_emptyGroup_isOne() throws Exception {
        RelayStore store = open();

        assertThat(store.oldestRetained(group(), T0)).isEqualTo(new Cursor(1));
    }

    @Test
    void oldestRetained_afterAppendsNothingExpired_isOne() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        for (int i = 0; i < 3; i++) {
            store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        }

        assertThat(store.oldestRetained(g, T0.plus(Duration.ofMinutes(59)))).isEqualTo(new Cursor(1));
    }

    @Test
    void oldestRetained_oldestExpiredNotPurged_isAfterHighestExpired() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        AppendResult second = store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        AppendResult third = store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);

        assertThat(store.oldestRetained(g, second.expiresAt().minusMillis(1))).isEqualTo(new Cursor(1));
        assertThat(store.oldestRetained(g, second.expiresAt())).isEqualTo(third.cursor());
        assertThat(store.usage(g).blobCount()).as("nothing purged yet").isEqualTo(3);
    }

    @Test
    void oldestRetained_afterPurgeOfOldest_staysAfterHighestPurged() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        AppendResult second = store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));

        assertThat(store.purgeExpired(later)).isEqualTo(2);

        assertThat(store.oldestRetained(g, later)).isEqualTo(second.cursor().next());
        assertThat(store.oldestRetained(g, T0)).as("purged rows stay gone at any time").isEqualTo(second.cursor().next());
    }

    @Test
    void oldestRetained_afterPurgeAndReopen_isKept() throws Exception {
        RelayStore store = track(open(Duration.ofDays(7), 1 << 20));
        GroupId g = group();
        AppendResult first = store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));
        store.purgeExpired(later);
        store.close();

        RelayStore again = track(open(Duration.ofDays(7), 1 << 20));

        assertThat(again.oldestRetained(g, later)).isEqualTo(first.cursor().next());
    }

    @Test
    void oldestRetained_expiryOutOfCursorOrder_isAfterHighestExpiredNotLowestRetained() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        AppendResult longLived = store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        AppendResult shortLived = store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        AppendResult last = store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));

        assertThat(store.oldestRetained(g, later)).isEqualTo(last.cursor());
        store.purgeExpired(later);
        assertThat(store.oldestRetained(g, later)).isEqualTo(shortLived.cursor().next());
        assertThat(cursors(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, later)))
                .containsExactly(longLived.cursor(), last.cursor());
    }

    @Test
    void oldestRetained_everyBlobExpired_isHeadPlusOne() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(2));
        Instant later = T0.plus(Duration.ofMinutes(3));

        assertThat(store.oldestRetained(g, later)).isEqualTo(store.head(g).next());
        store.purgeExpired(later);
        assertThat(store.oldestRetained(g, later)).isEqualTo(store.head(g).next());
    }

    @Test
    void oldestRetained_expiredBlobAppendedAgain_countsTheExpiredCursor() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        BlobId blob = blobId();
        byte[] bytes = payload(10);
        AppendResult first = store.append(g, device(), blob, bytes, T0, Duration.ofMinutes(1));
        store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));

        AppendResult again = store.append(g, device(), blob, bytes, later, ONE_HOUR);

        assertThat(again.duplicate()).isFalse();
        assertThat(store.oldestRetained(g, later)).isEqualTo(first.cursor().next());
    }

    @Test
    void oldestRetained_expiryInAnotherGroup_doesNotMoveIt() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        GroupId other = group();
        store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        store.append(other, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        store.append(other, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        Instant later = T0.plus(Duration.ofMinutes(2));
        store.purgeExpired(later);

        assertThat(store.oldestRetained(g, later)).isEqualTo(new Cursor(1));
        assertThat(store.oldestRetained(other, later)).isEqualTo(new Cursor(3));
    }

    @Test
    void oldestRetained_readBeforeHead_isAtMostHeadPlusOne() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(10), T0, Duration.ofMinutes(1));
        Instant later = T0.plus(Duration.ofMinutes(5));
        Cursor oldest = store.oldestRetained(g, later);
        store.append(g, device(), blobId(), payload(10), later, ONE_HOUR);

        assertThat(oldest.isAfter(store.head(g).next())).isFalse();
        assertThat(oldest).isEqualTo(new Cursor(2));
    }

    @Test
    void pageAfter_byteBound_stopsBeforeExceedingAndReportsMore() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        for (int i = 0; i < 5; i++) {
            store.append(g, device(), blobId(), payload(100), T0, ONE_HOUR);
        }
        Page first = store.pageAfter(g, Cursor.ZERO, 100, 250, T0);
        assertThat(first.blobs()).hasSize(2);
        assertThat(first.hasMore()).isTrue();
        Page exact = store.pageAfter(g, Cursor.ZERO, 100, 500, T0);
        assertThat(exact.blobs()).hasSize(5);
        assertThat(exact.hasMore()).isFalse();
    }

    @Test
    void pageAfter_firstBlobLargerThanMaxBytes_isReturnedAlone() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(1000), T0, ONE_HOUR);
        store.append(g, device(), blobId(), payload(10), T0, ONE_HOUR);
        Page page = store.pageAfter(g, Cursor.ZERO, 100, 1, T0);
        assertThat(page.blobs()).hasSize(1);
        assertThat(page.blobs().get(0).payload()).hasSize(1000);
        assertThat(page.hasMore()).isTrue();
    }

    @Test
    void pageAfter_countBound_walksWholeLogWithHonestHasMore() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<Cursor> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(store.append(g, device(), blobId(), payload(3), T0, ONE_HOUR).cursor());
        }
        List<Cursor> seen = new ArrayList<>();
        Cursor after = Cursor.ZERO;
        List<Boolean> hasMores = new ArrayList<>();
        for (int guard = 0; guard < 10; guard++) {
            Page page = store.pageAfter(g, after, 3, 1 << 20, T0);
            seen.addAll(cursors(page));
            hasMores.add(page.hasMore());
            if (!page.hasMore()) {
                break;
            }
            after = page.blobs().get(page.blobs().size() - 1).cursor();
        }
        assertThat(seen).containsExactlyElementsOf(all);
        assertThat(hasMores).containsExactly(true, true, false);
    }

    @Test
    void pageAfter_expiredTail_hasMoreIsFalse() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        store.append(g, device(), blobId(), payload(3), T0, ONE_HOUR);
        store.append(g, device(), blobId(), payload(3), T0, Duration.ofMinutes(1));
        Page page = store.pageAfter(g, Cursor.ZERO, 1, 1 << 20, T0.plus(Duration.ofMinutes(5)));
        assertThat(page.blobs()).hasSize(1);
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void pageAfter_boundBelowOne_isRejected() throws Exception {
        RelayStore store = open();
        assertThatThrownBy(() -> store.pageAfter(group(), Cursor.ZERO, 0, 10, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.pageAfter(group(), Cursor.ZERO, 10, 0, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void append_overQuota_throwsQuotaExceededAndStoresNothing() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1000));
        GroupId g = group();
        AppendResult fits = store.append(g, device(), blobId(), payload(600), T0, ONE_HOUR);
        assertThatThrownBy(() -> store.append(g, device(), blobId(), payload(500), T0, ONE_HOUR))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.QUOTA_EXCEEDED));
        assertThat(store.head(g)).isEqualTo(fits.cursor());
        assertThat(store.usage(g).storedBytes()).isEqualTo(600);
        assertThat(store.usage(g).blobCount()).isEqualTo(1);
        // Another group has its own quota.
        store.append(group(), device(), blobId(), payload(900), T0, ONE_HOUR);
        // Exactly filling the quota is allowed.
        store.append(g, device(), blobId(), payload(400), T0, ONE_HOUR);
        assertThat(store.usage(g).storedBytes()).isEqualTo(1000);
    }

    @Test
    void append_overQuotaWithExpiredRows_reclaimsThemAndSucceeds() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1000));
        GroupId g = group();
        store.append(g, device(), blobId(), payload(800), T0, Duration.ofMinutes(1));
        Instant later = T0.plus(Duration.ofMinutes(10));
        store.append(g, device(), blobId(), payload(800), later, ONE_HOUR);
        assertThat(store.usage(g).storedBytes()).isEqualTo(800);
        assertThat(store.usage(g).blobCount()).isEqualTo(1);
    }

    @Test
    void stats_countAcrossGroups() throws Exception {
        RelayStore store = open();
        GroupId a = group();
        store.append(a, device(), blobId(), payload(10), T0, ONE_HOUR);
        store.append(a, device(), blobId(), payload(20), T0, ONE_HOUR);
        store.append(group(), device(), blobId(), payload(30), T0, Duration.ofMinutes(1));
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        assertThat(store.stats().storageBytes()).isEqualTo(60);
        assertThat(store.stats().groupsWithData()).isEqualTo(2);
        store.purgeExpired(T0.plus(Duration.ofMinutes(2)));
        assertThat(store.stats().totalBlobs()).isEqualTo(2);
        assertThat(store.stats().storageBytes()).isEqualTo(30);
        assertThat(store.stats().groupsWithData()).isEqualTo(1);
    }

    @Test
    void reopen_afterClose_keepsEveryAcknowledgedAppend() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<Cursor> acked = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            acked.add(store.append(g, device(), blobId(), payload(64), T0, ONE_HOUR).cursor());
        }
        store.close();
        RelayStore again = open();
        assertThat(cursors(again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0))).containsExactlyElementsOf(acked);
        assertThat(again.head(g)).isEqualTo(acked.get(9));
    }

    private static AppendResult stored(AppendOutcome outcome) {
        assertThat(outcome).isInstanceOf(AppendResult.class);
        return (AppendResult) outcome;
    }

    private static RelayStoreException refused(AppendOutcome outcome) {
        assertThat(outcome).isInstanceOf(AppendOutcome.Refused.class);
        return ((AppendOutcome.Refused) outcome).failure();
    }

    @Test
    void appendAll_cursorsFollowListOrder_andEveryBlobIsPullableAfterReopen() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        DeviceId sender = device();
        store.append(g, sender, blobId(), payload(5), T0, ONE_HOUR); // cursor 1, before the batch
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(new AppendRequest(g, sender, blobId(), payload(10 + i), ONE_HOUR));
        }

        List<AppendOutcome> outcomes = store.appendAll(requests, T0);

        assertThat(outcomes).hasSize(6);
        List<Cursor> cursors = outcomes.stream().map(o -> stored(o).cursor()).toList();
        assertThat(cursors).extracting(Cursor::value).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(stored(o).duplicate()).isFalse();
            assertThat(stored(o).expiresAt()).isEqualTo(T0.plus(ONE_HOUR));
        });
        store.close();
        RelayStore again = open();
        List<StoredBlob> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AppendRequest r = requests.get(i);
            expected.add(new StoredBlob(cursors.get(i), r.blob(), sender, r.payload()));
        }
        assertThat(again.pageAfter(g, new Cursor(1), 100, 1 << 20, T0).blobs()).containsExactlyElementsOf(expected);
        assertThat(again.head(g)).isEqualTo(new Cursor(7));
        assertThat(again.usage(g)).isEqualTo(new GroupUsage(7, 5 + 10 + 11 + 12 + 13 + 14 + 15));
    }

    @Test
    void appendAll_duplicateOfAnEarlierAppendAndWithinTheSameList_getsTheFirstCursorAndStoresNothing() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        BlobId earlier = blobId();
        BlobId twice = blobId();
        byte[] earlierBytes = payload(100);
        AppendResult first = store.append(g, device(), earlier, earlierBytes, T0, ONE_HOUR);

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(g, device(), twice, payload(200), ONE_HOUR),
                new AppendRequest(g, device(), earlier, earlierBytes, ONE_HOUR),
                new AppendRequest(g, device(), twice, payload(200), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(300), ONE_HOUR)), T0.plusSeconds(5));

        assertThat(stored(outcomes.get(0))).isEqualTo(new AppendResult(new Cursor(2), false, T0.plusSeconds(5).plus(ONE_HOUR)));
        assertThat(stored(outcomes.get(1))).isEqualTo(new AppendResult(first.cursor(), true, first.expiresAt()));
        assertThat(stored(outcomes.get(2))).isEqualTo(new AppendResult(new Cursor(2), true, T0.plusSeconds(5).plus(ONE_HOUR)));
        assertThat(stored(outcomes.get(3)).cursor()).isEqualTo(new Cursor(3));
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 600));
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        assertThat(store.stats().storageBytes()).isEqualTo(600);
    }

    @Test
    void appendAll_quotaRefusalInTheMiddle_storesTheOthersAndChargesExactlyWhatWasStored() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1000));
        GroupId g = group();
        List<AppendRequest> requests = List.of(
                new AppendRequest(g, device(), blobId(), payload(300), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(800), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(400), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(300), ONE_HOUR));

        List<AppendOutcome> outcomes = store.appendAll(requests, T0);

        assertThat(stored(outcomes.get(0)).cursor()).isEqualTo(new Cursor(1));
        RelayStoreException quota = refused(outcomes.get(1));
        assertThat(quota.code()).isEqualTo(RelayStoreException.Code.QUOTA_EXCEEDED);
        assertThat(quota.storedBytes()).hasValue(300);
        assertThat(quota.quotaBytes()).hasValue(1000);
        // The refused request took no cursor: the log has no gap.
        assertThat(stored(outcomes.get(2)).cursor()).isEqualTo(new Cursor(2));
        assertThat(stored(outcomes.get(3)).cursor()).isEqualTo(new Cursor(3)); // exactly fills the quota
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 1000));
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        assertThat(store.stats().storageBytes()).isEqualTo(1000);
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, T0).blobs()).extracting(StoredBlob::blob)
                .containsExactly(requests.get(0).blob(), requests.get(2).blob(), requests.get(3).blob());
    }

    @Test
    void appendAll_capacityRefusalAcrossGroups_keepsTheOthers() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, 1 << 20, 2));
        GroupId a = group();
        GroupId b = group();
        BlobId first = blobId();
        byte[] bytes = payload(10);

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(a, device(), first, bytes, ONE_HOUR),
                new AppendRequest(b, device(), blobId(), payload(20), ONE_HOUR),
                new AppendRequest(a, device(), blobId(), payload(30), ONE_HOUR),
                new AppendRequest(a, device(), first, bytes, ONE_HOUR)), T0);

        assertThat(stored(outcomes.get(0)).cursor()).isEqualTo(new Cursor(1));
        assertThat(stored(outcomes.get(1)).cursor()).isEqualTo(new Cursor(1));
        assertThat(refused(outcomes.get(2)).code()).isEqualTo(RelayStoreException.Code.CAPACITY_EXCEEDED);
        assertThat(stored(outcomes.get(3))).satisfies(r -> {
            assertThat(r.duplicate()).isTrue();
            assertThat(r.cursor()).isEqualTo(new Cursor(1));
        });
        assertThat(store.stats().totalBlobs()).isEqualTo(2);
        assertThat(store.stats().storageBytes()).isEqualTo(30);
        assertThat(store.head(a)).isEqualTo(new Cursor(1));
    }

    @Test
    void appendAll_identicalContentTwiceInOneList_isChargedOnceAndEachRowKeepsItsOwnReference() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        DeviceId sender = device();
        byte[] bytes = payload(300);
        BlobId shortLived = blobId();
        BlobId longLived = blobId();
        BlobId other = blobId();
        byte[] otherBytes = payload(50);

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(g, sender, shortLived, bytes, Duration.ofMinutes(1)),
                new AppendRequest(g, sender, other, otherBytes, ONE_HOUR),
                new AppendRequest(g, sender, longLived, bytes.clone(), ONE_HOUR)), T0);

        assertThat(outcomes).extracting(o -> stored(o).cursor().value()).containsExactly(1L, 2L, 3L);
        assertThat(outcomes).allSatisfy(o -> assertThat(stored(o).duplicate()).isFalse());
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 350));
        assertThat(store.stats().storageBytes()).isEqualTo(350);
        // The shared payload outlives the first row that used it, and goes with the last one.
        Instant later = T0.plus(Duration.ofMinutes(2));
        assertThat(store.purgeExpired(later)).isEqualTo(1);
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(2, 350));
        Page page = store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, later);
        assertThat(page.withheld()).isEmpty();
        assertThat(page.blobs()).containsExactly(new StoredBlob(new Cursor(2), other, sender, otherBytes),
                new StoredBlob(new Cursor(3), longLived, sender, bytes));
        assertThat(store.purgeExpired(T0.plus(Duration.ofHours(2)))).isEqualTo(2);
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(0, 0));
        assertThat(store.stats().storageBytes()).isZero();
    }

    @Test
    void appendAll_contentStoredByAnEarlierCall_isSharedAndOutlivesEachRowButTheLast() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        DeviceId sender = device();
        byte[] bytes = payload(300);
        store.append(g, sender, blobId(), bytes, T0, Duration.ofMinutes(1)); // cursor 1
        BlobId medium = blobId();
        BlobId longest = blobId();

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(g, sender, medium, bytes.clone(), Duration.ofMinutes(10)),
                new AppendRequest(g, sender, longest, bytes.clone(), ONE_HOUR)), T0);

        assertThat(outcomes).extracting(o -> stored(o).cursor().value()).containsExactly(2L, 3L);
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 300));
        // Rows expire one by one; the payload stays until the last row using it is gone.
        Instant afterFirst = T0.plus(Duration.ofMinutes(2));
        assertThat(store.purgeExpired(afterFirst)).isEqualTo(1);
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, afterFirst).blobs()).containsExactly(
                new StoredBlob(new Cursor(2), medium, sender, bytes), new StoredBlob(new Cursor(3), longest, sender, bytes));
        Instant afterMedium = T0.plus(Duration.ofMinutes(20));
        assertThat(store.purgeExpired(afterMedium)).isEqualTo(1);
        Page page = store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, afterMedium);
        assertThat(page.withheld()).isEmpty();
        assertThat(page.blobs()).containsExactly(new StoredBlob(new Cursor(3), longest, sender, bytes));
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(1, 300));
        assertThat(store.purgeExpired(T0.plus(Duration.ofHours(2)))).isEqualTo(1);
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(0, 0));
        assertThat(store.stats().storageBytes()).isZero();
    }

    @Test
    void appendAll_twoGroupsInterleaved_eachGetsItsOwnCursorsUsageAndHead() throws Exception {
        RelayStore store = open();
        GroupId a = group();
        GroupId b = group();
        store.append(b, device(), blobId(), payload(7), T0, ONE_HOUR); // b's cursor 1, before the list
        List<AppendRequest> requests = List.of(
                new AppendRequest(a, device(), blobId(), payload(10), ONE_HOUR),
                new AppendRequest(b, device(), blobId(), payload(20), ONE_HOUR),
                new AppendRequest(a, device(), blobId(), payload(30), ONE_HOUR),
                new AppendRequest(b, device(), blobId(), payload(40), ONE_HOUR),
                new AppendRequest(a, device(), blobId(), payload(50), ONE_HOUR));

        List<AppendOutcome> outcomes = store.appendAll(requests, T0);

        assertThat(outcomes).extracting(o -> stored(o).cursor().value()).containsExactly(1L, 2L, 2L, 3L, 3L);
        assertThat(store.head(a)).isEqualTo(new Cursor(3));
        assertThat(store.head(b)).isEqualTo(new Cursor(3));
        assertThat(store.usage(a)).isEqualTo(new GroupUsage(3, 90));
        assertThat(store.usage(b)).isEqualTo(new GroupUsage(3, 67));
        assertThat(store.stats().totalBlobs()).isEqualTo(6);
        assertThat(store.stats().storageBytes()).isEqualTo(157);
        assertThat(store.pageAfter(a, Cursor.ZERO, 10, 1 << 20, T0).blobs()).extracting(StoredBlob::blob)
                .containsExactly(requests.get(0).blob(), requests.get(2).blob(), requests.get(4).blob());
        assertThat(store.pageAfter(b, new Cursor(1), 10, 1 << 20, T0).blobs()).extracting(StoredBlob::blob)
                .containsExactly(requests.get(1).blob(), requests.get(3).blob());
    }

    @Test
    void appendAll_blobIdRefusedByTheQuotaThenSentAgainSmaller_isStoredNotADuplicate() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1000));
        GroupId g = group();
        BlobId retried = blobId();
        DeviceId sender = device();
        byte[] smaller = payload(200);

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(g, sender, blobId(), payload(700), ONE_HOUR),
                new AppendRequest(g, sender, retried, payload(400), ONE_HOUR),
                new AppendRequest(g, sender, retried, smaller, ONE_HOUR)), T0);

        assertThat(stored(outcomes.get(0)).cursor()).isEqualTo(new Cursor(1));
        assertThat(refused(outcomes.get(1)).storedBytes()).hasValue(700);
        assertThat(stored(outcomes.get(2))).isEqualTo(new AppendResult(new Cursor(2), false, T0.plus(ONE_HOUR)));
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(2, 900));
        assertThat(store.pageAfter(g, new Cursor(1), 10, 1 << 20, T0).blobs())
                .containsExactly(new StoredBlob(new Cursor(2), retried, sender, smaller));
    }

    @Test
    void appendAll_expiredBlobIdSentAgainMidList_isReplacedUnderANewCursorBetweenItsNeighbours() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        DeviceId sender = device();
        BlobId expiring = blobId();
        byte[] expiringBytes = payload(100);
        store.append(g, sender, expiring, expiringBytes, T0, Duration.ofMinutes(1)); // cursor 1
        Instant later = T0.plus(Duration.ofMinutes(2));
        List<AppendRequest> requests = List.of(
                new AppendRequest(g, sender, blobId(), payload(10), ONE_HOUR),
                new AppendRequest(g, sender, expiring, expiringBytes, ONE_HOUR),
                new AppendRequest(g, sender, blobId(), payload(20), ONE_HOUR),
                new AppendRequest(g, sender, expiring, expiringBytes, ONE_HOUR));

        List<AppendOutcome> outcomes = store.appendAll(requests, later);

        assertThat(stored(outcomes.get(0)).cursor()).isEqualTo(new Cursor(2));
        assertThat(stored(outcomes.get(1))).isEqualTo(new AppendResult(new Cursor(3), false, later.plus(ONE_HOUR)));
        assertThat(stored(outcomes.get(2)).cursor()).isEqualTo(new Cursor(4));
        assertThat(stored(outcomes.get(3))).isEqualTo(new AppendResult(new Cursor(3), true, later.plus(ONE_HOUR)));
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 130));
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        assertThat(store.oldestRetained(g, later)).isEqualTo(new Cursor(2));
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, later).blobs()).extracting(StoredBlob::blob)
                .containsExactly(requests.get(0).blob(), expiring, requests.get(2).blob());
    }

    @Test
    void appendAll_overQuotaMidListWithExpiredRows_purgesThemAndStoresTheRest() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1000));
        GroupId g = group();
        store.append(g, device(), blobId(), payload(800), T0, Duration.ofMinutes(1)); // cursor 1
        Instant later = T0.plus(Duration.ofMinutes(10));

        List<AppendOutcome> outcomes = store.appendAll(List.of(
                new AppendRequest(g, device(), blobId(), payload(100), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(300), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(500), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(200), ONE_HOUR)), later);

        // 800 + 100 fits; 300 does not until the expired 800 are purged; then 100 + 300 + 500 fit
        // and 200 more does not, with nothing left to purge.
        assertThat(outcomes.subList(0, 3)).extracting(o -> stored(o).cursor().value()).containsExactly(2L, 3L, 4L);
        RelayStoreException quota = refused(outcomes.get(3));
        assertThat(quota.code()).isEqualTo(RelayStoreException.Code.QUOTA_EXCEEDED);
        assertThat(quota.storedBytes()).hasValue(900);
        assertThat(store.usage(g)).isEqualTo(new GroupUsage(3, 900));
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        assertThat(store.stats().storageBytes()).isEqualTo(900);
        assertThat(store.head(g)).isEqualTo(new Cursor(4));
        assertThat(store.oldestRetained(g, later)).isEqualTo(new Cursor(2));
    }

    @Test
    void appendAll_onAClosedStore_refusesEveryRequestClosed_andAnEmptyListIsAnEmptyAnswer() throws Exception {
        RelayStore store = open();
        assertThat(store.appendAll(List.of(), T0)).isEmpty();
        store.close();
        GroupId g = group();

        List<AppendOutcome> outcomes = store.appendAll(List.of(new AppendRequest(g, device(), blobId(), payload(1), ONE_HOUR),
                new AppendRequest(g, device(), blobId(), payload(2), ONE_HOUR)), T0);

        assertThat(outcomes).hasSize(2)
                .allSatisfy(o -> assertThat(refused(o).code()).isEqualTo(RelayStoreException.Code.CLOSED));
    }

    @Test
    void close_isIdempotentAndLaterCallsFailClosed() throws Exception {
        RelayStore store = open();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.append(group(), device(), blobId(), payload(1), T0, ONE_HOUR))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.CLOSED));
        assertThatThrownBy(() -> store.pageAfter(group(), Cursor.ZERO, 1, 1, T0))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.CLOSED));
    }

    @Test
    void append_quotaExceededMessage_showsNoIds() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 10));
        GroupId g = group();
        BlobId id = blobId();
        RelayStoreException e = org.junit.jupiter.api.Assertions.assertThrows(RelayStoreException.class,
                () -> store.append(g, device(), id, payload(11), T0, ONE_HOUR));
        assertThat(e.getMessage()).doesNotContain(g.hex()).doesNotContain(id.hex());
    }

    /**
     * Several writers append to one group while a reader follows the log by cursor: cursors are
     * unique and strictly increasing, and the reader, which never re-reads behind its cursor,
     * ends up with every acknowledged blob (no gap it skipped was filled later).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void append_concurrentWriters_readerFollowingCursorsMissesNothing() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        int writers = 4;
        int perWriter = 40;
        ConcurrentLinkedQueue<Cursor> acked = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            List<List<BlobId>> ids = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<BlobId> mine = new ArrayList<>();
                for (int i = 0; i < perWriter; i++) {
                    mine.add(blobId());
                }
                ids.add(mine);
            }
            for (int w = 0; w < writers; w++) {
                List<BlobId> mine = ids.get(w);
                DeviceId sender = device();
                futures.add(pool.submit(() -> {
                    start.await();
                    for (BlobId id : mine) {
                        acked.add(store.append(g, sender, id, new byte[] {1, 2, 3}, T0, ONE_HOUR).cursor());
                    }
                    return null;
                }));
            }
            List<Cursor> followed = new ArrayList<>();
            Future<?> reader = pool.submit(() -> {
                start.await();
                Cursor after = Cursor.ZERO;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
                while (followed.size() < writers * perWriter && System.nanoTime() < deadline) {
                    Page page = store.pageAfter(g, after, 7, 1 << 20, T0);
                    for (StoredBlob b : page.blobs()) {
                        followed.add(b.cursor());
                        after = b.cursor();
                    }
                    if (page.blobs().isEmpty()) {
                        Thread.onSpinWait();
                    }
                }
                return null;
            });
            start.countDown();
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
            reader.get(55, TimeUnit.SECONDS);
            List<Cursor> sortedAcked = acked.stream().sorted().toList();
            assertThat(sortedAcked).doesNotHaveDuplicates().hasSize(writers * perWriter);
            assertThat(followed).containsExactlyElementsOf(sortedAcked);
            assertThat(store.head(g)).isEqualTo(sortedAcked.get(sortedAcked.size() - 1));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writers race for the last bytes of a quota: it is never exceeded and usage equals what was acked. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void append_concurrentWritersAtQuota_neverExceedIt() throws Exception {
        long quota = 10_000;
        RelayStore store = track(open(Duration.ofDays(1), quota));
        GroupId g = group();
        int writers = 4;
        AtomicLong ackedBytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<byte[]> payloads = new ArrayList<>();
                List<BlobId> ids = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    payloads.add(payload(137 + w));
                    ids.add(blobId());
                }
                DeviceId sender = device();
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < payloads.size(); i++) {
                        try {
                            store.append(g, sender, ids.get(i), payloads.get(i), T0, ONE_HOUR);
                            ackedBytes.addAndGet(payloads.get(i).length);
                        } catch (RelayStoreException e) {
                            assertThat(e.code()).isEqualTo(RelayStoreException.Code.QUOTA_EXCEEDED);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
            assertThat(store.usage(g).storedBytes()).isLessThanOrEqualTo(quota).isEqualTo(ackedBytes.get());
            assertThat(quota - ackedBytes.get()).isLessThan(137 + writers);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertCode(ThrowingCallable call, RelayStoreException.Code code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RelayStoreException.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void append_overCapacityBytes_throwsCapacityExceededAndStoresNothing() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, 1000, 100));
        GroupId a = group();
        GroupId b = group();
        store.append(a, device(), blobId(), payload(600), T0, ONE_HOUR);
        assertCode(() -> store.append(b, device(), blobId(), payload(500), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
        assertThat(store.head(b)).isEqualTo(Cursor.ZERO);
        assertThat(store.usage(b)).isEqualTo(new GroupUsage(0, 0));
        assertThat(store.stats().storageBytes()).isEqualTo(600);
        assertThat(store.stats().totalBlobs()).isEqualTo(1);
        // Exactly filling the capacity is allowed; a payload already stored in the group costs no bytes.
        byte[] fill = payload(400);
        store.append(b, device(), blobId(), fill, T0, ONE_HOUR);
        store.append(b, device(), blobId(), fill.clone(), T0, ONE_HOUR);
        assertThat(store.stats().storageBytes()).isEqualTo(1000);
        assertCode(() -> store.append(a, device(), blobId(), payload(1), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
    }

    @Test
    void append_overCapacityBlobs_throwsCapacityExceededButAcknowledgesDuplicates() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, 1 << 20, 3));
        GroupId a = group();
        BlobId first = blobId();
        byte[] bytes = payload(10);
        AppendResult stored = store.append(a, device(), first, bytes, T0, ONE_HOUR);
        store.append(a, device(), blobId(), payload(10), T0, ONE_HOUR);
        store.append(group(), device(), blobId(), payload(10), T0, ONE_HOUR);
        GroupId c = group();
        assertCode(() -> store.append(c, device(), blobId(), payload(1), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
        // Same bytes under a new blob id: no new payload bytes, but a new row.
        assertCode(() -> store.append(a, device(), blobId(), bytes.clone(), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
        assertThat(store.head(c)).isEqualTo(Cursor.ZERO);
        assertThat(store.stats().totalBlobs()).isEqualTo(3);
        // An outbox retry after a lost ack still gets its ack when the relay is full.
        AppendResult retry = store.append(a, device(), first, bytes, T0, ONE_HOUR);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.cursor()).isEqualTo(stored.cursor());
    }

    @Test
    void append_groupQuotaAndCapacity_areReportedWithDistinctCodes() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 500, 800, 100));
        GroupId a = group();
        store.append(a, device(), blobId(), payload(400), T0, ONE_HOUR);
        assertCode(() -> store.append(a, device(), blobId(), payload(200), T0, ONE_HOUR),
                RelayStoreException.Code.QUOTA_EXCEEDED);
        store.append(group(), device(), blobId(), payload(400), T0, ONE_HOUR);
        assertCode(() -> store.append(group(), device(), blobId(), payload(1), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
    }

    @Test
    void purgeExpired_givesCapacityBack() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, 1000, 2));
        store.append(group(), device(), blobId(), payload(700), T0, Duration.ofMinutes(1));
        store.append(group(), device(), blobId(), payload(100), T0, ONE_HOUR);
        Instant later = T0.plus(Duration.ofMinutes(2));
        GroupId g = group();
        assertCode(() -> store.append(g, device(), blobId(), payload(700), later, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
        assertThat(store.purgeExpired(later)).isEqualTo(1);
        AppendResult fits = store.append(g, device(), blobId(), payload(900), later, ONE_HOUR);
        assertThat(store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, later).blobs())
                .extracting(StoredBlob::cursor).containsExactly(fits.cursor());
        assertThat(store.stats().storageBytes()).isEqualTo(1000);
        assertThat(store.stats().totalBlobs()).isEqualTo(2);
    }

    @Test
    void reopen_keepsCapacityAccounting() throws Exception {
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, 1000, 100));
        store.append(group(), device(), blobId(), payload(900), T0, ONE_HOUR);
        store.close();
        RelayStore again = track(open(Duration.ofDays(1), 1 << 20, 1000, 100));
        assertCode(() -> again.append(group(), device(), blobId(), payload(101), T0, ONE_HOUR),
                RelayStoreException.Code.CAPACITY_EXCEEDED);
        again.append(group(), device(), blobId(), payload(100), T0, ONE_HOUR);
    }

    /** Writers in different groups race for the last bytes of the relay: the cap is never exceeded. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void append_concurrentWritersAtCapacity_neverExceedIt() throws Exception {
        long capacity = 10_000;
        RelayStore store = track(open(Duration.ofDays(1), 1 << 20, capacity, Long.MAX_VALUE));
        int writers = 4;
        AtomicLong ackedBytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<byte[]> payloads = new ArrayList<>();
                List<BlobId> ids = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    payloads.add(payload(137 + w));
                    ids.add(blobId());
                }
                GroupId g = group();
                DeviceId sender = device();
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < payloads.size(); i++) {
                        try {
                            store.append(g, sender, ids.get(i), payloads.get(i), T0, ONE_HOUR);
                            ackedBytes.addAndGet(payloads.get(i).length);
                        } catch (RelayStoreException e) {
                            assertThat(e.code()).isEqualTo(RelayStoreException.Code.CAPACITY_EXCEEDED);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
            assertThat(store.stats().storageBytes()).isLessThanOrEqualTo(capacity).isEqualTo(ackedBytes.get());
            assertThat(capacity - ackedBytes.get()).isLessThan(137 + writers);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Appends {@code count} blobs of 300 bytes to {@code g}; returns them as a pull returns them. */
    private List<StoredBlob> appendSome(RelayStore store, GroupId g, int count) throws RelayStoreException {
        List<StoredBlob> pushed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BlobId id = blobId();
            DeviceId sender = device();
            byte[] bytes = payload(300);
            pushed.add(new StoredBlob(store.append(g, sender, id, bytes, T0, ONE_HOUR).cursor(), id, sender, bytes));
        }
        return pushed;
    }

    @Test
    void pageAfter_rottenPayload_isWithheldAndReportedAndLaterRowsStillCome() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<StoredBlob> pushed = appendSome(store, g, 5);
        GroupId other = group();
        List<StoredBlob> otherPushed = appendSome(store, other, 2);
        store.close();
        StoredBlob rotten = pushed.get(1);
        rotStoredPayload(rotten.payload());
        RelayStore again = open();

        Page page = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);

        List<StoredBlob> intact = new ArrayList<>(pushed);
        intact.remove(rotten);
        assertThat(page.blobs()).containsExactlyElementsOf(intact);
        assertThat(page.withheld()).containsExactly(rotten.cursor());
        assertThat(page.hasMore()).isFalse();
        assertThat(page.coveredThrough()).contains(pushed.get(4).cursor());
        assertThat(again.stats().rottenBlobsDetected()).isEqualTo(1);
        assertThat(again.pageAfter(other, Cursor.ZERO, 100, 1 << 20, T0).blobs()).containsExactlyElementsOf(otherPushed);
        // Never served again, and counted once.
        Page later = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(later.blobs()).containsExactlyElementsOf(intact);
        assertThat(later.withheld()).containsExactly(rotten.cursor());
        assertThat(again.stats().rottenBlobsDetected()).isEqualTo(1);
        again.close();
        RelayStore third = open();
        assertThat(third.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0).withheld()).containsExactly(rotten.cursor());
        assertThat(third.stats().rottenBlobsDetected()).isEqualTo(1);
    }

    @Test
    void pageAfter_pageEndingInRottenRows_coversThemAndHasMoreStaysHonest() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<StoredBlob> pushed = appendSome(store, g, 5);
        store.close();
        rotStoredPayload(pushed.get(1).payload());
        rotStoredPayload(pushed.get(2).payload());
        rotStoredPayload(pushed.get(4).payload());
        RelayStore again = open();

        Page first = again.pageAfter(g, Cursor.ZERO, 1, 1 << 20, T0);
        assertThat(cursors(first)).containsExactly(pushed.get(0).cursor());
        assertThat(first.hasMore()).isTrue();
        Page second = again.pageAfter(g, first.coveredThrough().orElseThrow(), 1, 1 << 20, T0);
        assertThat(second.withheld()).as("withheld rows count toward neither bound")
                .startsWith(pushed.get(1).cursor(), pushed.get(2).cursor());
        assertThat(second.blobs()).containsExactly(pushed.get(3));
        Cursor resume = second.coveredThrough().orElseThrow();
        assertThat(second.hasMore()).isEqualTo(resume.equals(pushed.get(3).cursor()));
        Page third = again.pageAfter(g, resume, 1, 1 << 20, T0);
        if (second.hasMore()) {
            assertThat(third.blobs()).isEmpty();
            assertThat(third.withheld()).containsExactly(pushed.get(4).cursor());
            assertThat(third.hasMore()).isFalse();
            assertThat(third.coveredThrough()).as("a page of withheld rows only still covers them")
                    .contains(pushed.get(4).cursor());
            resume = third.coveredThrough().orElseThrow();
        }
        Page end = again.pageAfter(g, resume, 1, 1 << 20, T0);
        assertThat(end.blobs()).isEmpty();
        assertThat(end.withheld()).isEmpty();
        assertThat(end.hasMore()).isFalse();
        assertThat(end.coveredThrough()).isEmpty();

        Page tinyBytes = again.pageAfter(g, pushed.get(0).cursor(), 1, 1, T0);
        assertThat(tinyBytes.blobs()).containsExactly(pushed.get(3));
        assertThat(tinyBytes.withheld()).startsWith(pushed.get(1).cursor(), pushed.get(2).cursor());
        assertThat(again.stats().rottenBlobsDetected()).isEqualTo(3);
    }

    @Test
    void append_sameBlobIdAfterRot_storesItAgainUnderANewCursor() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<StoredBlob> pushed = appendSome(store, g, 3);
        store.close();
        StoredBlob rotten = pushed.get(0);
        rotStoredPayload(rotten.payload());
        RelayStore again = open();
        assertThat(again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0).withheld()).containsExactly(rotten.cursor());

        AppendResult repush = again.append(g, rotten.sender(), rotten.blob(), rotten.payload(), T0, ONE_HOUR);

        assertThat(repush.duplicate()).isFalse();
        assertThat(repush.cursor().isAfter(pushed.get(2).cursor())).isTrue();
        Page page = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(page.withheld()).isEmpty();
        assertThat(page.blobs()).containsExactly(pushed.get(1), pushed.get(2),
                new StoredBlob(repush.cursor(), rotten.blob(), rotten.sender(), rotten.payload()));
        assertThat(again.usage(g).blobCount()).isEqualTo(3);
    }

    @Test
    void appendAll_rottenBlobResentBetweenNewOnes_isStoredAgainUnderItsOwnNewCursor() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        List<StoredBlob> pushed = appendSome(store, g, 3); // cursors 1..3
        store.close();
        StoredBlob rotten = pushed.get(0);
        rotStoredPayload(rotten.payload());
        RelayStore again = open();
        assertThat(again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0).withheld()).containsExactly(rotten.cursor());
        DeviceId sender = device();
        BlobId before = blobId();
        BlobId after = blobId();
        byte[] beforeBytes = payload(20);
        byte[] afterBytes = payload(30);

        List<AppendOutcome> outcomes = again.appendAll(List.of(
                new AppendRequest(g, sender, before, beforeBytes, ONE_HOUR),
                new AppendRequest(g, rotten.sender(), rotten.blob(), rotten.payload(), ONE_HOUR),
                new AppendRequest(g, sender, after, afterBytes, ONE_HOUR)), T0);

        assertThat(outcomes).extracting(o -> stored(o).cursor().value()).containsExactly(4L, 5L, 6L);
        assertThat(stored(outcomes.get(1)).duplicate()).isFalse();
        Page page = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(page.withheld()).isEmpty();
        assertThat(page.blobs()).containsExactly(pushed.get(1), pushed.get(2),
                new StoredBlob(new Cursor(4), before, sender, beforeBytes),
                new StoredBlob(new Cursor(5), rotten.blob(), rotten.sender(), rotten.payload()),
                new StoredBlob(new Cursor(6), after, sender, afterBytes));
        assertThat(again.usage(g)).isEqualTo(new GroupUsage(5, 300 + 300 + 20 + 300 + 30));
    }

    @Test
    void appendAll_identicalBytesAfterRotAmongOthers_areStoredIntactAndTheRottenRowsWithheld() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        byte[] bytes = payload(400);
        AppendResult first = store.append(g, device(), blobId(), bytes, T0, ONE_HOUR);
        store.close();
        rotStoredPayload(bytes);
        RelayStore again = open();
        DeviceId sender = device();
        BlobId otherId = blobId();
        byte[] otherBytes = payload(10);
        BlobId laterId = blobId();

        List<AppendOutcome> outcomes = again.appendAll(List.of(
                new AppendRequest(g, sender, otherId, otherBytes, ONE_HOUR),
                new AppendRequest(g, sender, laterId, bytes.clone(), ONE_HOUR)), T0);

        assertThat(outcomes).extracting(o -> stored(o).cursor().value()).containsExactly(2L, 3L);
        Page page = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(page.withheld()).containsExactly(first.cursor());
        assertThat(page.blobs()).containsExactly(new StoredBlob(new Cursor(2), otherId, sender, otherBytes),
                new StoredBlob(new Cursor(3), laterId, sender, bytes));
        assertThat(again.stats().rottenBlobsDetected()).isEqualTo(1);
        assertThat(again.usage(g)).isEqualTo(new GroupUsage(3, 410));
    }

    /** Identical bytes pushed after the rot must not be served from (or withheld with) the rotten copy. */
    @Test
    void append_identicalBytesAfterRot_areStoredIntactNotSharedWithTheRottenCopy() throws Exception {
        RelayStore store = open();
        GroupId g = group();
        byte[] bytes = payload(400);
        AppendResult first = store.append(g, device(), blobId(), bytes, T0, ONE_HOUR);
        AppendResult twin = store.append(g, device(), blobId(), bytes.clone(), T0, ONE_HOUR);
        store.close();
        rotStoredPayload(bytes);
        RelayStore again = open();

        BlobId laterId = blobId();
        DeviceId sender = device();
        AppendResult later = again.append(g, sender, laterId, bytes.clone(), T0, ONE_HOUR);

        Page page = again.pageAfter(g, Cursor.ZERO, 100, 1 << 20, T0);
        assertThat(page.withheld()).containsExactly(first.cursor(), twin.cursor());
        assertThat(page.blobs()).containsExactly(new StoredBlob(later.cursor(), laterId, sender, bytes));
        assertThat(again.stats().rottenBlobsDetected()).isEqualTo(2);
    }
}
