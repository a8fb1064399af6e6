package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.sync.World.Device;
import dev.zerok.kernel.sync.World.FakeRelay;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole-engine behaviour against fake relays in a virtual-time world, two or more devices. */
class SyncScenariosTest {
    private final World world = new World(42);

    private byte[] seal(BlobId blob, DeviceId sender, long sequence, String text) throws Exception {
        BlobSealer sealer = BlobSealer.create(World.CRYPTO, world.entropy);
        return sealer.seal(world.keys.contentKey(), world.keys.groupId(), blob, sender,
                new SyncPayload(SyncPayload.Kind.DATA, sequence, text.getBytes()).encode()).bytes();
    }

    private BlobId newBlobId() {
        return new BlobId(world.entropy.bytes(16));
    }

    private static SyncStatus.Kind kind(Device d) {
        return d.engine.status().kind();
    }

    @Test
    void push_online_deliveredToTheOtherDeviceAndVectorsByteIdentical() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        a.push("one", world.now);
        a.push("two", world.now);
        world.settle();
        b.push("three", world.now);
        world.settle();
        world.advance(Duration.ofSeconds(1));
        assertThat(b.deliveredTexts()).containsExactly("one", "two");
        assertThat(a.deliveredTexts()).containsExactly("three");
        assertThat(a.engine.versionVector()).isEqualTo(b.engine.versionVector());
        assertThat(a.engine.versionVector().get(a.id)).isEqualTo(2);
        assertThat(a.engine.versionVector().get(b.id)).isEqualTo(1);
        assertThat(a.store.versionVector()).isEqualTo(b.store.versionVector());
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(kind(b)).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(b.delivered.get(0).sequence()).isEqualTo(1);
        assertThat(b.delivered.get(0).sender()).isEqualTo(a.id);
    }

    @Test
    void pushOffline_survivesRestart_sentOnNextConnectionExactlyOnce() throws Exception {
        FakeRelay r = world.relay();
        world.kill(r);
        Device a = world.device(List.of(r));
        world.start(a);
        BlobId blob = a.push("stranded", world.now);
        world.settle();
        assertThat(r.pushCount(blob)).isZero();
        // Process restart: a new engine over the same durable state; the relay comes back.
        Device again = world.restart(a, List.of(r));
        world.revive(r);
        world.start(again);
        world.settle();
        assertThat(r.pushCount(blob)).isEqualTo(1);
        assertThat(r.log).hasSize(1);
        assertThat(again.store.pending(r.id, 10)).isEmpty();
        assertThat(kind(again)).isEqualTo(SyncStatus.Kind.SYNCED);
        // The sequence counter survived too: the next push is sequence 2, not 1 again.
        again.push("next", world.now);
        world.settle();
        assertThat(again.engine.versionVector().get(again.id)).isEqualTo(2);
    }

    @Test
    void ackLost_pushResentOnReconnect_relayDedupKeepsOneCopy() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        r.latency = Duration.ofSeconds(2);
        BlobId blob = a.push("x", world.now);
        world.settle(); // the push reached the relay; its ack is still on the way
        assertThat(r.log).hasSize(1);
        world.kill(r); // the ack is lost with the connection
        world.revive(r);
        r.latency = Duration.ZERO;
        assertThat(world.runUntil(() -> kind(a) == SyncStatus.Kind.SYNCED, Duration.ofSeconds(30))).isTrue();
        assertThat(r.pushCount(blob)).isEqualTo(2);
        assertThat(r.log).hasSize(1);
        assertThat(a.store.pending(r.id, 10)).isEmpty();
    }

    @Test
    void pull_manyPages_loopsUntilHasMoreIsFalse() throws Exception {
        FakeRelay r = world.relay();
        r.pageMaxBlobs = 2;
        Device a = world.device(List.of(r));
        world.start(a);
        for (int i = 1; i <= 7; i++) {
            a.push("m" + i, world.now);
        }
        world.settle();
        Device b = world.device(List.of(r));
        world.start(b);
        assertThat(b.deliveredTexts()).containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
        assertThat(b.actions.stream().filter(x -> x instanceof SyncEngine.Action.Send s && s.message() instanceof Message.Pull)).hasSize(4);
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(7));
        assertThat(b.store.pullCursor(r.id)).isEqualTo(new Cursor(7));
        assertThat(b.engine.versionVector().get(a.id)).isEqualTo(7);
        assertThat(kind(b)).isEqualTo(SyncStatus.Kind.SYNCED);
    }

    @Test
    void newDevice_oldestBlobsExpiredAtRelay_oneMissedExpiredThenRetainedBlobsOverSeveralPages() throws Exception {
        FakeRelay r = world.relay();
        r.pageMaxBlobs = 1;
        Device a = world.device(List.of(r));
        world.start(a);
        for (int i = 1; i <= 5; i++) {
            a.push("m" + i, world.now);
        }
        world.settle();
        for (long cursor = 1; cursor <= 3; cursor++) {
            r.expire(cursor);
        }

        Device b = world.device(List.of(r));
        world.start(b);

        assertThat(b.events(SyncEvent.MissedExpired.class))
                .containsExactly(new SyncEvent.MissedExpired(r.id, Cursor.ZERO, new Cursor(4)));
        assertThat(b.deliveredTexts()).containsExactly("m4", "m5");
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(5));
        assertThat(kind(b)).isEqualTo(SyncStatus.Kind.SYNCED);
    }

    @Test
    void deviceAwayLongerThanTtl_expiredOutOfOrder_oneMissedExpiredThenPullsWhatIsLeft() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        a.push("m1", world.now);
        a.push("m2", world.now);
        world.settle();
        assertThat(b.deliveredTexts()).containsExactly("m1", "m2");
        world.kill(r);
        world.settle();
        Device away = world.restart(b, List.of(r));
        for (int i = 3; i <= 6; i++) {
            a.push("m" + i, world.now);
        }
        world.revive(r);
        world.runUntil(() -> r.head() == 6, Duration.ofMinutes(5));
        r.expire(1);
        r.expire(4); // cursor 3 outlives 4: TTLs differ per push
        assertThat(r.head()).isEqualTo(6);

        world.start(away);

        assertThat(away.events(SyncEvent.MissedExpired.class))
                .containsExactly(new SyncEvent.MissedExpired(r.id, new Cursor(2), new Cursor(5)));
        assertThat(away.deliveredTexts()).containsExactly("m3", "m5", "m6");
        assertThat(away.engine.pullCursor(r.id)).isEqualTo(new Cursor(6));
    }

    @Test
    void deviceCurrent_everythingExpiredSince_noMissedExpired() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        a.push("m1", world.now);
        a.push("m2", world.now);
        world.settle();
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(2));
        world.kill(r);
        world.settle();
        Device again = world.restart(b, List.of(r));
        r.expire(1);
        r.expire(2);
        world.revive(r);

        world.start(again);

        assertThat(again.events(SyncEvent.MissedExpired.class)).isEmpty();
        assertThat(again.delivered).isEmpty();
        assertThat(kind(again)).isEqualTo(SyncStatus.Kind.SYNCED);
    }

    @Test
    void notifyWhilePulling_pullsAgainAfterThePage() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        r.latency = Duration.ofSeconds(1);
        a.push("first", world.now);
        world.advance(Duration.ofMillis(1500)); // b got Notify and sent a Pull
        a.push("second", world.now);             // Notify for this one arrives while b's pull is in flight
        world.advance(Duration.ofSeconds(5));
        assertThat(b.deliveredTexts()).containsExactly("first", "second");
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(2));
    }

    @Test
    void tamperedBlob_recordedFailedAndReported_cursorAdvancesOnlyWithTheRecord() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        a.push("good-1", world.now);
        BlobId bad = a.push("to-be-altered", world.now);
        a.push("good-3", world.now);
        world.settle();
        long badCursor = r.cursorOf.get(bad);
        Message.PulledBlob original = r.log.get(badCursor);
        byte[] altered = original.payload();
        altered[altered.length - 1] ^= 1;
        r.log.put(badCursor, new Message.PulledBlob(original.cursor(), original.blob(), original.sender(), altered));
        Device b = world.device(List.of(r));
        world.start(b);
        assertThat(b.deliveredTexts()).containsExactly("good-1", "good-3");
        List<SyncEvent.BlobFailed> failed = b.events(SyncEvent.BlobFailed.class);
        assertThat(failed).hasSize(1);
        BlobIndexEntry entry = failed.get(0).entry();
        assertThat(entry.blob()).isEqualTo(bad);
        assertThat(entry.state()).isEqualTo(BlobIndexEntry.State.FAILED);
        assertThat(entry.failure()).contains("AUTHENTICATION_FAILED");
        assertThat(entry.cursor()).isEqualTo(new Cursor(badCursor));
        assertThat(b.store.failures()).containsExactly(entry);
        assertThat(b.store.pullCursor(r.id)).isEqualTo(new Cursor(3));
        // Sequence 2 never arrived intact: the vector holds at 1; sequence 3 waits as held.
        assertThat(b.engine.versionVector().get(a.id)).isEqualTo(1);
    }

    @Test
    void failedOnOneRelay_goodCopyFromTheOther_endsReceivedAndGapFills() throws Exception {
        FakeRelay r1 = world.relay();
        FakeRelay r2 = world.relay();
        Device a = world.device(List.of(r1, r2));
        world.start(a);
        a.push("one", world.now);
        BlobId two = a.push("two", world.now);
        world.settle();
        Message.PulledBlob original = r1.log.get(r1.cursorOf.get(two));
        byte[] altered = original.payload();
        altered[30] ^= 4;
        r1.log.put(original.cursor().value(), new Message.PulledBlob(original.cursor(), two, original.sender(), altered));
        world.kill(r2);
        Device b = world.device(List.of(r1, r2));
        world.start(b);
        assertThat(b.store.blob(two).orElseThrow().state()).isEqualTo(BlobIndexEntry.State.FAILED);
        assertThat(b.engine.versionVector().get(a.id)).isEqualTo(1);
        world.revive(r2);
        assertThat(world.runUntil(() -> b.engine.versionVector().get(a.id) == 2, Duration.ofSeconds(60))).isTrue();
        assertThat(b.store.blob(two).orElseThrow().state()).isEqualTo(BlobIndexEntry.State.RECEIVED);
        assertThat(b.store.failures()).isEmpty();
        assertThat(b.deliveredTexts()).containsExactly("one", "two");
    }

    @Test
    void relayReplaysTheSameBlob_dedupedByIdWithoutFailure() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        BlobId blob = a.push("once", world.now);
        world.settle();
        Message.PulledBlob copy = r.log.get(1L);
        r.append(blob, a.id, copy.payload()); // served again at cursor 2
        Device b = world.device(List.of(r));
        world.start(b);
        assertThat(b.deliveredTexts()).containsExactly("once");
        assertThat(b.events(SyncEvent.BlobFailed.class)).isEmpty();
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(2));
    }

    @Test
    void newBlobWithOldSequence_replayOrRollbackRecordedFailed() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        a.push("s1", world.now);
        a.push("s2", world.now);
        world.settle();
        BlobId rolledBack = newBlobId();
        r.append(rolledBack, a.id, seal(rolledBack, a.id, 2, "s2 again, other content"));
        Device b = world.device(List.of(r));
        world.start(b);
        assertThat(b.deliveredTexts()).containsExactly("s1", "s2");
        BlobIndexEntry entry = b.store.blob(rolledBack).orElseThrow();
        assertThat(entry.state()).isEqualTo(BlobIndexEntry.State.FAILED);
        assertThat(entry.sequence()).isEqualTo(2);
        assertThat(entry.failure()).contains("replayed or rolled back");
        assertThat(b.engine.versionVector().get(a.id)).isEqualTo(2);
    }

    @Test
    void reorderedSequences_heldUntilTheGapFills_thenVectorJumps() throws Exception {
        FakeRelay r = world.relay();
        DeviceId sender = new DeviceId(world.entropy.bytes(32));
        BlobId b1 = newBlobId();
        BlobId b2 = newBlobId();
        BlobId b3 = newBlobId();
        r.append(b3, sender, seal(b3, sender, 3, "three"));
        r.append(b2, sender, seal(b2, sender, 2, "two"));
        Device d = world.device(List.of(r));
        world.start(d);
        assertThat(d.deliveredTexts()).containsExactly("three", "two");
        assertThat(d.engine.versionVector().get(sender)).isZero();
        assertThat(d.events(SyncEvent.BlobFailed.class)).isEmpty();
        r.append(b1, sender, seal(b1, sender, 1, "one"));
        d.engine.handle(new SyncEngine.Input.SyncRequested(), world.now);
        world.settle();
        assertThat(d.engine.versionVector().get(sender)).isEqualTo(3);
        assertThat(d.store.versionVector().get(sender)).isEqualTo(3);
    }

    @Test
    void gapHeldAcrossRestart_countedWhenFilledAfterRestart() throws Exception {
        FakeRelay r = world.relay();
        DeviceId sender = new DeviceId(world.entropy.bytes(32));
        BlobId b1 = newBlobId();
        BlobId b2 = newBlobId();
        r.append(b2, sender, seal(b2, sender, 2, "two"));
        Device d = world.device(List.of(r));
        world.start(d);
        assertThat(d.engine.versionVector().get(sender)).isZero();
        Device again = world.restart(d, List.of(r));
        world.start(again);
        r.append(b1, sender, seal(b1, sender, 1, "one"));
        again.engine.handle(new SyncEngine.Input.SyncRequested(), world.now);
        world.settle();
        assertThat(again.deliveredTexts()).containsExactly("one");
        assertThat(again.engine.versionVector().get(sender)).isEqualTo(2);
    }

    @Test
    void differentBlobReusingAHeldSequence_recordedFailed() throws Exception {
        FakeRelay r = world.relay();
        DeviceId sender = new DeviceId(world.entropy.bytes(32));
        BlobId b3 = newBlobId();
        BlobId other3 = newBlobId();
        r.append(b3, sender, seal(b3, sender, 3, "three"));
        r.append(other3, sender, seal(other3, sender, 3, "another three"));
        Device d = world.device(List.of(r));
        world.start(d);
        assertThat(d.deliveredTexts()).containsExactly("three");
        assertThat(d.store.blob(other3).orElseThrow().failure()).contains("already used");
    }

    @Test
    void blobFromAnotherGroupOrRelabelledSender_failsToOpen() throws Exception {
        FakeRelay r = world.relay();
        DeviceId sender = new DeviceId(world.entropy.bytes(32));
        DeviceId claimed = new DeviceId(world.entropy.bytes(32));
        BlobId b = newBlobId();
        r.append(b, claimed, seal(b, sender, 1, "relabelled"));
        Device d = world.device(List.of(r));
        world.start(d);
        assertThat(d.delivered).isEmpty();
        assertThat(d.store.blob(b).orElseThrow().state()).isEqualTo(BlobIndexEntry.State.FAILED);
        assertThat(d.engine.pullCursor(r.id)).isEqualTo(new Cursor(1));
    }

    @Test
    void inboxFails_pageNotCommitted_pulledAndDeliveredAgainLater() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        a.push("payload", world.now);
        world.settle();
        Device b = world.device(List.of(r));
        int[] refusals = {1};
        SyncRunner engine = new SyncRunner(SyncConfig.defaults(b.id, List.of(r.id)), world.keys, World.CRYPTO, world.entropy,
                b.store, blob -> {
                    if (refusals[0]-- > 0) {
                        throw new SyncException(SyncException.Code.INBOX_FAILED, "disk full");
                    }
                    b.delivered.add(blob);
                });
        engine.addListener(b.events::add);
        b.engine = engine;
        world.start(b);
        assertThat(b.delivered).isEmpty();
        assertThat(b.store.pullCursor(r.id)).isEqualTo(Cursor.ZERO);
        assertThat(kind(b)).isEqualTo(SyncStatus.Kind.FAILED);
        // The application's reason reaches the status: the user learns the disk is full.
        assertThat(b.engine.status().reason()).hasValueSatisfying(reason -> assertThat(reason).contains("inbox refused a blob", "INBOX_FAILED: disk full"));
        assertThat(world.runUntil(() -> !b.delivered.isEmpty(), Duration.ofSeconds(30))).isTrue();
        assertThat(b.deliveredTexts()).containsExactly("payload");
        assertThat(b.store.pullCursor(r.id)).isEqualTo(new Cursor(1));
        assertThat(world.runUntil(() -> kind(b) == SyncStatus.Kind.SYNCED, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void storeFailsOnCommit_nothingCommitted_retriedAfterBackoff() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        a.push("payload", world.now);
        world.settle();
        Device b = world.device(List.of(r));
        b.engine.handle(new SyncEngine.Input.Start(), world.now);
        // Start read the store; the next calls are the page's lookups and commit.
        b.store.failNextCalls(1);
        world.settle();
        assertThat(b.store.pullCursor(r.id)).isEqualTo(Cursor.ZERO);
        assertThat(kind(b)).isEqualTo(SyncStatus.Kind.FAILED);
        assertThat(world.runUntil(() -> kind(b) == SyncStatus.Kind.SYNCED, Duration.ofSeconds(30))).isTrue();
        assertThat(b.deliveredTexts()).containsExactly("payload");
    }

    @Test
    void statusListeners_seeOfflinePendingSyncedInOrder() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        r.latency = Duration.ofSeconds(1);
        a.push("x", world.now);
        world.advance(Duration.ofSeconds(3));
        assertThat(a.events(SyncEvent.StatusChanged.class)).extracting(s -> s.status().kind())
                .containsExactly(SyncStatus.Kind.SYNCED, SyncStatus.Kind.PENDING, SyncStatus.Kind.SYNCED);
        assertThat(a.events(SyncEvent.Acknowledged.class)).hasSize(1);
    }

    @Test
    void closeRequested_flushesPendingPushesThenSaysByeAndCloses() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        r.latency = Duration.ofMillis(300);
        BlobId blob = a.push("last words", world.now);
        a.engine.handle(new SyncEngine.Input.CloseRequested(world.now.plusSeconds(2)), world.now);
        world.advance(Duration.ofSeconds(1));
        assertThat(r.log).hasSize(1);
        assertThat(r.log.get(1L).blob()).isEqualTo(blob);
        assertThat(r.received.get(r.received.size() - 1)).isInstanceOf(Message.Bye.class);
        assertThat(a.events(SyncEvent.Closed.class)).containsExactly(new SyncEvent.Closed(true));
        assertThat(a.engine.isClosed()).isTrue();
        assertThat(a.engine.nextDeadline()).isEmpty();
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.OFFLINE);
    }

    @Test
    void closeRequested_relayNeverAnswers_givesUpAtTheDeadlineAndKeepsTheOutbox() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        r.latency = Duration.ofSeconds(20);
        a.push("unacknowledged", world.now);
        a.engine.handle(new SyncEngine.Input.CloseRequested(world.now.plusSeconds(2)), world.now);
        world.advance(Duration.ofSeconds(2));
        assertThat(a.events(SyncEvent.Closed.class)).containsExactly(new SyncEvent.Closed(false));
        assertThat(a.store.pending(r.id, 10)).hasSize(1);
        assertThat(a.actions.get(a.actions.size() - 1)).isInstanceOf(SyncEngine.Action.Close.class);
    }

    // ------------------------------------------------------------ multi-relay, seed 000 section 4.4

    @Test
    void MR_1_primaryKilledAfterHello_failsOverToSecondary_pushCompletesThere() throws Exception {
        FakeRelay primary = world.relay();
        FakeRelay secondary = world.relay();
        primary.killAfterHello = true;
        Device a = world.device(List.of(primary, secondary));
        world.start(a);
        BlobId blob = a.push("during failover", world.now);
        world.settle();
        assertThat(primary.received).hasAtLeastOneElementOfType(Message.Hello.class);
        assertThat(a.engine.relay(primary.id).state()).isEqualTo(RelayConnection.State.RECONNECTING);
        assertThat(secondary.cursorOf).containsKey(blob);
        assertThat(a.events(SyncEvent.Acknowledged.class)).extracting(SyncEvent.Acknowledged::relay).containsExactly(secondary.id);
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.CONNECTED);
        // Per-relay cursor is tracked for the secondary, not the dead primary.
        Device b = world.device(List.of(primary, secondary));
        world.start(b);
        assertThat(b.deliveredTexts()).containsExactly("during failover");
        assertThat(b.engine.pullCursor(secondary.id)).isEqualTo(new Cursor(1));
        assertThat(b.engine.pullCursor(primary.id)).isEqualTo(Cursor.ZERO);
    }

    @Test
    void MR_2_secondaryKilledDuringFanOut_primaryAckReported_warningAboutSecondary() throws Exception {
        FakeRelay primary = world.relay();
        FakeRelay secondary = world.relay();
        Device a = world.device(List.of(primary, secondary));
        world.start(a);
        secondary.latency = Duration.ofSeconds(1);
        BlobId blob = a.push("fan-out", world.now);
        world.settle();
        world.kill(secondary);
        world.settle();
        assertThat(a.events(SyncEvent.Acknowledged.class)).extracting(SyncEvent.Acknowledged::relay).containsExactly(primary.id);
        assertThat(a.events(SyncEvent.RelayWarning.class)).anySatisfy(w -> {
            assertThat(w.relay()).isEqualTo(secondary.id);
            assertThat(w.warning()).contains("connection lost").contains("other relays carry on");
        });
        assertThat(a.store.pending(primary.id, 10)).isEmpty();
        assertThat(a.store.pending(secondary.id, 10)).extracting(e -> e.blob()).containsExactly(blob);
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.CONNECTED);
        assertThat(a.events(SyncEvent.AllRelaysFailed.class)).isEmpty();
    }

    @Test
    void MR_3_allRelaysKilled_allRelaysFailedReported_noHang_recoversWhenBack() throws Exception {
        FakeRelay r1 = world.relay();
        FakeRelay r2 = world.relay();
        Device a = world.device(List.of(r1, r2));
        world.start(a);
        world.kill(r1);
        world.kill(r2);
        world.settle();
        List<SyncEvent.AllRelaysFailed> failed = a.events(SyncEvent.AllRelaysFailed.class);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).causes()).hasSize(2).allSatisfy(c -> assertThat(c).contains("connection"));
        assertThat(a.engine.status().kind()).isEqualTo(SyncStatus.Kind.FAILED);
        assertThat(a.engine.status().reason()).hasValueSatisfying(r -> assertThat(r).contains("all 2 relays failed"));
        // Not a hang: a retry is scheduled, a push is accepted into the outbox.
        assertThat(a.engine.nextDeadline()).isPresent();
        BlobId blob = a.push("while everything is down", world.now);
        world.advance(Duration.ofSeconds(40));
        assertThat(a.events(SyncEvent.AllRelaysFailed.class)).hasSize(1);
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.FAILED);
        world.revive(r1);
        world.revive(r2);
        assertThat(world.runUntil(() -> kind(a) == SyncStatus.Kind.SYNCED, Duration.ofSeconds(40))).isTrue();
        assertThat(r1.cursorOf).containsKey(blob);
        assertThat(r2.cursorOf).containsKey(blob);
    }

    @Test
    void MR_4_relayFlapping_cursorResumes_noDuplicateNoMissedData() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        for (int round = 0; round < 3; round++) {
            a.push("up-" + round, world.now);
            world.settle();
            world.kill(r);
            world.settle();
            a.push("down-" + round, world.now);
            world.advance(Duration.ofSeconds(3));
            world.revive(r);
            // The next operation reconnects without waiting for the rest of the backoff.
            b.engine.handle(new SyncEngine.Input.SyncRequested(), world.now);
            a.engine.handle(new SyncEngine.Input.SyncRequested(), world.now);
            assertThat(world.runUntil(() -> kind(a) == SyncStatus.Kind.SYNCED && kind(b) == SyncStatus.Kind.SYNCED,
                    Duration.ofSeconds(60))).isTrue();
        }
        assertThat(b.deliveredTexts()).containsExactly("up-0", "down-0", "up-1", "down-1", "up-2", "down-2");
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(6));
        assertThat(b.engine.versionVector()).isEqualTo(a.engine.versionVector());
        // Each reconnect pulled from the stored cursor, never from zero again.
        assertThat(b.actions.stream().filter(x -> x instanceof SyncEngine.Action.Send s && s.message() instanceof Message.Pull p
                && p.after().equals(Cursor.ZERO))).hasSize(1);
    }

    @Test
    void MR_5_primaryHighLatency_secondaryAcksFast_primaryEventually() throws Exception {
        FakeRelay primary = world.relay();
        FakeRelay secondary = world.relay();
        Device a = world.device(List.of(primary, secondary));
        world.start(a);
        primary.latency = Duration.ofSeconds(5);
        BlobId blob = a.push("slow and fast", world.now);
        world.advance(Duration.ofMillis(100));
        assertThat(a.events(SyncEvent.Acknowledged.class)).extracting(SyncEvent.Acknowledged::relay).containsExactly(secondary.id);
        assertThat(a.store.pending(secondary.id, 10)).isEmpty();
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.PENDING);
        world.advance(Duration.ofSeconds(6));
        assertThat(a.events(SyncEvent.Acknowledged.class)).extracting(SyncEvent.Acknowledged::relay)
                .containsExactly(secondary.id, primary.id);
        assertThat(a.store.pending(primary.id, 10)).isEmpty();
        assertThat(primary.pushCount(blob)).isEqualTo(1);
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.SYNCED);
    }

    @Test
    void relayDownWhileOthersPush_comesBack_receivesTheMissedBlobsAndDevicesConverge() throws Exception {
        FakeRelay r1 = world.relay();
        FakeRelay r2 = world.relay();
        Device a = world.device(List.of(r1, r2));
        Device b = world.device(List.of(r2, r1));
        world.start(a);
        world.start(b);
        world.kill(r2);
        world.settle();
        for (int i = 0; i < 3; i++) {
            a.push("a" + i, world.now);
            b.push("b" + i, world.now);
        }
        world.settle();
        assertThat(r2.log).isEmpty();
        world.revive(r2);
        assertThat(world.runUntil(() -> kind(a) == SyncStatus.Kind.SYNCED && kind(b) == SyncStatus.Kind.SYNCED,
                Duration.ofSeconds(60))).isTrue();
        assertThat(r2.log).hasSize(6);
        assertThat(a.engine.pullCursor(r2.id)).isEqualTo(new Cursor(6));
        assertThat(b.engine.pullCursor(r2.id)).isEqualTo(new Cursor(6));
        assertThat(a.engine.versionVector()).isEqualTo(b.engine.versionVector());
        assertThat(a.engine.versionVector()).isEqualTo(VersionVector.EMPTY.with(a.id, 3).with(b.id, 3));
        assertThat(a.deliveredTexts()).containsExactlyInAnyOrder("b0", "b1", "b2");
        assertThat(b.deliveredTexts()).containsExactlyInAnyOrder("a0", "a1", "a2");
    }

    @Test
    void quotaExceededOnOneRelay_pushesStopThereWithWarning_otherRelayAcks() throws Exception {
        FakeRelay r1 = world.relay();
        FakeRelay r2 = world.relay();
        r1.refusePushesWith = ErrorCode.QUOTA_EXCEEDED;
        Device a = world.device(List.of(r1, r2));
        world.start(a);
        a.push("one", world.now);
        a.push("two", world.now);
        world.settle();
        assertThat(r2.log).hasSize(2);
        assertThat(a.events(SyncEvent.RelayWarning.class)).anySatisfy(w -> assertThat(w.warning()).contains("quota"));
        assertThat(a.store.pending(r1.id, 10)).hasSize(2);
        assertThat(kind(a)).isEqualTo(SyncStatus.Kind.CONNECTED);
        assertThat(a.engine.relay(r1.id).state()).isEqualTo(RelayConnection.State.CONNECTED);
    }

    @Test
    void relayWipedAndRestarted_headBehindCursor_warnedAndCursorKept() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        world.start(a);
        a.push("one", world.now);
        a.push("two", world.now);
        world.settle();
        Device b = world.device(List.of(r));
        world.start(b);
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(2));
        world.kill(r);
        r.wipe();
        world.revive(r);
        assertThat(world.runUntil(() -> b.engine.relay(r.id).state() == RelayConnection.State.CONNECTED,
                Duration.ofSeconds(30))).isTrue();
        assertThat(b.events(SyncEvent.RelayWarning.class)).anySatisfy(w -> assertThat(w.warning()).contains("head is behind"));
        assertThat(b.engine.pullCursor(r.id)).isEqualTo(new Cursor(2));
        assertThat(b.store.failures()).isEmpty();
    }
}
