package dev.zerok.kernel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.relay.RelaySession.Action;
import dev.zerok.kernel.relay.RelaySession.Input;
import dev.zerok.kernel.relay.RelaySession.State;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelaySessionTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final DeviceId DEVICE = new DeviceId(filled(32, 1));
    static final DeviceId OTHER = new DeviceId(filled(32, 2));
    static final GroupId GROUP = new GroupId(filled(32, 3));
    static final byte[] HASH = filled(32, 9);
    static final byte[] GOOD_PROOF = {42};
    static final MembershipVerifier VERIFIER = (group, device, proof, hash) ->
            group.equals(GROUP) && Arrays.equals(proof, GOOD_PROOF) && Arrays.equals(hash, HASH);

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static BlobId blob(int v) {
        return new BlobId(filled(16, v));
    }

    static final Duration STEP = RelayLimits.DEFAULTS.helloTimeout();

    private TokenBucketLimiter<DeviceId> limiter = new TokenBucketLimiter<>(100, 100, 1000, 1000, 100, T0);

    private RelaySession session() {
        return new RelaySession(RelayLimits.DEFAULTS, VERIFIER, limiter, T0);
    }

    private RelaySession active() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);
        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, GOOD_PROOF)), T0);
        assertThat(s.drainActions()).containsExactly(new Action.ReadHead(GROUP));
        s.handle(new Input.HeadRead(new Cursor(5), new Cursor(1)), T0);
        assertThat(s.drainActions()).containsExactly(new Action.JoinGroup(GROUP, DEVICE),
                new Action.AcceptFrames(RelayLimits.DEFAULTS.maxFrameBytes()),
                new Action.Send(new Message.Welcome(1, new Cursor(5), new Cursor(1), RelayLimits.DEFAULTS.maxFrameBytes(),
                        604_800)));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
        return s;
    }

    private static Message sent(Action action) {
        assertThat(action).isInstanceOf(Action.Send.class);
        return ((Action.Send) action).message();
    }

    private static void assertRefused(List<Action> actions, ErrorCode code) {
        assertThat(actions).hasSizeGreaterThanOrEqualTo(2);
        assertThat(sent(actions.get(0))).isInstanceOfSatisfying(Message.Error.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThat(actions.get(actions.size() - 1)).isEqualTo(new Action.Close());
    }

    @Test
    void validHello_readsHead_thenWelcomesAndJoinsTheGroup() {
        active();
    }

    private Message.Welcome welcomeAfter(Input.HeadRead read) {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);
        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, GOOD_PROOF)), T0);
        s.drainActions();
        s.handle(read, T0);
        return s.drainActions().stream().filter(a -> a instanceof Action.Send).map(RelaySessionTest::sent)
                .map(Message.Welcome.class::cast).findFirst().orElseThrow();
    }

    @Test
    void headRead_withStoresOldestRetained_welcomeCarriesItAsOldestCursor() {
        Message.Welcome welcome = welcomeAfter(new Input.HeadRead(new Cursor(300), new Cursor(250)));

        assertThat(welcome.head()).isEqualTo(new Cursor(300));
        assertThat(welcome.oldestCursor()).isEqualTo(new Cursor(250));
    }

    @Test
    void headRead_everythingExpired_welcomeCarriesHeadPlusOne() {
        Message.Welcome welcome = welcomeAfter(new Input.HeadRead(new Cursor(300), new Cursor(301)));

        assertThat(welcome.oldestCursor()).isEqualTo(new Cursor(301));
    }

    @Test
    void headRead_oldestOutsideOneToHeadPlusOne_isClampedNotThrown() {
        assertThat(welcomeAfter(new Input.HeadRead(new Cursor(300), Cursor.ZERO)).oldestCursor()).isEqualTo(new Cursor(1));
        assertThat(welcomeAfter(new Input.HeadRead(new Cursor(300), new Cursor(900))).oldestCursor())
                .isEqualTo(new Cursor(301));
    }

    @Test
    void push_appendsThenAcksAndBroadcasts() {
        RelaySession s = active();

        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        List<Action> append = s.drainActions();
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);

        assertThat(append).singleElement().isInstanceOfSatisfying(Action.Append.class, a -> {
            assertThat(a.group()).isEqualTo(GROUP);
            assertThat(a.sender()).isEqualTo(DEVICE);
            assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(60));
        });
        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))),
                new Action.Broadcast(GROUP, new Cursor(6)));
    }

    @Test
    void duplicatePush_isAckedWithoutBroadcast() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), true), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))));
    }

    @Test
    void pipelinedPushes_areServedOneAtATimeInOrder() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {1})), T0);
        s.handle(new Input.Received(new Message.Push(blob(2), 60, new byte[] {2})), T0);

        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.Append.class,
                a -> assertThat(a.blob()).isEqualTo(blob(1)));
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        List<Action> next = s.drainActions();

        assertThat(next.get(0)).isEqualTo(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))));
        assertThat(next.get(2)).isInstanceOfSatisfying(Action.Append.class, a -> assertThat(a.blob()).isEqualTo(blob(2)));
    }

    /** An active session with {@code blob(1)} in flight and Pushes of {@code queued} queued behind it, then blob 1 stored. */
    private RelaySession withQueuedBehindOne(List<BlobId> queued, Instant now) {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {1})), now);
        for (BlobId id : queued) {
            s.handle(new Input.Received(new Message.Push(id, 60, new byte[] {id.bytes()[15]})), now);
        }
        // Reading pauses when more than the queue limit waits; nothing else happens while blob 1 is in flight.
        assertThat(s.drainActions()).filteredOn(a -> !(a instanceof Action.PauseReading)).singleElement()
                .isInstanceOfSatisfying(Action.Append.class, a -> assertThat(a.blob()).isEqualTo(blob(1)));
        return s;
    }

    private static List<Message> sentMessages(List<Action> actions) {
        return actions.stream().filter(Action.Send.class::isInstance).map(RelaySessionTest::sent).toList();
    }

    @Test
    void queuedPushes_areOneAppendAll_ackedInOrderOnlyAfterItsResult_withOneBroadcastOfTheHighestNewCursor() {
        RelaySession s = withQueuedBehindOne(List.of(blob(2), blob(3), blob(4)), T0);

        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        List<Action> afterFirst = s.drainActions();

        assertThat(afterFirst).hasSize(3);
        assertThat(afterFirst.get(0)).isEqualTo(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))));
        assertThat(afterFirst.get(1)).isEqualTo(new Action.Broadcast(GROUP, new Cursor(6)));
        // No PushAck for 2 to 4 before the store's answer: an ack means committed.
        assertThat(afterFirst.get(2)).isInstanceOfSatisfying(Action.AppendAll.class, all -> {
            assertThat(all.appends()).extracting(Action.Append::blob).containsExactly(blob(2), blob(3), blob(4));
            assertThat(all.appends()).allSatisfy(a -> {
                assertThat(a.group()).isEqualTo(GROUP);
                assertThat(a.sender()).isEqualTo(DEVICE);
                assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(60));
            });
            assertThat(all.appends().get(2).payload()).containsExactly(4);
        });

        // blob 3 was stored before (a retry): its first cursor, no new row.
        s.handle(new Input.AppendsCompleted(List.of(new Input.AppendCompleted(blob(2), new Cursor(7), false),
                new Input.AppendCompleted(blob(3), new Cursor(2), true),
                new Input.AppendCompleted(blob(4), new Cursor(8), false))), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PushAck(blob(2), new Cursor(7))),
                new Action.Send(new Message.PushAck(blob(3), new Cursor(2))),
                new Action.Send(new Message.PushAck(blob(4), new Cursor(8))),
                new Action.Broadcast(GROUP, new Cursor(8)));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void quotaRefusalInTheMiddleOfABatch_isAnErrorInItsPlace_andTheOthersAreAcked() {
        RelaySession s = withQueuedBehindOne(List.of(blob(2), blob(3), blob(4)), T0);
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        s.drainActions();

        s.handle(new Input.AppendsCompleted(List.of(new Input.AppendCompleted(blob(2), new Cursor(7), false),
                new Input.AppendRefusedQuota(blob(3), false, 900, 1000),
                new Input.AppendCompleted(blob(4), new Cursor(8), false))), T0);
        List<Action> actions = s.drainActions();

        assertThat(actions).hasSize(4);
        assertThat(actions.get(0)).isEqualTo(new Action.Send(new Message.PushAck(blob(2), new Cursor(7))));
        assertThat(sent(actions.get(1))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
            assertThat(e.detail()).startsWith("the group's storage quota is full (900 of 1000 bytes)");
        });
        assertThat(actions.get(2)).isEqualTo(new Action.Send(new Message.PushAck(blob(4), new Cursor(8))));
        assertThat(actions.get(3)).isEqualTo(new Action.Broadcast(GROUP, new Cursor(8)));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void storeUnavailableForABatch_answersEveryPushUnavailable_inOrder_withoutBroadcast() {
        RelaySession s = withQueuedBehindOne(List.of(blob(2), blob(3)), T0);
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        s.drainActions();

        s.handle(new Input.StoreUnavailable(true), T0);
        List<Action> actions = s.drainActions();

        assertThat(actions).hasSize(2).allSatisfy(a -> assertThat(sent(a)).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.retryAfterMillis()).isEqualTo(RelaySession.STORAGE_FULL_RETRY_AFTER_MILLIS);
        }));
        // The session serves the next request again.
        s.handle(new Input.Received(new Message.Push(blob(5), 60, new byte[] {5})), T0);
        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.Append.class,
                a -> assertThat(a.blob()).isEqualTo(blob(5)));
    }

    @Test
    void rateLimitedPushInsideABurst_keepsItsPlace_laterOnesAreRefusedInOrder_andItIsStoredWhenSentAgain() {
        limiter = new TokenBucketLimiter<>(1, 3, 1000, 1000, 100, T0); // 3 tokens: blobs 1, 2, 3
        RelaySession s = withQueuedBehindOne(List.of(blob(2), blob(3), blob(4), blob(5)), T0);
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        List<Action> afterFirst = s.drainActions();

        assertThat(afterFirst.get(2)).isInstanceOfSatisfying(Action.AppendAll.class,
                all -> assertThat(all.appends()).extracting(Action.Append::blob).containsExactly(blob(2), blob(3)));
        assertThat(afterFirst).hasSize(3); // the refusals of 4 and 5 wait for the acks of 2 and 3

        s.handle(new Input.AppendsCompleted(List.of(new Input.AppendCompleted(blob(2), new Cursor(7), false),
                new Input.AppendCompleted(blob(3), new Cursor(8), false))), T0);
        List<Action> answers = s.drainActions();

        assertThat(answers).hasSize(5);
        assertThat(answers.get(0)).isEqualTo(new Action.Send(new Message.PushAck(blob(2), new Cursor(7))));
        assertThat(answers.get(1)).isEqualTo(new Action.Send(new Message.PushAck(blob(3), new Cursor(8))));
        assertThat(sent(answers.get(2))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.detail()).isEqualTo("too many requests");
        });
        assertThat(sent(answers.get(3))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.detail()).startsWith("an earlier push was refused");
        });
        assertThat(answers.get(4)).isEqualTo(new Action.Broadcast(GROUP, new Cursor(8)));

        // Blob 5 resent before blob 4 is still refused; blob 4 resent a second later is stored.
        Instant later = T0.plusSeconds(1);
        s.handle(new Input.Received(new Message.Push(blob(5), 60, new byte[] {5})), later);
        assertThat(sentMessages(s.drainActions())).singleElement().isInstanceOfSatisfying(Message.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        s.handle(new Input.Received(new Message.Push(blob(4), 60, new byte[] {4})), later);
        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.Append.class,
                a -> assertThat(a.blob()).isEqualTo(blob(4)));
    }

    @Test
    void moreQueuedPushesThanOneAppendCarries_areSplitAtTheCap_inOrder() {
        limiter = new TokenBucketLimiter<>(1000, 1000, 1000, 1000, 100, T0); // a token for every push
        int queued = RelaySession.MAX_PUSHES_PER_APPEND + 3;
        List<BlobId> ids = java.util.stream.IntStream.range(0, queued).mapToObj(i -> {
            byte[] id = filled(16, 0x70);
            id[0] = (byte) (i >> 8);
            id[1] = (byte) i;
            return new BlobId(id);
        }).toList();
        RelaySession s = withQueuedBehindOne(ids, T0);
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);

        Action.AppendAll first = s.drainActions().stream().filter(Action.AppendAll.class::isInstance)
                .map(Action.AppendAll.class::cast).findFirst().orElseThrow();
        assertThat(first.appends()).hasSize(RelaySession.MAX_PUSHES_PER_APPEND);
        assertThat(first.appends()).extracting(Action.Append::blob)
                .containsExactlyElementsOf(ids.subList(0, RelaySession.MAX_PUSHES_PER_APPEND));

        List<Input.PushOutcome> stored = new java.util.ArrayList<>();
        for (int i = 0; i < first.appends().size(); i++) {
            stored.add(new Input.AppendCompleted(first.appends().get(i).blob(), new Cursor(7 + i), false));
        }
        s.handle(new Input.AppendsCompleted(stored), T0);
        List<Action> rest = s.drainActions();

        assertThat(sentMessages(rest)).hasSize(RelaySession.MAX_PUSHES_PER_APPEND)
                .allSatisfy(m -> assertThat(m).isInstanceOf(Message.PushAck.class));
        assertThat(rest).filteredOn(Action.AppendAll.class::isInstance).singleElement()
                .isInstanceOfSatisfying(Action.AppendAll.class, all -> assertThat(all.appends()).extracting(Action.Append::blob)
                        .containsExactlyElementsOf(ids.subList(RelaySession.MAX_PUSHES_PER_APPEND, queued)));
    }

    @Test
    void pushesArrivingTogether_areOneAppendAll_notOneAppendEach() {
        RelaySession s = active();

        s.handle(new Input.ReceivedAll(List.of(new Message.Push(blob(1), 60, new byte[] {1}),
                new Message.Push(blob(2), 60, new byte[] {2}), new Message.Push(blob(3), 60, new byte[] {3}))), T0);

        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.AppendAll.class,
                all -> assertThat(all.appends()).extracting(Action.Append::blob).containsExactly(blob(1), blob(2), blob(3)));
        s.handle(new Input.AppendsCompleted(List.of(new Input.AppendCompleted(blob(1), new Cursor(6), false),
                new Input.AppendCompleted(blob(2), new Cursor(7), false),
                new Input.AppendCompleted(blob(3), new Cursor(8), false))), T0);
        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))),
                new Action.Send(new Message.PushAck(blob(2), new Cursor(7))),
                new Action.Send(new Message.PushAck(blob(3), new Cursor(8))),
                new Action.Broadcast(GROUP, new Cursor(8)));
    }

    @Test
    void pushFollowedByAPullInOneRead_theBatchStopsAtThePull_whichIsAnsweredAfterTheAcks() {
        RelaySession s = active();

        s.handle(new Input.ReceivedAll(List.of(new Message.Push(blob(1), 60, new byte[] {1}),
                new Message.Push(blob(2), 60, new byte[] {2}), new Message.Pull(Cursor.ZERO, 10, 1000),
                new Message.Push(blob(3), 60, new byte[] {3}))), T0);
        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.AppendAll.class,
                all -> assertThat(all.appends()).extracting(Action.Append::blob).containsExactly(blob(1), blob(2)));
        s.handle(new Input.AppendsCompleted(List.of(new Input.AppendCompleted(blob(1), new Cursor(6), false),
                new Input.AppendCompleted(blob(2), new Cursor(7), false))), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))),
                new Action.Send(new Message.PushAck(blob(2), new Cursor(7))),
                new Action.Broadcast(GROUP, new Cursor(7)),
                new Action.ReadPage(GROUP, Cursor.ZERO, 10, 1000));
    }

    @Test
    void pull_boundsThePageByTheRelayLimits_andAnswersWithThePage() {
        RelaySession s = active();

        s.handle(new Input.Received(new Message.Pull(new Cursor(3), 0xFFFF_FFFFL, 0xFFFF_FFFFL)), T0);
        assertThat(s.drainActions()).containsExactly(new Action.ReadPage(GROUP, new Cursor(3), 1000, 1024 * 1024));
        var blobs = List.of(new Message.PulledBlob(new Cursor(4), blob(1), OTHER, new byte[] {1}));
        s.handle(new Input.PageRead(blobs, true, List.of()), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PullResponse(blobs, true)));
    }

    @Test
    void helloWithBadProof_isRefusedUnknownGroupAndClosed() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);

        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, new byte[] {1})), T0);

        assertRefused(s.drainActions(), ErrorCode.UNKNOWN_GROUP);
        assertThat(s.state()).isEqualTo(State.CLOSING);
    }

    @Test
    void helloReplayedFromAnotherSession_isRefused() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, filled(32, 8)), T0);

        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, GOOD_PROOF)), T0);

        assertRefused(s.drainActions(), ErrorCode.UNKNOWN_GROUP);
    }

    @Test
    void helloForAnotherDevice_isRefusedUnauthorized() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);

        s.handle(new Input.Received(new Message.Hello(1, OTHER, GROUP, GOOD_PROOF)), T0);

        assertRefused(s.drainActions(), ErrorCode.UNAUTHORIZED);
    }

    @Test
    void helloWithAnotherVersion_isRefusedUnsupportedVersion() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);

        s.handle(new Input.Received(new Message.Hello(2, DEVICE, GROUP, GOOD_PROOF)), T0);

        assertRefused(s.drainActions(), ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void pushBeforeHello_isRefusedBadRequest() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);

        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {1})), T0);

        assertRefused(s.drainActions(), ErrorCode.BAD_REQUEST);
    }

    @Test
    void messageBeforeHandshake_closesWithoutSealingAnything() {
        RelaySession s = session();

        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1, 1)), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Close());
    }

    @Test
    void stalledHandshake_atTheHelloDeadline_closesWithoutSealingAndEndsClosedOnTransportClose() {
        RelaySession s = session();
        assertThat(s.nextDeadline()).contains(T0.plus(STEP));

        s.handle(new Input.Tick(), T0.plus(STEP));

        // Nothing can be sealed before the handshake completed: a Send here would be a seal attempt.
        assertThat(s.drainActions()).containsExactly(new Action.Close());
        assertThat(s.nextDeadline()).isEmpty();
        s.handle(new Input.TransportClosed(), T0.plus(STEP));
        assertThat(s.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void relayOnlyMessageFromDevice_isRefusedBadRequest() {
        RelaySession s = active();

        s.handle(new Input.Received(new Message.Notify(new Cursor(1))), T0);

        List<Action> actions = s.drainActions();
        assertThat(actions).contains(new Action.LeaveGroup(GROUP));
        assertRefused(actions, ErrorCode.BAD_REQUEST);
    }

    @Test
    void noHelloBeforeTheDeadline_closesTheSession() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);
        assertThat(s.nextDeadline()).contains(T0.plus(STEP));

        s.handle(new Input.Tick(), T0.plus(STEP).minusSeconds(1));
        assertThat(s.drainActions()).isEmpty();
        s.handle(new Input.Tick(), T0.plus(STEP));

        assertRefused(s.drainActions(), ErrorCode.BAD_REQUEST);
    }

    @Test
    void slowHandshake_eachStepWithinTheStepTimeout_reachesActiveAfterMoreThanOneStepTimeout() {
        // A 5 s one-way link: each step is a 10 s round trip after the previous one; 30 s in all.
        Duration rtt = Duration.ofSeconds(10);
        RelaySession s = session();
        Instant msg1 = T0.plus(rtt);
        s.handle(new Input.Tick(), msg1.minusMillis(1));
        s.handle(new Input.HandshakeProgress(), msg1);
        assertThat(s.nextDeadline()).contains(msg1.plus(STEP));
        Instant msg3 = msg1.plus(rtt);
        s.handle(new Input.Tick(), msg3.minusMillis(1));
        assertThat(s.drainActions()).isEmpty();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), msg3);
        assertThat(s.nextDeadline()).contains(msg3.plus(STEP));
        s.handle(new Input.Tick(), msg3.plus(STEP).minusMillis(1));
        assertThat(s.drainActions()).isEmpty();
        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, GOOD_PROOF)), msg3.plus(rtt));
        assertThat(s.drainActions()).containsExactly(new Action.ReadHead(GROUP));
        s.handle(new Input.HeadRead(new Cursor(0), new Cursor(1)), msg3.plus(rtt));

        assertThat(s.state()).isEqualTo(State.ACTIVE);
        assertThat(Duration.between(T0, msg3.plus(rtt))).isGreaterThan(STEP);
    }

    @Test
    void handshakeStep_missingItsStepTimeout_closesAtThatStepsDeadline() {
        RelaySession s = session();
        Instant msg1 = T0.plusSeconds(3);
        s.handle(new Input.HandshakeProgress(), msg1);

        s.handle(new Input.Tick(), msg1.plus(STEP).minusMillis(1));
        assertThat(s.drainActions()).isEmpty();
        s.handle(new Input.Tick(), msg1.plus(STEP));

        assertThat(s.drainActions()).containsExactly(new Action.Close());
    }

    @Test
    void repeatedHandshakeProgress_neverExtendsTheDeadline() {
        RelaySession s = session();
        s.handle(new Input.HandshakeProgress(), T0.plusSeconds(1));
        Instant deadline = T0.plusSeconds(1).plus(STEP);
        for (int i = 2; i < 10; i++) {
            s.handle(new Input.HandshakeProgress(), T0.plusSeconds(i));
        }

        assertThat(s.nextDeadline()).contains(deadline);
        s.handle(new Input.Tick(), deadline);
        assertThat(s.drainActions()).containsExactly(new Action.Close());
    }

    @Test
    void slowestProgressWithoutHello_closesWithinTheHandshakeCap() {
        // Every step a millisecond before its deadline, then no Hello: the slowloris guard holds.
        RelaySession s = session();
        Instant msg1 = T0.plus(STEP).minusMillis(1);
        s.handle(new Input.HandshakeProgress(), msg1);
        Instant msg3 = msg1.plus(STEP).minusMillis(1);
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), msg3);
        Instant closeAt = s.nextDeadline().orElseThrow();

        s.handle(new Input.Tick(), closeAt);

        assertRefused(s.drainActions(), ErrorCode.BAD_REQUEST);
        assertThat(closeAt).isBeforeOrEqualTo(T0.plus(RelayLimits.DEFAULTS.handshakeCap()));
        assertThat(RelayLimits.DEFAULTS.handshakeCap()).isEqualTo(STEP.multipliedBy(RelayLimits.HANDSHAKE_CAP_FACTOR));
    }

    @Test
    void pushesBeyondTheRate_areRefusedRateLimitedWithRetryAfter_andTheSessionStaysOpen() {
        limiter = new TokenBucketLimiter<>(1, 2, 1000, 1000, 100, T0);
        RelaySession s = active();
        for (int i = 0; i < 2; i++) {
            s.handle(new Input.Received(new Message.Push(blob(i), 60, new byte[] {1})), T0);
            s.handle(new Input.AppendCompleted(blob(i), new Cursor(10 + i), false), T0);
        }
        s.drainActions();

        s.handle(new Input.Received(new Message.Push(blob(9), 60, new byte[] {1})), T0);

        assertThat(s.drainActions()).singleElement().satisfies(a -> assertThat(sent(a)).isInstanceOfSatisfying(
                Message.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMillis()).isBetween(1L, 1001L);
                }));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void afterARateLimitedPush_laterPushesAreRefusedUntilItComesAgain_soTheyCannotOvertakeIt() {
        limiter = new TokenBucketLimiter<>(1, 1, 1000, 1000, 100, T0);
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {1})), T0);
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(10), false), T0);
        s.handle(new Input.Received(new Message.Push(blob(2), 60, new byte[] {1})), T0); // no token: refused
        s.drainActions();

        // A second later the bucket has a token again, but blob 3 was pipelined behind the refused 2.
        Instant later = T0.plusSeconds(1);
        s.handle(new Input.Received(new Message.Push(blob(3), 60, new byte[] {1})), later);
        assertThat(s.drainActions()).singleElement().satisfies(a -> assertThat(sent(a)).isInstanceOfSatisfying(
                Message.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED)));

        // Blob 2 again: stored; then blob 3 (its token refilled a second later) is stored after it.
        s.handle(new Input.Received(new Message.Push(blob(2), 60, new byte[] {1})), later);
        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.Append.class,
                a -> assertThat(a.blob()).isEqualTo(blob(2)));
        s.handle(new Input.AppendCompleted(blob(2), new Cursor(11), false), later);
        s.drainActions();
        s.handle(new Input.Received(new Message.Push(blob(3), 60, new byte[] {1})), later.plusSeconds(1));
        assertThat(s.drainActions()).singleElement().isInstanceOfSatisfying(Action.Append.class,
                a -> assertThat(a.blob()).isEqualTo(blob(3)));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void quotaRefusal_isAnErrorAndTheSessionStaysOpen() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.AppendRefusedQuota(blob(1), false), T0);

        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED));
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void storeFullDuringAppend_unavailableSayingFullWithLongRetryAfter_sessionStaysOpen() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.StoreUnavailable(true), T0);

        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.detail()).isEqualTo("relay storage is full; nothing was stored; retry later");
            assertThat(e.retryAfterMillis()).isEqualTo(RelaySession.STORAGE_FULL_RETRY_AFTER_MILLIS);
        });
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void storeUnavailableDuringAppend_unavailableWithOneSecondRetryAfter() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.StoreUnavailable(), T0);

        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.detail()).isEqualTo("relay storage is unavailable; retry later");
            assertThat(e.retryAfterMillis()).isEqualTo(1000);
        });
    }

    @Test
    void quotaRefusalWithFigures_messageCarriesUsedOfQuotaBytes() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.AppendRefusedQuota(blob(1), false, 65_000, 65_536), T0);

        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class,
                e -> assertThat(e.detail()).startsWith("the group's storage quota is full (65000 of 65536 bytes)"));
    }

    @Test
    void shutdownWithAnAppendInFlight_acksItFirstThenSaysUnavailableAndCloses() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.Shutdown(), T0);
        assertThat(s.drainActions()).isEmpty();
        s.handle(new Input.AppendCompleted(blob(1), new Cursor(6), false), T0);
        List<Action> actions = s.drainActions();

        assertThat(actions.get(0)).isEqualTo(new Action.Send(new Message.PushAck(blob(1), new Cursor(6))));
        assertThat(actions).anySatisfy(a -> assertThat(a).isInstanceOfSatisfying(Action.Send.class,
                send -> assertThat(send.message()).isInstanceOfSatisfying(Message.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))));
        assertThat(actions.get(actions.size() - 1)).isEqualTo(new Action.Close());
    }

    @Test
    void groupAdvanced_notifiesAnActiveSession() {
        RelaySession s = active();

        s.handle(new Input.GroupAdvanced(new Cursor(77)), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.Notify(new Cursor(77))));
    }

    @Test
    void transportClosed_leavesTheGroupAndEndsClosed() {
        RelaySession s = active();

        s.handle(new Input.TransportClosed(), T0);

        assertThat(s.drainActions()).containsExactly(new Action.LeaveGroup(GROUP), new Action.Close());
        assertThat(s.state()).isEqualTo(State.CLOSED);
    }

    // ---------------------------------------------------------------- frame limits and poison blobs

    private static final long MAX_PAYLOAD = RelayLimits.DEFAULTS.maxBlobPayloadBytes();

    @Test
    void pushAtTheLargestServablePayload_isAppended_andOneByteMore_isRefusedTooLarge() {
        RelaySession s = active();

        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[(int) MAX_PAYLOAD + 1])), T0);
        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        s.handle(new Input.Received(new Message.Push(blob(2), 60, new byte[(int) MAX_PAYLOAD])), T0);

        assertThat(s.drainActions()).singleElement().isInstanceOf(Action.Append.class);
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void goldenBoundary_theLargestAcceptedBlobAtTheLargestCursor_fillsAPullResponseFrameToWithinItsArrayHeaderSlack() {
        int frame = RelayLimits.DEFAULTS.maxFrameBytes();
        var largest = new Message.PulledBlob(new Cursor(-1L), blob(1), OTHER, new byte[(int) MAX_PAYLOAD]);

        byte[] framed = FrameCodec.frame(new Message.PullResponse(List.of(largest), true), frame);

        // 2 MiB frames leave 2,097,077 payload bytes: the 2,097,090-byte poison push is refused.
        assertThat(MAX_PAYLOAD).isEqualTo(2_097_077L);
        // Tight: only the array16/32 growth of the entry list (4 bytes) is left unused by one entry.
        assertThat(frame + FrameCodec.HEADER_BYTES - framed.length).isEqualTo(4);
        assertThat(MessageCodec.maxBlobPayloadBytes(frame) + SyncEngine.PUSH_OVERHEAD_BYTES).isEqualTo(frame);
    }

    @Test
    void pageLargerThanAFrame_isCutToFit_andSaysHasMore() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1000, 1 << 20)), T0);
        s.drainActions();
        var first = new Message.PulledBlob(new Cursor(1), blob(1), OTHER, new byte[1_500_000]);
        var second = new Message.PulledBlob(new Cursor(2), blob(2), OTHER, new byte[1_500_000]);

        s.handle(new Input.PageRead(List.of(first, second), false, List.of()), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PullResponse(List.of(first), true)));
    }

    @Test
    void storedBlobTooLargeForAnyFrame_isWithheldAndSkipped_notAnsweredWithAnEmptyPageForEver() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1000, 1 << 20)), T0);
        s.drainActions();
        var legacy = new Message.PulledBlob(new Cursor(1), blob(1), OTHER, new byte[(int) MAX_PAYLOAD + 100]);

        s.handle(new Input.PageRead(List.of(legacy), true, List.of()), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Withheld(1),
                new Action.ReadPage(GROUP, new Cursor(1), 1000, 1 << 20));
        var next = new Message.PulledBlob(new Cursor(2), blob(2), OTHER, new byte[] {1});
        s.handle(new Input.PageRead(List.of(next), false, List.of()), T0);
        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.PullResponse(List.of(next), false)));
    }

    @Test
    void withheldRowsOfTheStore_areCountedAndSkipped() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1000, 1 << 20)), T0);
        s.drainActions();

        s.handle(new Input.PageRead(List.of(), true, List.of(new Cursor(3), new Cursor(4))), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Withheld(2),
                new Action.ReadPage(GROUP, new Cursor(4), 1000, 1 << 20));
    }

    // ---------------------------------------------------------------- backpressure and deadlines

    @Test
    void outboundBlocked_servesNothing_coalescesNotifies_pausesReading_untilDrained() {
        RelaySession s = active();

        s.handle(new Input.OutboundBlocked(), T0);
        assertThat(s.drainActions()).containsExactly(new Action.PauseReading());
        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1, 1)), T0);
        s.handle(new Input.GroupAdvanced(new Cursor(8)), T0);
        s.handle(new Input.GroupAdvanced(new Cursor(9)), T0);
        assertThat(s.drainActions()).isEmpty();

        s.handle(new Input.OutboundDrained(), T0);

        assertThat(s.drainActions()).containsExactly(new Action.Send(new Message.Notify(new Cursor(9))),
                new Action.ReadPage(GROUP, Cursor.ZERO, 1, 1), new Action.ResumeReading());
    }

    @Test
    void requestsPilingUp_pauseReading_andFarTooMany_closeTheSession() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1, 1)), T0); // in flight
        s.drainActions();
        int cap = RelayLimits.DEFAULTS.maxQueuedRequests();
        for (int i = 0; i < cap; i++) {
            s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1, 1)), T0);
        }
        assertThat(s.drainActions()).containsExactly(new Action.PauseReading());

        for (int i = cap; i <= 16 * cap; i++) {
            s.handle(new Input.Received(new Message.Pull(Cursor.ZERO, 1, 1)), T0);
        }

        assertRefused(s.drainActions(), ErrorCode.BAD_REQUEST);
    }

    @Test
    void frameLeftIncomplete_closesAtTheFrameDeadline_butNotWhileTheRelayPausedReading() {
        RelaySession s = active();
        s.handle(new Input.StreamProgress(0, 100), T0);
        assertThat(s.nextDeadline()).contains(T0.plusSeconds(30));
        s.handle(new Input.StreamProgress(0, 200), T0.plusSeconds(20)); // trickling: no frame completed
        assertThat(s.nextDeadline()).contains(T0.plusSeconds(30));

        s.handle(new Input.OutboundBlocked(), T0.plusSeconds(21));
        assertThat(s.nextDeadline()).isEmpty();
        s.handle(new Input.OutboundDrained(), T0.plusSeconds(40));
        assertThat(s.nextDeadline()).contains(T0.plusSeconds(70));
        s.drainActions();
        s.handle(new Input.Tick(), T0.plusSeconds(70));

        assertRefused(s.drainActions(), ErrorCode.BAD_REQUEST);
    }

    @Test
    void completedFrames_restartTheFrameDeadline() {
        RelaySession s = active();
        s.handle(new Input.StreamProgress(0, 100), T0);
        s.handle(new Input.StreamProgress(1, 50), T0.plusSeconds(25));

        assertThat(s.nextDeadline()).contains(T0.plusSeconds(55));
        s.handle(new Input.StreamProgress(0, 0), T0.plusSeconds(26));
        assertThat(s.nextDeadline()).isEmpty();
    }

    @Test
    void supersededByANewerSessionOfTheSameDevice_isRefusedUnauthorizedAndCloses() {
        RelaySession s = active();

        s.handle(new Input.Superseded(), T0);

        assertRefused(s.drainActions(), ErrorCode.UNAUTHORIZED);
    }

    @Test
    void sessionCapReachedAtHello_isRefusedUnavailable() {
        RelaySession s = session();
        s.handle(new Input.HandshakeCompleted(DEVICE, HASH), T0);
        s.handle(new Input.Received(new Message.Hello(1, DEVICE, GROUP, GOOD_PROOF)), T0);
        s.drainActions();

        s.handle(new Input.SessionCapReached(), T0);

        assertRefused(s.drainActions(), ErrorCode.UNAVAILABLE);
    }

    @Test
    void relayWideCapacityRefusal_isQuotaExceededNamingTheRelay_andTheSessionStaysOpen() {
        RelaySession s = active();
        s.handle(new Input.Received(new Message.Push(blob(1), 60, new byte[] {7})), T0);
        s.drainActions();

        s.handle(new Input.AppendRefusedQuota(blob(1), true), T0);

        assertThat(sent(s.drainActions().get(0))).isInstanceOfSatisfying(Message.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
            assertThat(e.detail()).contains("relay's total storage");
        });
        assertThat(s.state()).isEqualTo(State.ACTIVE);
    }

    @Test
    void readingHeldByTheDriver_suspendsTheFrameDeadline_andReleaseRestartsIt() {
        RelaySession s = active();
        s.handle(new Input.StreamProgress(0, 100), T0);

        s.handle(new Input.ReadingHeld(true), T0.plusSeconds(5));
        assertThat(s.nextDeadline()).isEmpty();
        s.handle(new Input.StreamProgress(0, 100), T0.plusSeconds(6));
        assertThat(s.nextDeadline()).isEmpty();
        s.handle(new Input.ReadingHeld(false), T0.plusSeconds(100));

        assertThat(s.nextDeadline()).contains(T0.plusSeconds(130));
    }
}
