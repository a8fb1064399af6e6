package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.content.ChunkSealer;
import dev.zerok.kernel.content.Manifest;
import dev.zerok.kernel.content.ManifestCodec;
import dev.zerok.kernel.content.SealedChunk;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.sync.SyncEngine.Action;
import dev.zerok.kernel.sync.SyncEngine.Input;
import dev.zerok.kernel.sync.World.Device;
import dev.zerok.kernel.sync.World.FakeRelay;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine driven input by input, asserting the exact actions (no world, no routing). */
class SyncEngineTest {
    private static final Instant T0 = World.T0;
    private static final long PAGE_BLOBS = 1_000;
    private final World world = new World(7);
    private final InMemoryClientStateStore store = new InMemoryClientStateStore();
    private final RelayId r1 = new RelayId(world.entropy.bytes(32));
    private final RelayId r2 = new RelayId(world.entropy.bytes(32));
    private final DeviceId self = new DeviceId(world.entropy.bytes(32));
    private final List<SyncEvent> events = new ArrayList<>();
    private final List<DeliveredBlob> delivered = new ArrayList<>();

    private SyncRunner engine(RelayId... relays) throws SyncException {
        SyncRunner e = new SyncRunner(SyncConfig.defaults(self, List.of(relays)), world.keys, World.CRYPTO, world.entropy,
                store, delivered::add);
        e.addListener(events::add);
        return e;
    }

    private static long connectionOf(Action a) {
        return ((Action.Connect) a).connection();
    }

    /** Connects {@code relay} on {@code connection} through Welcome(head); returns the actions after Welcome. */
    private List<Action> welcome(SyncRunner e, RelayId relay, long connection, long head, Instant now) {
        return welcome(e, relay, connection, head, 1, now);
    }

    /** As {@link #welcome(SyncEngine, RelayId, long, long, Instant)} with Welcome.oldestCursor {@code oldest}. */
    private List<Action> welcome(SyncRunner e, RelayId relay, long connection, long head, long oldest, Instant now) {
        e.handle(new Input.TransportConnected(relay, connection), now);
        e.handle(new Input.HandshakeCompleted(relay, connection, new byte[32]), now);
        List<Action> hello = e.drainActions();
        assertThat(hello).hasSize(1);
        assertThat(((Action.Send) hello.get(0)).message()).isInstanceOf(Message.Hello.class);
        e.handle(new Input.Received(relay, connection, new Message.Welcome(1, new Cursor(head), new Cursor(oldest), 2_097_152,
                604_800)), now);
        return e.drainActions();
    }

    @Test
    void start_twoRelays_connectsToEachInPreferenceOrder() throws Exception {
        SyncRunner e = engine(r1, r2);
        e.handle(new Input.Start(), T0);
        List<Action> actions = e.drainActions();
        assertThat(actions).extracting(a -> ((Action.Connect) a).relay()).containsExactly(r1, r2);
        assertThat(connectionOf(actions.get(0))).isNotEqualTo(connectionOf(actions.get(1)));
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTING);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.OFFLINE);
    }

    @Test
    void handshakeCompleted_sendsHelloWithProofBoundToTheHandshakeHash() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        byte[] hash = world.entropy.bytes(32);
        e.handle(new Input.TransportConnected(r1, c), T0);
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.HANDSHAKING);
        e.handle(new Input.HandshakeCompleted(r1, c, hash), T0);
        Message.Hello hello = (Message.Hello) ((Action.Send) e.drainActions().get(0)).message();
        assertThat(hello.device()).isEqualTo(self);
        assertThat(hello.group()).isEqualTo(world.keys.groupId());
        MembershipProof proof = MembershipProof.decode(hello.membershipProof()).orElseThrow();
        assertThat(proof.verify(World.CRYPTO.signer("Ed25519"), World.CRYPTO.hash("SHA256"), hello.group(), hash)).isTrue();
        assertThat(proof.verify(World.CRYPTO.signer("Ed25519"), World.CRYPTO.hash("SHA256"), hello.group(), new byte[32])).isFalse();
    }

    @Test
    void welcome_emptyOutboxAndHeadAtCursor_synced() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        assertThat(welcome(e, r1, c, 0, T0)).isEmpty();
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTED);
        assertThat(e.status()).isEqualTo(SyncStatus.of(SyncStatus.Kind.SYNCED));
        assertThat(events).contains(new SyncEvent.StatusChanged(SyncStatus.of(SyncStatus.Kind.SYNCED)));
    }

    @Test
    void welcome_newDeviceAndOldestAboveOne_reportsOneMissedExpiredAndPullsFromItsCursor() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));

        List<Action> after = welcome(e, r1, c, 6, 4, T0);

        assertThat(events).filteredOn(SyncEvent.MissedExpired.class::isInstance)
                .containsExactly(new SyncEvent.MissedExpired(r1, Cursor.ZERO, new Cursor(4)));
        assertThat(after).containsExactly(new Action.Send(r1, c, new Message.Pull(Cursor.ZERO,
                SyncConfig.defaults(self, List.of(r1)).pullMaxBlobs(), SyncConfig.defaults(self, List.of(r1)).pullMaxBytes())));
    }

    @Test
    void welcome_oldestRightAfterCursor_reportsNoMissedExpired() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));

        welcome(e, r1, c, 6, 1, T0);

        assertThat(events).noneMatch(SyncEvent.MissedExpired.class::isInstance);
    }

    @Test
    void welcome_emptyGroupEverythingExpiredUpToCursor_reportsNoMissedExpired() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));

        welcome(e, r1, c, 0, 1, T0);

        assertThat(events).noneMatch(SyncEvent.MissedExpired.class::isInstance);
        assertThat(e.status()).isEqualTo(SyncStatus.of(SyncStatus.Kind.SYNCED));
    }

    @Test
    void inputForAnOlderConnection_isIgnored() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long first = connectionOf(e.drainActions().get(0));
        e.handle(new Input.Disconnected(r1, first, "refused"), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, first));
        Instant retry = e.nextDeadline().orElseThrow();
        e.handle(new Input.Tick(), retry);
        long second = connectionOf(e.drainActions().get(0));
        e.handle(new Input.Disconnected(r1, first, "late news about the old connection"), retry);
        e.handle(new Input.Received(r1, first, new Message.Welcome(1, Cursor.ZERO, new Cursor(1), 100, 100)), retry);
        assertThat(e.drainActions()).isEmpty();
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTING);
        assertThat(e.relay(r1).connection()).hasValue(second);
    }

    @Test
    void repeatedConnectFailures_retryDelaysFollowTheScheduleWithJitter() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        Instant now = T0;
        long c = connectionOf(e.drainActions().get(0));
        List<Long> delaysMs = new ArrayList<>();
        for (int failure = 1; failure <= 8; failure++) {
            e.handle(new Input.Disconnected(r1, c, "connection refused"), now);
            assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
            Instant retry = e.nextDeadline().orElseThrow();
            delaysMs.add(Duration.between(now, retry).toMillis());
            e.handle(new Input.Tick(), retry.minusMillis(1));
            assertThat(e.drainActions()).as("no attempt before the backoff elapsed").isEmpty();
            now = retry;
            e.handle(new Input.Tick(), now);
            List<Action> reconnect = e.drainActions();
            assertThat(reconnect).hasSize(1).first().isInstanceOf(Action.Connect.class);
            c = connectionOf(reconnect.get(0));
        }
        long[] bases = {1, 2, 4, 8, 16, 30, 30, 30};
        for (int i = 0; i < bases.length; i++) {
            assertThat(delaysMs.get(i)).as("delay after failure " + (i + 1)).isBetween(bases[i] * 1000, bases[i] * 1000 + 5000);
        }
    }

    @Test
    void welcomeAfterFailures_nextFailureBacksOffFromOneSecondAgain() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        Instant now = T0;
        long c = connectionOf(e.drainActions().get(0));
        for (int i = 0; i < 4; i++) {
            e.handle(new Input.Disconnected(r1, c, "refused"), now);
            e.drainActions();
            now = e.nextDeadline().orElseThrow();
            e.handle(new Input.Tick(), now);
            c = connectionOf(e.drainActions().get(0));
        }
        welcome(e, r1, c, 0, now);
        e.handle(new Input.Disconnected(r1, c, "reset"), now);
        e.drainActions();
        assertThat(Duration.between(now, e.nextDeadline().orElseThrow()).toMillis()).isBetween(1000L, 6000L);
    }

    @Test
    void noWelcomeWithinConnectTimeout_closesAndBacksOff() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        e.handle(new Input.TransportConnected(r1, c), T0);
        assertThat(e.nextDeadline()).contains(T0.plusSeconds(15));
        e.handle(new Input.Tick(), T0.plusSeconds(15));
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.RECONNECTING);
        assertThat(e.relay(r1).lastFailure().orElseThrow()).contains("no handshake message 2");
    }

    @Test
    void slowHandshake_eachStepWithinTheConnectTimeout_isWelcomedAfterMoreThanOneConnectTimeout() throws Exception {
        // A 5 s one-way link over QUIC with Retry: transport 20 s, msg2 10 s later, Welcome 10 s later.
        Duration step = SyncConfig.defaults(self, List.of(r1)).connectTimeout();
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        assertThat(e.nextDeadline()).contains(T0.plus(step.multipliedBy(SyncConfig.TRANSPORT_CONNECT_ROUND_TRIPS)));
        Instant connected = T0.plusSeconds(20);
        e.handle(new Input.Tick(), connected.minusMillis(1));
        e.handle(new Input.TransportConnected(r1, c), connected);
        assertThat(e.nextDeadline()).contains(connected.plus(step));
        Instant msg2 = connected.plusSeconds(10);
        e.handle(new Input.Tick(), msg2.minusMillis(1));
        e.handle(new Input.HandshakeCompleted(r1, c, new byte[32]), msg2);
        assertThat(e.drainActions()).hasSize(1); // the Hello: no Close so far
        assertThat(e.nextDeadline()).contains(msg2.plus(step));
        Instant welcome = msg2.plusSeconds(10);
        e.handle(new Input.Tick(), welcome.minusMillis(1));
        e.handle(new Input.Received(r1, c, new Message.Welcome(1, new Cursor(0), new Cursor(1), 2_097_152, 604_800)), welcome);

        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTED);
        assertThat(Duration.between(T0, welcome)).isGreaterThan(step.multipliedBy(2));
    }

    @Test
    void handshakeStepLate_failsAtThatStepsDeadline_namingTheStep() throws Exception {
        Duration step = SyncConfig.defaults(self, List.of(r1)).connectTimeout();
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        e.handle(new Input.TransportConnected(r1, c), T0.plusSeconds(1));
        e.handle(new Input.HandshakeCompleted(r1, c, new byte[32]), T0.plusSeconds(2));
        e.drainActions();

        e.handle(new Input.Tick(), T0.plusSeconds(2).plus(step).minusMillis(1));
        assertThat(e.drainActions()).isEmpty();
        e.handle(new Input.Tick(), T0.plusSeconds(2).plus(step));

        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).lastFailure().orElseThrow()).contains("no Welcome within " + step.toMillis() + " ms");
    }

    @Test
    void transportNeverConnects_failsAfterTwoStepTimeouts() throws Exception {
        Duration step = SyncConfig.defaults(self, List.of(r1)).connectTimeout();
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));

        e.handle(new Input.Tick(), T0.plus(step.multipliedBy(2)));

        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).lastFailure().orElseThrow()).contains("no transport connection");
    }

    @Test
    void slowestProgress_failsWithinTheCap() throws Exception {
        // Every step a millisecond before its deadline, then no Welcome: the attempt still ends by the cap.
        Duration step = SyncConfig.defaults(self, List.of(r1)).connectTimeout();
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        Instant connected = T0.plus(step.multipliedBy(2)).minusMillis(1);
        e.handle(new Input.TransportConnected(r1, c), connected);
        e.handle(new Input.HandshakeCompleted(r1, c, new byte[32]), connected.plus(step).minusMillis(1));
        e.drainActions();
        Instant end = e.nextDeadline().orElseThrow();

        e.handle(new Input.Tick(), end);

        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(end).isBeforeOrEqualTo(T0.plus(step.multipliedBy(SyncConfig.HANDSHAKE_CAP_FACTOR)));
    }

    @Test
    void pushWithoutAnswerWithinResponseTimeout_closesAndReconnectsThenResends() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        BlobId blob = e.push(new byte[] {1}, T0);
        Message.Push push = (Message.Push) ((Action.Send) e.drainActions().get(0)).message();
        assertThat(push.blob()).isEqualTo(blob);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.PENDING);
        assertThat(e.nextDeadline()).contains(T0.plusSeconds(30));
        e.handle(new Input.Tick(), T0.plusSeconds(30));
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        Instant retry = e.nextDeadline().orElseThrow();
        e.handle(new Input.Tick(), retry);
        long c2 = connectionOf(e.drainActions().get(0));
        List<Action> after = welcome(e, r1, c2, 0, retry);
        assertThat(after).containsExactly(new Action.Send(r1, c2, push));
    }

    @Test
    void pushesQueuedBehindEachOther_eachAnswerRestartsTheResponseTimeout() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        BlobId first = e.push(new byte[] {1}, T0);
        e.push(new byte[] {2}, T0);
        e.push(new byte[] {3}, T0);
        assertThat(e.drainActions()).hasSize(3);
        assertThat(e.nextDeadline()).contains(T0.plusSeconds(30));

        // The first answer comes late but in time: the next request is due 30 s after it, not after its own send.
        e.handle(new Input.Received(r1, c, new Message.PushAck(first, new Cursor(1))), T0.plusSeconds(25));
        assertThat(e.nextDeadline()).contains(T0.plusSeconds(55));
        e.handle(new Input.Tick(), T0.plusSeconds(54));
        assertThat(e.drainActions()).isEmpty();
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTED);
        e.handle(new Input.Tick(), T0.plusSeconds(55));
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
    }

    @Test
    void push_beforeStart_notStarted() throws Exception {
        SyncRunner e = engine(r1);
        assertThatThrownBy(() -> e.push(new byte[1], T0)).isInstanceOfSatisfying(SyncException.class,
                ex -> assertThat(ex.code()).isEqualTo(SyncException.Code.NOT_STARTED));
    }

    @Test
    void push_storeFails_storeFailedAndNothingQueuedNorSequenceUsed() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        store.failNextCalls(1);
        assertThatThrownBy(() -> e.push(new byte[1], T0)).isInstanceOfSatisfying(SyncException.class,
                ex -> assertThat(ex.code()).isEqualTo(SyncException.Code.STORE_FAILED));
        assertThat(store.pending(r1, 10)).isEmpty();
        assertThat(e.versionVector().get(self)).isZero();
        e.push(new byte[1], T0);
        assertThat(e.versionVector().get(self)).isEqualTo(1);
        assertThat(store.versionVector().get(self)).isEqualTo(1);
    }

    @Test
    void push_afterCloseRequested_closed() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        e.handle(new Input.CloseRequested(T0.plusSeconds(1)), T0);
        assertThatThrownBy(() -> e.push(new byte[1], T0)).isInstanceOfSatisfying(SyncException.class,
                ex -> assertThat(ex.code()).isEqualTo(SyncException.Code.CLOSED));
    }

    @Test
    void rateLimited_pausesForRetryAfterThenResendsTheSamePush() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        e.push(new byte[] {1}, T0);
        Action push = e.drainActions().get(0);
        e.handle(new Input.Received(r1, c, new Message.Error(ErrorCode.RATE_LIMITED, "slow down", 1500)), T0);
        assertThat(e.drainActions()).isEmpty();
        assertThat(e.nextDeadline()).contains(T0.plusMillis(1500));
        e.handle(new Input.Tick(), T0.plusMillis(1499));
        assertThat(e.drainActions()).isEmpty();
        e.handle(new Input.Tick(), T0.plusMillis(1500));
        assertThat(e.drainActions()).containsExactly(push);
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CONNECTED);
    }

    @Test
    void rateLimitedPush_noPushUntilThoseBehindItAreAnswered_thenTheRefusedOneFirst() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        BlobId first = e.push(new byte[] {1}, T0);
        BlobId second = e.push(new byte[] {2}, T0);
        e.drainActions();
        e.handle(new Input.Received(r1, c, new Message.Error(ErrorCode.RATE_LIMITED, "slow down", 10)), T0);
        // The pause passes while the second push is still unanswered: nothing is sent (it could be
        // stored ahead of the refused first one).
        e.handle(new Input.Tick(), T0.plusMillis(10));
        assertThat(e.drainActions()).isEmpty();
        e.handle(new Input.Received(r1, c, new Message.Error(ErrorCode.RATE_LIMITED, "an earlier push was refused", 5)),
                T0.plusMillis(11));
        e.handle(new Input.Tick(), T0.plusMillis(16));
        List<Action> sent = e.drainActions();
        assertThat(sent).extracting(a -> ((Message.Push) ((Action.Send) a).message()).blob()).containsExactly(first, second);
    }

    @Test
    void unknownGroupOnHello_relayClosedForGoodAndNeverRetried() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        e.handle(new Input.HandshakeCompleted(r1, c, new byte[32]), T0);
        e.drainActions();
        e.handle(new Input.Received(r1, c, new Message.Error(ErrorCode.UNKNOWN_GROUP, "no", 0)), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.CLOSED);
        assertThat(e.nextDeadline()).isEmpty();
        assertThat(events).hasAtLeastOneElementOfType(SyncEvent.AllRelaysFailed.class);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.FAILED);
    }

    @Test
    void pushAckForAnotherBlob_protocolViolationClosesTheSession() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        e.push(new byte[] {1}, T0);
        e.drainActions();
        e.handle(new Input.Received(r1, c, new Message.PushAck(new BlobId(new byte[16]), new Cursor(1))), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).lastFailure().orElseThrow()).contains("protocol violation");
        assertThat(store.pending(r1, 10)).hasSize(1);
    }

    @Test
    void messageBeforeHello_protocolViolation() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        e.handle(new Input.TransportConnected(r1, c), T0);
        e.handle(new Input.Received(r1, c, new Message.Notify(new Cursor(3))), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.relay(r1).state()).isEqualTo(RelayConnection.State.RECONNECTING);
    }

    @Test
    void connectedAndSilent_asksForAPageAtItsCursorAfterTheKeepAlive_andNotBefore() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        assertThat(welcome(e, r1, c, 0, T0)).isEmpty();
        java.time.Duration keepAlive = SyncConfig.defaults(self, List.of(r1)).keepAlive();
        assertThat(e.nextDeadline()).contains(T0.plus(keepAlive));

        e.handle(new Input.Tick(), T0.plus(keepAlive).minusMillis(1));
        assertThat(e.drainActions()).isEmpty();
        e.handle(new Input.Tick(), T0.plus(keepAlive));
        Message.Pull page = new Message.Pull(Cursor.ZERO, PAGE_BLOBS, 4L * 1024 * 1024);
        assertThat(e.drainActions()).containsExactly(new Action.Send(r1, c, page));
        assertThat(e.status().kind()).as("a keep-alive is not news").isEqualTo(SyncStatus.Kind.SYNCED);

        // Its answer is news from the relay: the next keep-alive is counted from it.
        Instant answered = T0.plus(keepAlive).plusSeconds(1);
        e.handle(new Input.Received(r1, c, new Message.PullResponse(List.of(), false)), answered);
        assertThat(e.drainActions()).isEmpty();
        assertThat(e.nextDeadline()).contains(answered.plus(keepAlive));
        assertThat(events).filteredOn(SyncEvent.StatusChanged.class::isInstance).last()
                .isEqualTo(new SyncEvent.StatusChanged(SyncStatus.of(SyncStatus.Kind.SYNCED)));
        assertThat(events.stream().filter(SyncEvent.StatusChanged.class::isInstance).count()).as("no flap").isEqualTo(1);
    }

    @Test
    void welcomeWithHeadAhead_pullsFromTheStoredCursor() throws Exception {
        store.commitPulled(r1, new Cursor(4), List.of(), dev.zerok.ports.clientstate.VersionVector.EMPTY);
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        List<Action> after = welcome(e, r1, c, 9, T0);
        assertThat(after).containsExactly(new Action.Send(r1, c, new Message.Pull(new Cursor(4), PAGE_BLOBS, 4L * 1024 * 1024)));
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.PENDING);
    }

    @Test
    void syncRequestedWhileAPullIsInFlight_pullsOnceMoreAfterItsAnswer_beforeSayingSynced() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        e.handle(new Input.Received(r1, c, new Message.Notify(new Cursor(1))), T0);
        assertThat(e.drainActions()).singleElement().isInstanceOf(Action.Send.class); // the pull for the Notify

        // The caller asks for news now; the page in flight may have been served before what it must see.
        e.handle(new Input.SyncRequested(), T0);
        Message.PulledBlob first = new Message.PulledBlob(new Cursor(1), new BlobId(new byte[16]), self, new byte[50]);
        e.handle(new Input.Received(r1, c, new Message.PullResponse(List.of(first), false)), T0);

        assertThat(e.drainActions()).contains(new Action.Send(r1, c, new Message.Pull(new Cursor(1), PAGE_BLOBS, 4L * 1024 * 1024)));
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.PENDING);
    }

    @Test
    void pullResponseWithCursorNotAfterTheRequest_protocolViolationCommitsNothing() throws Exception {
        store.commitPulled(r1, new Cursor(4), List.of(), dev.zerok.ports.clientstate.VersionVector.EMPTY);
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 9, T0);
        Message.PulledBlob stale = new Message.PulledBlob(new Cursor(4), new BlobId(new byte[16]), self, new byte[50]);
        e.handle(new Input.Received(r1, c, new Message.PullResponse(List.of(stale), false)), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(store.pullCursor(r1)).isEqualTo(new Cursor(4));
        assertThat(store.failures()).isEmpty();
    }

    @Test
    void startStoreUnreadable_failedStatusAndNoConnect() throws Exception {
        SyncRunner e = engine(r1);
        store.failNextCalls(1);
        e.handle(new Input.Start(), T0);
        assertThat(e.drainActions()).isEmpty();
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.FAILED);
        e.handle(new Input.Start(), T0);
        assertThat(e.drainActions()).hasSize(1);
    }

    @Test
    void pushLargerThanTheRelayFrameLimit_neverSentWarnedAndLaterPushesFlow() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        e.handle(new Input.HandshakeCompleted(r1, c, new byte[32]), T0);
        e.drainActions();
        e.handle(new Input.Received(r1, c, new Message.Welcome(1, Cursor.ZERO, new Cursor(1), 200, 604_800)), T0);
        e.push(new byte[300], T0);
        assertThat(e.drainActions()).isEmpty();
        assertThat(events).anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(SyncEvent.RelayWarning.class,
                w -> assertThat(w.warning()).contains("frame limit")));
        BlobId small = e.push(new byte[10], T0);
        List<Action> sent = e.drainActions();
        assertThat(sent).hasSize(1);
        assertThat(((Message.Push) ((Action.Send) sent.get(0)).message()).blob()).isEqualTo(small);
        e.handle(new Input.Received(r1, c, new Message.PushAck(small, new Cursor(1))), T0);
        assertThat(e.status()).isEqualTo(SyncStatus.of(SyncStatus.Kind.CONNECTED, "a relay refuses some pushes (quota or size)"));
        assertThat(store.pending(r1, 10)).hasSize(1);
    }

    @Test
    void unavailableWithRetryAfter_reconnectsNoSoonerThanTheRelayAsked() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        e.handle(new Input.Received(r1, c, new Message.Error(ErrorCode.UNAVAILABLE, "draining", 60_000)), T0);
        assertThat(e.drainActions()).containsExactly(new Action.Close(r1, c));
        assertThat(e.nextDeadline()).contains(T0.plusSeconds(60));
    }

    @Test
    void listenerThrows_engineCarriesOnAndOtherListenersStillHear() throws Exception {
        SyncRunner e = engine(r1);
        e.addListener(ev -> {
            throw new IllegalStateException("faulty listener");
        });
        List<SyncEvent> second = new ArrayList<>();
        e.addListener(second::add);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(second).contains(new SyncEvent.StatusChanged(e.status()));
    }

    @Test
    void pushWindow_neverMoreThanMaxInFlightPerRelay_refillsOnAck() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        int window = SyncConfig.defaults(self, List.of(r1)).maxPushesInFlight();
        for (int i = 0; i < window + 2; i++) {
            e.push(new byte[] {(byte) i}, T0);
        }
        List<Action> sent = e.drainActions();
        assertThat(sent).hasSize(window);
        BlobId first = ((Message.Push) ((Action.Send) sent.get(0)).message()).blob();
        e.handle(new Input.Received(r1, c, new Message.PushAck(first, new Cursor(1))), T0);
        assertThat(e.drainActions()).hasSize(1);
    }

    @Test
    void pushWindow_stopsAtItsBytes_oneLargePushStillGoesAlone() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        int mebibyte = 1 << 20;
        long fits = SyncEngine.PUSH_WINDOW_BYTES / mebibyte; // pushes of just over 1 MiB each
        e.pushAll(java.util.stream.IntStream.range(0, (int) fits + 20)
                .mapToObj(i -> new SyncEngine.Outgoing(SyncPayload.Kind.CHUNK, new byte[mebibyte])).toList(), T0);
        List<Action> sent = e.drainActions();
        assertThat(sent).hasSize((int) fits);
        long bytes = sent.stream().mapToLong(a -> ((Message.Push) ((Action.Send) a).message()).payload().length).sum();
        assertThat(bytes).isGreaterThanOrEqualTo(SyncEngine.PUSH_WINDOW_BYTES)
                .isLessThan(SyncEngine.PUSH_WINDOW_BYTES + 2L * mebibyte);
        BlobId first = ((Message.Push) ((Action.Send) sent.get(0)).message()).blob();
        long read = store.entriesRead();
        e.handle(new Input.Received(r1, c, new Message.PushAck(first, new Cursor(1))), T0);
        assertThat(e.drainActions()).hasSize(1);
        // One mebibyte of room: the refill reads the one entry it sends and one more (is there a
        // backlog?), not a whole slice of mebibyte payloads.
        assertThat(store.entriesRead() - read).isLessThanOrEqualTo(2);
    }

    @Test
    void pushAll_oneOutboxWrite_consecutiveSequencesInListOrder_failureQueuesNone() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        e.push(new byte[] {0}, T0);
        int writes = store.writes();

        List<BlobId> blobs = e.pushAll(List.of(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {1}),
                new SyncEngine.Outgoing(SyncPayload.Kind.CHUNK, new byte[] {2}),
                new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {3})), T0);

        assertThat(store.writes()).isEqualTo(writes + 1);
        assertThat(store.versionVector().get(self)).isEqualTo(4);
        assertThat(store.pending(r1, 10)).extracting(OutboxEntry::blob).containsSubsequence(blobs);
        List<Message.Push> pushed = e.drainActions().stream().map(a -> (Message.Push) ((Action.Send) a).message()).toList();
        assertThat(pushed).extracting(Message.Push::blob).endsWith(blobs.toArray(BlobId[]::new));
        // Each blob opens to its own kind and the next sequence number, in list order.
        BlobSealer opener = BlobSealer.create(World.CRYPTO, world.entropy);
        List<SyncPayload> opened = new ArrayList<>();
        for (Message.Push p : pushed.subList(pushed.size() - 3, pushed.size())) {
            opened.add(SyncPayload.decode(opener.open(world.keys.contentKey(), world.keys.groupId(), p.blob(), self,
                    p.payload())));
        }
        assertThat(opened).extracting(SyncPayload::sequence).containsExactly(2L, 3L, 4L);
        assertThat(opened).extracting(SyncPayload::kind).containsExactly(SyncPayload.Kind.DATA, SyncPayload.Kind.CHUNK,
                SyncPayload.Kind.DATA);

        store.failNextCalls(1);
        assertThatThrownBy(() -> e.pushAll(List.of(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {5}),
                new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {6})), T0))
                .isInstanceOfSatisfying(SyncException.class,
                        ex -> assertThat(ex.code()).isEqualTo(SyncException.Code.STORE_FAILED));
        assertThat(store.versionVector().get(self)).isEqualTo(4);
        assertThat(store.pending(r1, 10)).hasSize(4);
        assertThat(e.push(new byte[] {7}, T0)).isNotNull();
        assertThat(store.versionVector().get(self)).isEqualTo(5);
    }

    @Test
    void handleAll_aBurstOfPushAcks_recordedWithOneWriteThenTheWindowRefills() throws Exception {
        SyncRunner e = engine(r1);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 0, T0);
        int window = SyncConfig.defaults(self, List.of(r1)).maxPushesInFlight();
        List<SyncEngine.Outgoing> items = new ArrayList<>();
        for (int i = 0; i < window + 5; i++) {
            items.add(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {(byte) i}));
        }
        List<BlobId> blobs = e.pushAll(items, T0);
        assertThat(e.drainActions()).hasSize(window);
        int writes = store.writes();

        List<Input> acks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acks.add(new Input.Received(r1, c, new Message.PushAck(blobs.get(i), new Cursor(i + 1))));
        }
        e.handleAll(acks, T0);

        assertThat(store.writes()).isEqualTo(writes + 1);
        assertThat(store.pending(r1, window + 5)).extracting(OutboxEntry::blob)
                .doesNotContainAnyElementsOf(blobs.subList(0, 3)).hasSize(window + 2);
        assertThat(events).filteredOn(SyncEvent.Acknowledged.class::isInstance).hasSize(3);
        assertThat(e.drainActions()).extracting(a -> ((Message.Push) ((Action.Send) a).message()).blob())
                .containsExactlyElementsOf(blobs.subList(window, window + 3));

        // One by one, each acknowledgement is its own write.
        e.handle(new Input.Received(r1, c, new Message.PushAck(blobs.get(3), new Cursor(4))), T0);
        e.handle(new Input.Received(r1, c, new Message.PushAck(blobs.get(4), new Cursor(5))), T0);
        assertThat(store.writes()).isEqualTo(writes + 3);
    }

    @Test
    void blobAlreadyReceivedThroughAnotherRelay_laterPageSkipsIt_noSecondDeliveryNoFailure() throws Exception {
        DeviceId other = new DeviceId(world.entropy.bytes(32));
        BlobSealer sealer = BlobSealer.create(World.CRYPTO, world.entropy);
        BlobId id = new BlobId(world.entropy.bytes(16));
        byte[] sealed = sealer.seal(world.keys.contentKey(), world.keys.groupId(), id, other,
                new SyncPayload(SyncPayload.Kind.DATA, 1, new byte[] {42}).encode()).bytes();
        SyncRunner e = engine(r1, r2);
        e.handle(new Input.Start(), T0);
        List<Action> connects = e.drainActions();
        long c1 = connectionOf(connects.get(0));
        long c2 = connectionOf(connects.get(1));
        welcome(e, r1, c1, 1, T0);
        welcome(e, r2, c2, 1, T0);

        e.handleAll(List.of(new Input.Received(r1, c1, new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(1), id, other, sealed)), false))), T0);
        e.handleAll(List.of(new Input.Received(r2, c2, new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(1), id, other, sealed)), false))), T0);

        assertThat(delivered).extracting(DeliveredBlob::blob).containsExactly(id);
        assertThat(events).noneMatch(SyncEvent.BlobFailed.class::isInstance);
        assertThat(store.blob(id)).hasValueSatisfying(b -> assertThat(b.state())
                .isEqualTo(dev.zerok.ports.clientstate.BlobIndexEntry.State.RECEIVED));
        assertThat(store.pullCursor(r2)).isEqualTo(new Cursor(1));
    }

    @Test
    void inboxFlushFails_pageIsNotCommittedAndPulledAgain() throws Exception {
        List<DeliveredBlob> buffered = new ArrayList<>();
        boolean[] failFlush = {true};
        int[] flushes = {0};
        Inbox inbox = new Inbox() {
            @Override
            public void deliver(DeliveredBlob blob) {
                buffered.add(blob);
            }

            @Override
            public void flush() throws SyncException {
                flushes[0]++;
                if (failFlush[0]) {
                    throw new SyncException(SyncException.Code.INBOX_FAILED, "disk full");
                }
            }
        };
        DeviceId other = new DeviceId(world.entropy.bytes(32));
        BlobSealer sealer = BlobSealer.create(World.CRYPTO, world.entropy);
        BlobId id = new BlobId(world.entropy.bytes(16));
        byte[] sealed = sealer.seal(world.keys.contentKey(), world.keys.groupId(), id, other,
                new SyncPayload(SyncPayload.Kind.DATA, 1, new byte[] {42}).encode()).bytes();
        SyncRunner e = new SyncRunner(SyncConfig.defaults(self, List.of(r1)), world.keys, World.CRYPTO, world.entropy,
                store, inbox);
        e.handle(new Input.Start(), T0);
        long c = connectionOf(e.drainActions().get(0));
        welcome(e, r1, c, 1, T0);
        e.handle(new Input.Received(r1, c, new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(1), id, other, sealed)), false)), T0);

        assertThat(flushes[0]).isEqualTo(1);
        assertThat(store.pullCursor(r1)).isEqualTo(Cursor.ZERO);
        assertThat(store.blob(id)).isEmpty();
        assertThat(e.drainActions()).contains(new Action.Close(r1, c));

        failFlush[0] = false;
        e.handle(new Input.Tick(), T0.plusSeconds(60));
        long c2 = connectionOf(e.drainActions().stream().filter(Action.Connect.class::isInstance).findFirst().orElseThrow());
        welcome(e, r1, c2, 1, T0.plusSeconds(60));
        e.handle(new Input.Received(r1, c2, new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(1), id, other, sealed)), false)), T0.plusSeconds(60));
        assertThat(flushes[0]).isEqualTo(2);
        assertThat(store.pullCursor(r1)).isEqualTo(new Cursor(1));
        assertThat(store.blob(id)).isPresent();
        assertThat(buffered).extracting(DeliveredBlob::blob).containsExactly(id, id);
    }

    @Test
    void pushChunkAndCollection_deliveredToTheOtherEngineWithTheirKinds() throws Exception {
        FakeRelay r = world.relay();
        Device a = world.device(List.of(r));
        Device b = world.device(List.of(r));
        world.start(a);
        world.start(b);
        ChunkSealer chunks = ChunkSealer.create(World.CRYPTO);
        SealedChunk chunk = chunks.seal(world.keys.chunkKey(), "file body".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] manifest = ManifestCodec.encode(new Manifest("docs", T0,
                List.of(Manifest.Entry.file("a.txt", 0644, 9, List.of(chunk.address())))));
        BlobId chunkBlob = a.engine.push(SyncPayload.Kind.CHUNK, chunk.bytes(), world.now);
        BlobId collectionBlob = a.engine.push(SyncPayload.Kind.COLLECTION, manifest, world.now);
        a.engine.push("plain".getBytes(java.nio.charset.StandardCharsets.UTF_8), world.now);
        world.settle();
        world.advance(Duration.ofSeconds(1));

        assertThat(b.delivered).extracting(DeliveredBlob::blob, DeliveredBlob::kind, DeliveredBlob::sequence)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(chunkBlob, SyncPayload.Kind.CHUNK, 1L),
                        org.assertj.core.groups.Tuple.tuple(collectionBlob, SyncPayload.Kind.COLLECTION, 2L),
                        org.assertj.core.groups.Tuple.tuple(b.delivered.get(2).blob(), SyncPayload.Kind.DATA, 3L));
        Manifest received = ManifestCodec.decode(b.delivered.get(1).data());
        assertThat(received.distinctChunks()).containsExactly(chunk.address());
        assertThat(chunks.open(world.keys.chunkKey(), received.entries().get(0).chunks().get(0), b.delivered.get(0).data()))
                .asString(java.nio.charset.StandardCharsets.UTF_8).isEqualTo("file body");
        assertThat(a.engine.versionVector()).isEqualTo(b.engine.versionVector());
    }
}
