package dev.zerok.kernel.relay;

import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The relay side of one device connection, as a sans-I/O state machine: events in
 * ({@link #handle}), actions out ({@link #drainActions}), time passed in.
 *
 * <pre>
 *  AWAITING_HANDSHAKE --HandshakeCompleted--> AUTHENTICATED --valid Hello--> ACTIVE
 *          |                                       |                          |
 *          +------ timeout / violation / refused Hello / Bye / shutdown ------+--> CLOSING
 *                                                                                        |
 *                                     any state --TransportClosed--> CLOSED <-------------+
 * </pre>
 *
 * <p>Requests are served one at a time in arrival order: while a store operation is in flight
 * (an {@link Action.Append}, {@link Action.AppendAll}, {@link Action.ReadPage} or
 * {@link Action.ReadHead} awaiting its result input), later messages wait in a queue, so
 * PushAcks and PullResponses leave in request order.
 *
 * <p>Batched appends (group commit): when the session serves a Push and more Pushes wait right
 * behind it in the queue, it admits each of them in order (each takes its own rate-limit token;
 * a refused one gets its in-band Error in its place) and emits ONE {@link Action.AppendAll} for
 * all it admitted, at most {@link #MAX_PUSHES_PER_APPEND} pushes and, after the first,
 * {@link RelayLimits#maxFrameBytes()} payload bytes (the session's read budget: reading pauses
 * when that much waits). The driver stores them in one transaction; only when its result
 * ({@link Input.AppendsCompleted}) is in does the session send the PushAcks and Errors of the
 * batch, in request order, and ONE {@link Action.Broadcast} with the highest new cursor. So an
 * acknowledged blob is always committed. A lone Push is an {@link Action.Append}, as before. Every refusal after the handshake is an in-band {@link Message.Error} with a stable code
 * before the close; before the handshake completed nothing can be sealed, so the session only
 * closes.
 *
 * <p>Backpressure: the session serves no request while the driver reports the outbound direction
 * blocked ({@link Input.OutboundBlocked}), coalesces Notify meanwhile, and asks the driver to stop
 * reading ({@link Action.PauseReading}) while requests pile up or the outbound is blocked, so a
 * device that sends without reading holds at most a few frames of relay memory. A frame that stays
 * incomplete for {@link RelayLimits#frameTimeout()} while the relay is reading closes the session.
 *
 * <p>Pages are cut to fit one frame ({@link MessageCodec#pulledBlobFrameBytes}); a stored blob
 * that cannot fit any frame (stored under a larger limit) or that the store withheld is skipped
 * and reported ({@link Action.Withheld}) instead of wedging every puller at its cursor.
 *
 * <p>Not thread-safe: the driver feeds one session from one thread at a time.
 */
public final class RelaySession {
    /** Where the session is in its life. */
    public enum State { AWAITING_HANDSHAKE, AUTHENTICATED, ACTIVE, CLOSING, CLOSED }

    /** Events the driver feeds in. */
    public sealed interface Input {
        /** The Noise handshake finished; {@code device} is derived from the peer's static key. */
        record HandshakeCompleted(DeviceId device, byte[] handshakeHash) implements Input {
            public HandshakeCompleted {
                handshakeHash = handshakeHash.clone();
            }
        }

        /**
         * The device's first handshake message (Noise msg1) was read and answered: the handshake
         * progressed, so the next step (msg3) is due within {@link RelayLimits#helloTimeout()} of
         * now. Only the first one counts; more never extend a deadline.
         */
        record HandshakeProgress() implements Input {}

        /** A decoded message from the device. */
        record Received(Message message) implements Input {}

        /**
         * Decoded messages from the device that arrived together (one transport read), in order:
         * the same as a {@link Received} for each, except that the session queues them all before
         * it serves any, so Pushes among them can share one {@link Action.AppendAll}.
         */
        record ReceivedAll(List<Message> messages) implements Input {
            public ReceivedAll {
                messages = List.copyOf(messages);
            }
        }

        /** The device's bytes broke the framing or the codec; {@code reason} is safe to send back. */
        record ProtocolViolation(String reason) implements Input {}

        /**
         * Result of {@link Action.ReadHead}: the group's head and where its log is still complete
         * ({@code RelayStore.oldestRetained}, read before the head so that it is at most
         * {@code head + 1}). The session sends both in the Welcome; an {@code oldestRetained}
         * outside {@code 1..head+1} (a driver bug) is clamped into it rather than break the session.
         */
        record HeadRead(Cursor head, Cursor oldestRetained) implements Input {
            public HeadRead {
                java.util.Objects.requireNonNull(head, "head");
                java.util.Objects.requireNonNull(oldestRetained, "oldestRetained");
            }
        }

        /**
         * What the store did with one push of an {@link Action.Append} or {@link Action.AppendAll}:
         * stored it (or found it stored), refused it for quota or capacity, or failed.
         */
        sealed interface PushOutcome extends Input permits AppendCompleted, AppendRefusedQuota, StoreUnavailable {}

        /** Result of {@link Action.Append}: the blob is stored under {@code cursor} (the first one, for a duplicate). */
        record AppendCompleted(BlobId blob, Cursor cursor, boolean duplicate) implements Input, PushOutcome {}

        /**
         * {@link Action.Append} stored nothing because the group's quota is full, or with
         * {@code relayFull} because the relay's total storage is.
         *
         * @param storedBytes bytes charged to the group's quota before the refused append, or -1
         *     if the store did not say; only for the message text
         * @param quotaBytes the group's quota in bytes, or -1 if the store did not say
         */
        record AppendRefusedQuota(BlobId blob, boolean relayFull, long storedBytes, long quotaBytes)
                implements Input, PushOutcome {
            /** Without figures. */
            public AppendRefusedQuota(BlobId blob, boolean relayFull) {
                this(blob, relayFull, -1, -1);
            }
        }

        /**
         * Result of {@link Action.AppendAll}: one outcome per append of the action, in its order.
         * A {@link StoreUnavailable} fed instead answers every push of the batch as unavailable (the
         * transaction failed). Outcomes missing at the end (a driver bug) are answered as
         * unavailable too; extra ones are ignored.
         */
        record AppendsCompleted(List<PushOutcome> outcomes) implements Input {
            public AppendsCompleted {
                outcomes = List.copyOf(outcomes);
            }
        }

        /**
         * Result of {@link Action.ReadPage}: the blobs, whether more follow, and the cursors in the
         * page's range the store withheld (a row that failed its integrity check).
         */
        record PageRead(List<Message.PulledBlob> blobs, boolean hasMore, List<Cursor> withheld) implements Input {
            public PageRead {
                blobs = List.copyOf(blobs);
                withheld = List.copyOf(withheld);
            }
        }

        /**
         * A store operation failed for a reason the device can retry later and that left nothing
         * behind. {@code full}: the filesystem under the store is full, so the answer says so and
         * asks for a longer wait ({@link RelaySession#STORAGE_FULL_RETRY_AFTER_MILLIS}).
         */
        record StoreUnavailable(boolean full) implements Input, PushOutcome {
            /** A store failure other than a full filesystem (busy, I/O error). */
            public StoreUnavailable() {
                this(false);
            }
        }

        /** Another session of this group appended up to {@code head}. */
        record GroupAdvanced(Cursor head) implements Input {}

        /** The relay is shutting down: finish the operation in flight, then say so and close. */
        record Shutdown() implements Input {}

        /** The transport closed underneath. */
        record TransportClosed() implements Input {}

        /** Time passed; check deadlines. */
        record Tick() implements Input {}

        /**
         * After each transport message: how many frames it completed and how many bytes of a
         * partial frame are held now (the frame deadline runs while this is above 0).
         */
        record StreamProgress(int completedFrames, int bufferedBytes) implements Input {}

        /** The driver's unsent bytes to the device crossed its high-water mark: stop producing responses. */
        record OutboundBlocked() implements Input {}

        /** The driver's unsent bytes fell below its low-water mark again. */
        record OutboundDrained() implements Input {}

        /**
         * The driver holds reading for reasons of its own (a relay-wide memory budget) or releases
         * it: while held, a partly received frame's deadline does not run.
         */
        record ReadingHeld(boolean held) implements Input {}

        /** A newer session authenticated with this session's device identity: this one gives way. */
        record Superseded() implements Input {}

        /** Instead of {@link HeadRead}: the relay holds as many authenticated sessions as it may. */
        record SessionCapReached() implements Input {}
    }

    /** What the driver must do. */
    public sealed interface Action {
        /** Send one message to the device. */
        record Send(Message message) implements Action {}

        /**
         * Read the group's oldest retained cursor at the current time, then its head cursor (in
         * that order), then feed {@link Input.HeadRead}.
         */
        record ReadHead(GroupId group) implements Action {}

        /** Append in one store transaction, then feed {@link Input.AppendCompleted}, {@link Input.AppendRefusedQuota} or {@link Input.StoreUnavailable}. */
        record Append(GroupId group, DeviceId sender, BlobId blob, byte[] payload, Duration ttl) implements Action {
            @Override
            public String toString() {
                return "Append[REDACTED]";
            }
        }

        /**
         * Append every one of {@code appends} (2 to {@link RelaySession#MAX_PUSHES_PER_APPEND}, all of
         * this session's group and device) in ONE store transaction, cursors in list order, each
         * checked against the quota on its own ({@code RelayStore.appendAll}); then feed
         * {@link Input.AppendsCompleted} with one outcome per append, or {@link Input.StoreUnavailable}
         * if the transaction failed and stored nothing.
         */
        record AppendAll(List<Append> appends) implements Action {
            public AppendAll {
                appends = List.copyOf(appends);
            }

            @Override
            public String toString() {
                return "AppendAll[" + appends.size() + " REDACTED]";
            }
        }

        /** Read one bounded page, then feed {@link Input.PageRead} or {@link Input.StoreUnavailable}. */
        record ReadPage(GroupId group, Cursor after, int maxBlobs, long maxBytes) implements Action {
            @Override
            public String toString() {
                return "ReadPage[REDACTED]";
            }
        }

        /**
         * Route the group's notifications to this session from now on, and make it the one
         * session of {@code device}: an older session of the same identity gets {@link Input.Superseded}.
         */
        record JoinGroup(GroupId group, DeviceId device) implements Action {}

        /** Accept frames of up to {@code maxFrameBytes} from the device from now on (Hello verified). */
        record AcceptFrames(int maxFrameBytes) implements Action {}

        /** Stop reading from the device (let the transport's flow control hold it back). */
        record PauseReading() implements Action {}

        /** Read from the device again. */
        record ResumeReading() implements Action {}

        /** {@code count} stored blobs were skipped in a page: count them, log without ids. */
        record Withheld(int count) implements Action {}

        /** Tell the group's other live sessions that the log grew to {@code head}. */
        record Broadcast(GroupId group, Cursor head) implements Action {}

        /** Stop routing the group's notifications to this session. */
        record LeaveGroup(GroupId group) implements Action {}

        /** Close the channel (after the queued sends). */
        record Close() implements Action {}
    }

    /**
     * The retry-after, in milliseconds, of the UNAVAILABLE answer to a push the relay could not store
     * because its filesystem is full: space comes back when an operator frees it, not within a
     * second, so devices should not reconnect and handshake every second meanwhile.
     */
    public static final long STORAGE_FULL_RETRY_AFTER_MILLIS = 10_000;

    /**
     * The most pushes one {@link Action.AppendAll} carries: enough that a device pipelining a full
     * queue ({@link RelayLimits#maxQueuedRequests()}) and more is served in one transaction,
     * bounded so one commit does not hold the store's write lock for long.
     */
    public static final int MAX_PUSHES_PER_APPEND = 256;

    private final RelayLimits limits;
    private final MembershipVerifier verifier;
    private final TokenBucketLimiter<DeviceId> limiter;
    /** The handshake's absolute deadline: {@link RelayLimits#handshakeCap()} after the connection started. */
    private final Instant handshakeCap;
    /** The deadline of the handshake step awaited (progress-based), never after {@link #handshakeCap}. */
    private Instant stepDeadline;
    /** The handshake step awaited, for the close reason. */
    private String awaiting = "handshake message 1";
    private boolean handshakeProgressed;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final List<Action> actions = new ArrayList<>();

    private State state = State.AWAITING_HANDSHAKE;
    private DeviceId device;
    private byte[] handshakeHash;
    private GroupId group;
    private boolean inFlight;
    private boolean joined;
    private boolean shutdownRequested;
    private long queuedBytes;
    private boolean outboundBlocked;
    private boolean readingPaused;
    private boolean driverHolds;
    private Optional<Cursor> pendingNotify = Optional.empty();
    private Optional<Instant> partialFrameSince = Optional.empty();
    private boolean partialFrame;
    /** The Pull being served, while pages of withheld blobs are skipped for it. */
    private Message.Pull pullInFlight;
    /**
     * The Push last refused with RATE_LIMITED and when its retry is due: every other Push is
     * refused until this one is sent again, so a push pipelined behind it cannot take an earlier
     * cursor (a sender's blobs keep their push order in the group's log).
     */
    private Optional<BlobId> refusedPush = Optional.empty();
    private Instant refusedPushRetryAt = Instant.MIN;
    /**
     * The responses of the pushes being stored, in request order: a slot per push, either its
     * append (answered from the store's outcome) or the Error its admission already decided.
     * Empty while no append is in flight.
     */
    private final List<PushSlot> pushesInFlight = new ArrayList<>();

    /** One push of a batch: stored ({@code append} present) or refused at admission ({@code refusal}). */
    private record PushSlot(Optional<Action.Append> append, Optional<Message.Error> refusal) {}

    /**
     * @param limits the relay's limits
     * @param verifier checks Hello's membership proof
     * @param limiter the relay-wide rate limiter, keyed by device
     * @param now when the connection was accepted
     */
    public RelaySession(RelayLimits limits, MembershipVerifier verifier, TokenBucketLimiter<DeviceId> limiter, Instant now) {
        this.limits = limits;
        this.verifier = verifier;
        this.limiter = limiter;
        this.handshakeCap = now.plus(limits.handshakeCap());
        this.stepDeadline = now.plus(limits.helloTimeout());
    }

    /** The current state. */
    public State state() {
        return state;
    }

    /** The authenticated group, once ACTIVE. */
    public Optional<GroupId> group() {
        return state == State.ACTIVE || state == State.CLOSING ? Optional.ofNullable(group) : Optional.empty();
    }

    /**
     * When the session wants a {@link Input.Tick}: until it is ACTIVE the deadline of the handshake
     * step awaited (connection start -> msg1 -> msg3 -> Hello, each within
     * {@link RelayLimits#helloTimeout()} of the previous, all within {@link RelayLimits#handshakeCap()}),
     * and the deadline of a partly received frame while reading.
     */
    public Optional<Instant> nextDeadline() {
        if (state == State.CLOSING || state == State.CLOSED) {
            return Optional.empty();
        }
        Optional<Instant> frame = partialFrameSince.map(since -> since.plus(limits.frameTimeout()));
        if (state == State.AWAITING_HANDSHAKE || state == State.AUTHENTICATED) {
            Instant hello = helloDeadline();
            return Optional.of(frame.filter(f -> f.isBefore(hello)).orElse(hello));
        }
        return frame;
    }

    /** Returns and forgets the actions produced so far, in order. */
    public List<Action> drainActions() {
        List<Action> out = List.copyOf(actions);
        actions.clear();
        return out;
    }

    /** Consumes one event at {@code now}. */
    public void handle(Input input, Instant now) {
        if (input instanceof Input.TransportClosed) {
            close();
            state = State.CLOSED;
            return;
        }
        if (state == State.CLOSING || state == State.CLOSED) {
            return; // the Close action is out; results of work in flight have nowhere to go
        }
        if (isStoreResult(input) && !inFlight || isPushResult(input) && pushesInFlight.isEmpty()) {
            return; // a result nobody asked for (a driver bug) must not move the state
        }
        switch (input) {
            case Input.HandshakeCompleted h -> {
                if (state != State.AWAITING_HANDSHAKE) {
                    refuse(ErrorCode.BAD_REQUEST, "handshake completed twice");
                    return;
                }
                device = h.device();
                handshakeHash = h.handshakeHash();
                state = State.AUTHENTICATED;
                progress(now, "Hello");
            }
            case Input.HandshakeProgress p -> {
                if (state == State.AWAITING_HANDSHAKE && !handshakeProgressed) {
                    handshakeProgressed = true;
                    progress(now, "handshake message 3");
                }
            }
            case Input.Received r -> {
                if (enqueue(r.message())) {
                    pump(now);
                }
            }
            case Input.ReceivedAll r -> {
                for (Message message : r.messages()) {
                    if (!enqueue(message)) {
                        return;
                    }
                }
                pump(now);
            }
            case Input.ProtocolViolation v -> refuse(ErrorCode.BAD_REQUEST, v.reason());
            case Input.HeadRead h -> {
                inFlight = false;
                state = State.ACTIVE;
                actions.add(new Action.JoinGroup(group, device));
                joined = true;
                actions.add(new Action.AcceptFrames(limits.maxFrameBytes()));
                actions.add(new Action.Send(new Message.Welcome(Message.PROTOCOL_VERSION, h.head(),
                        welcomeOldest(h.head(), h.oldestRetained()), limits.maxFrameBytes(), limits.maxTtl().toSeconds())));
                pump(now);
            }
            case Input.AppendCompleted a -> onPushOutcomes(List.of(a), now);
            case Input.AppendRefusedQuota q -> onPushOutcomes(List.of(q), now);
            case Input.AppendsCompleted all -> onPushOutcomes(all.outcomes(), now);
            case Input.PageRead p -> onPage(p, now);
            case Input.StoreUnavailable u -> {
                if (!pushesInFlight.isEmpty()) {
                    onPushOutcomes(java.util.Collections.nCopies(pushesInFlight.size(), u), now);
                    return;
                }
                inFlight = false;
                pullInFlight = null;
                String detail = u.full() ? "relay storage is full; nothing was stored; retry later"
                        : "relay storage is unavailable; retry later";
                if (state == State.AUTHENTICATED) {
                    refuse(ErrorCode.UNAVAILABLE, detail);
                    return;
                }
                actions.add(new Action.Send(new Message.Error(ErrorCode.UNAVAILABLE, detail,
                        u.full() ? STORAGE_FULL_RETRY_AFTER_MILLIS : 1000)));
                pump(now);
            }
            case Input.GroupAdvanced g -> {
                if (state == State.ACTIVE && outboundBlocked) {
                    pendingNotify = Optional.of(pendingNotify.filter(c -> c.isAfter(g.head())).orElse(g.head()));
                } else if (state == State.ACTIVE) {
                    actions.add(new Action.Send(new Message.Notify(g.head())));
                }
            }
            case Input.Shutdown s -> {
                shutdownRequested = true;
                pump(now);
            }
            case Input.TransportClosed c -> throw new IllegalStateException("handled above");
            case Input.Tick t -> {
                if ((state == State.AWAITING_HANDSHAKE || state == State.AUTHENTICATED) && !now.isBefore(helloDeadline())) {
                    refuse(ErrorCode.BAD_REQUEST, stepDeadline.isBefore(handshakeCap)
                            ? "no " + awaiting + " within " + limits.helloTimeout().toSeconds() + " s of the previous handshake step"
                            : "handshake and Hello not done within " + limits.handshakeCap().toSeconds() + " s (no "
                                    + awaiting + " yet)");
                } else if (partialFrameSince.isPresent() && !now.isBefore(partialFrameSince.get().plus(limits.frameTimeout()))) {
                    refuse(ErrorCode.BAD_REQUEST, "a frame stayed incomplete for " + limits.frameTimeout().toSeconds() + " s");
                }
            }
            case Input.StreamProgress p -> {
                partialFrame = p.bufferedBytes() > 0;
                if (!partialFrame) {
                    partialFrameSince = Optional.empty();
                } else if (p.completedFrames() > 0 || partialFrameSince.isEmpty()) {
                    partialFrameSince = readingPaused || driverHolds ? Optional.empty() : Optional.of(now);
                }
            }
            case Input.ReadingHeld h -> {
                driverHolds = h.held();
                partialFrameSince = !driverHolds && !readingPaused && partialFrame ? Optional.of(now) : Optional.empty();
            }
            case Input.OutboundBlocked b -> {
                outboundBlocked = true;
                flowControl(now);
            }
            case Input.OutboundDrained d -> {
                outboundBlocked = false;
                pendingNotify.ifPresent(head -> actions.add(new Action.Send(new Message.Notify(head))));
                pendingNotify = Optional.empty();
                pump(now);
            }
            case Input.SessionCapReached c -> refuse(ErrorCode.UNAVAILABLE,
                    "the relay holds as many device sessions as it may; retry later or use another relay");
            case Input.Superseded s -> refuse(ErrorCode.UNAUTHORIZED, "this device identity authenticated again in a "
                    + "newer session, which replaces this one (if that was not you, the device key is stolen)");
        }
    }

    /** Queues a request; false if that made far too many outstanding (the session is refused and closing). */
    private boolean enqueue(Message message) {
        queue.add(message);
        queuedBytes += queuedSize(message);
        if (queue.size() > 16L * limits.maxQueuedRequests()) {
            refuse(ErrorCode.BAD_REQUEST, "more than " + 16L * limits.maxQueuedRequests()
                    + " requests outstanding; wait for answers before sending more");
            return false;
        }
        return true;
    }

    /** The deadline of the handshake step awaited, capped. */
    private Instant helloDeadline() {
        return stepDeadline.isBefore(handshakeCap) ? stepDeadline : handshakeCap;
    }

    /** A handshake step arrived: the next ({@code next}) is due within the step timeout. */
    private void progress(Instant now, String next) {
        stepDeadline = now.plus(limits.helloTimeout());
        awaiting = next;
    }

    /** {@code oldest} clamped into what a Welcome may carry: 1 to {@code head + 1}. */
    private static Cursor welcomeOldest(Cursor head, Cursor oldest) {
        if (oldest.equals(Cursor.ZERO)) {
            return new Cursor(1);
        }
        if (head.value() != -1L && oldest.isAfter(head.next())) {
            return head.next();
        }
        return oldest;
    }

    private static boolean isStoreResult(Input input) {
        return input instanceof Input.HeadRead || isPushResult(input) || input instanceof Input.PageRead
                || input instanceof Input.StoreUnavailable || input instanceof Input.SessionCapReached;
    }

    private static boolean isPushResult(Input input) {
        return input instanceof Input.AppendCompleted || input instanceof Input.AppendRefusedQuota
                || input instanceof Input.AppendsCompleted;
    }

    /**
     * The store answered the pushes in flight: their responses leave now, in request order (an
     * Error decided at admission in its place), then one Broadcast of the highest new cursor.
     */
    private void onPushOutcomes(List<? extends Input.PushOutcome> outcomes, Instant now) {
        inFlight = false;
        Optional<Cursor> newHead = Optional.empty();
        int next = 0;
        for (PushSlot slot : pushesInFlight) {
            if (slot.refusal().isPresent()) {
                actions.add(new Action.Send(slot.refusal().get()));
                continue;
            }
            Input.PushOutcome outcome = next < outcomes.size() ? outcomes.get(next) : new Input.StoreUnavailable();
            next++;
            switch (outcome) {
                case Input.AppendCompleted a -> {
                    actions.add(new Action.Send(new Message.PushAck(a.blob(), a.cursor())));
                    if (!a.duplicate() && newHead.filter(h -> h.isAfter(a.cursor())).isEmpty()) {
                        newHead = Optional.of(a.cursor());
                    }
                }
                case Input.AppendRefusedQuota q -> actions.add(new Action.Send(new Message.Error(ErrorCode.QUOTA_EXCEEDED,
                        q.relayFull() ? "the relay's total storage is full; nothing was stored; space returns as blobs "
                                + "expire, push to another relay meanwhile"
                                : "the group's storage quota is full" + quotaFigures(q) + "; nothing was stored", 0)));
                case Input.StoreUnavailable u -> actions.add(new Action.Send(new Message.Error(ErrorCode.UNAVAILABLE,
                        u.full() ? "relay storage is full; nothing was stored; retry later"
                                : "relay storage is unavailable; retry later",
                        u.full() ? STORAGE_FULL_RETRY_AFTER_MILLIS : 1000)));
            }
        }
        pushesInFlight.clear();
        newHead.ifPresent(head -> actions.add(new Action.Broadcast(group, head)));
        pump(now);
    }

    private void onPage(Input.PageRead page, Instant now) {
        inFlight = false;
        Message.Pull pull = pullInFlight;
        pullInFlight = null;
        int withheld = page.withheld().size();
        List<Message.PulledBlob> served = new ArrayList<>();
        long frameBytes = MessageCodec.PULL_RESPONSE_OVERHEAD_BYTES;
        boolean cut = false;
        Optional<Cursor> lastSeen = page.withheld().stream().max(Cursor::compareTo);
        for (Message.PulledBlob blob : page.blobs()) {
            long size = MessageCodec.pulledBlobFrameBytes(blob);
            if (served.isEmpty() && frameBytes + size > limits.maxFrameBytes()) {
                withheld++; // stored under a larger frame limit: no frame can carry it any more
                lastSeen = lastSeen.filter(c -> c.isAfter(blob.cursor())).or(() -> Optional.of(blob.cursor()));
                continue;
            }
            if (frameBytes + size > limits.maxFrameBytes()) {
                cut = true;
                break;
            }
            frameBytes += size;
            served.add(blob);
        }
        if (withheld > 0) {
            actions.add(new Action.Withheld(withheld));
        }
        if (served.isEmpty() && page.hasMore() && lastSeen.isPresent() && pull != null) {
            // Nothing servable in this page but more after it: skip past it rather than answer an
            // empty page the device would request again for ever.
            inFlight = true;
            pullInFlight = new Message.Pull(lastSeen.get(), pull.maxBlobs(), pull.maxBytes());
            actions.add(readPage(pullInFlight));
            return;
        }
        actions.add(new Action.Send(new Message.PullResponse(served, page.hasMore() || cut)));
        pump(now);
    }

    /** The ReadPage a Pull asks for, bounded by the relay's limits. */
    private Action.ReadPage readPage(Message.Pull pull) {
        return new Action.ReadPage(group, pull.after(), (int) Math.min(pull.maxBlobs(), limits.maxPullBlobs()),
                Math.min(pull.maxBytes(), limits.maxPullBytes()));
    }

    private void pump(Instant now) {
        while (!inFlight && !outboundBlocked && state != State.CLOSING && state != State.CLOSED) {
            if (shutdownRequested) {
                refuse(ErrorCode.UNAVAILABLE, "relay is shutting down; reconnect later");
                return;
            }
            Message next = queue.poll();
            if (next == null) {
                break;
            }
            queuedBytes -= queuedSize(next);
            serve(next, now);
        }
        flowControl(now);
    }

    /** Pauses reading while requests pile up or responses cannot leave; resumes when neither holds. */
    private void flowControl(Instant now) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        boolean pause = outboundBlocked || queue.size() >= limits.maxQueuedRequests() || queuedBytes >= limits.maxFrameBytes();
        if (pause && !readingPaused) {
            readingPaused = true;
            partialFrameSince = Optional.empty(); // our choice, not the peer's slowness
            actions.add(new Action.PauseReading());
        } else if (!pause && readingPaused) {
            readingPaused = false;
            partialFrameSince = partialFrame && !driverHolds ? Optional.of(now) : Optional.empty();
            actions.add(new Action.ResumeReading());
        }
    }

    private static long queuedSize(Message message) {
        return message instanceof Message.Push push ? push.payloadBytes() : 64;
    }

    private void serve(Message message, Instant now) {
        if (state == State.AWAITING_HANDSHAKE) {
            refuse(ErrorCode.UNAUTHORIZED, "message before the handshake completed");
            return;
        }
        switch (message) {
            case Message.Hello hello -> onHello(hello);
            case Message.Push push -> {
                if (!requireActive()) {
                    return;
                }
                Optional<Message.Error> refusal = admitPush(push, now);
                if (refusal.isPresent()) {
                    actions.add(new Action.Send(refusal.get()));
                    return;
                }
                servePushes(push, now);
            }
            case Message.Pull pull -> {
                if (!requireActive() || !admit(now)) {
                    return;
                }
                inFlight = true;
                pullInFlight = pull;
                actions.add(readPage(pull));
            }
            case Message.Bye bye -> close();
            case Message.Welcome w -> refuse(ErrorCode.BAD_REQUEST, "Welcome is sent by relays only");
            case Message.PushAck a -> refuse(ErrorCode.BAD_REQUEST, "PushAck is sent by relays only");
            case Message.PullResponse r -> refuse(ErrorCode.BAD_REQUEST, "PullResponse is sent by relays only");
            case Message.Notify n -> refuse(ErrorCode.BAD_REQUEST, "Notify is sent by relays only");
            case Message.Error e -> close();
        }
    }

    private void onHello(Message.Hello hello) {
        if (state != State.AUTHENTICATED) {
            refuse(ErrorCode.BAD_REQUEST, "Hello is allowed once, right after the handshake");
            return;
        }
        if (hello.protocolVersion() != Message.PROTOCOL_VERSION) {
            refuse(ErrorCode.UNSUPPORTED_VERSION, "this relay speaks protocol version " + Message.PROTOCOL_VERSION);
            return;
        }
        if (!hello.device().equals(device)) {
            refuse(ErrorCode.UNAUTHORIZED, "the device id does not match the handshake's static key");
            return;
        }
        if (!verifier.verify(hello.group(), device, hello.membershipProof(), handshakeHash)) {
            refuse(ErrorCode.UNKNOWN_GROUP, "membership proof refused");
            return;
        }
        group = hello.group();
        inFlight = true;
        actions.add(new Action.ReadHead(group));
    }

    private boolean requireActive() {
        if (state != State.ACTIVE) {
            refuse(ErrorCode.BAD_REQUEST, "Hello must come first");
            return false;
        }
        return true;
    }

    /**
     * Stores {@code first} (admitted) together with the Pushes queued right behind it: each is
     * admitted in order ({@link #admitPush}) and keeps its place in the responses, admitted or
     * not, until a message that is not a Push, {@link #MAX_PUSHES_PER_APPEND} pushes, or
     * {@link RelayLimits#maxFrameBytes()} payload bytes. One admitted push is an
     * {@link Action.Append}, more are one {@link Action.AppendAll}.
     */
    private void servePushes(Message.Push first, Instant now) {
        List<Action.Append> appends = new ArrayList<>();
        appends.add(append(first));
        pushesInFlight.add(new PushSlot(Optional.of(appends.get(0)), Optional.empty()));
        long batchBytes = first.payloadBytes();
        while (pushesInFlight.size() < MAX_PUSHES_PER_APPEND && queue.peek() instanceof Message.Push next
                && batchBytes + next.payloadBytes() <= limits.maxFrameBytes()) {
            queue.poll();
            queuedBytes -= queuedSize(next);
            Optional<Message.Error> refusal = admitPush(next, now);
            if (refusal.isPresent()) {
                pushesInFlight.add(new PushSlot(Optional.empty(), refusal));
                continue;
            }
            batchBytes += next.payloadBytes();
            Action.Append append = append(next);
            appends.add(append);
            pushesInFlight.add(new PushSlot(Optional.of(append), Optional.empty()));
        }
        inFlight = true;
        actions.add(appends.size() == 1 ? appends.get(0) : new Action.AppendAll(appends));
    }

    private Action.Append append(Message.Push push) {
        return new Action.Append(group, device, push.blob(), push.payload(),
                Duration.ofSeconds(Math.min(push.ttlSeconds(), limits.maxTtl().toSeconds())));
    }

    /**
     * Admits a Push (empty) or gives the Error that refuses it: RATE_LIMITED when an earlier one of
     * this session was refused with RATE_LIMITED and has not been sent again (without taking a
     * token, with the earlier refusal's remaining retry time) or when the rate limiter refuses it,
     * TOO_LARGE when its payload exceeds what a PullResponse can serve back.
     */
    private Optional<Message.Error> admitPush(Message.Push push, Instant now) {
        if (refusedPush.isPresent() && !refusedPush.get().equals(push.blob())) {
            long retryMillis = Math.max(1, java.time.Duration.between(now, refusedPushRetryAt).toMillis());
            return Optional.of(new Message.Error(ErrorCode.RATE_LIMITED, "an earlier push was refused; "
                    + "send it again before later ones", Math.min(retryMillis, 0xFFFF_FFFFL)));
        }
        refusedPush = Optional.empty();
        TokenBucketLimiter.Decision decision = limiter.tryAcquire(group, device, now);
        if (!decision.allowed()) {
            refusedPush = Optional.of(push.blob());
            refusedPushRetryAt = now.plus(decision.retryAfter());
            return Optional.of(rateLimited(decision));
        }
        if (push.payloadBytes() > limits.maxBlobPayloadBytes()) {
            return Optional.of(new Message.Error(ErrorCode.TOO_LARGE, "blob exceeds the largest payload this "
                    + "relay can serve back (" + limits.maxBlobPayloadBytes() + " bytes); nothing was stored", 0));
        }
        return Optional.empty();
    }

    private static Message.Error rateLimited(TokenBucketLimiter.Decision decision) {
        return new Message.Error(ErrorCode.RATE_LIMITED, "too many requests",
                Math.min(decision.retryAfter().toMillis() + 1, 0xFFFF_FFFFL));
    }

    private boolean admit(Instant now) {
        TokenBucketLimiter.Decision decision = limiter.tryAcquire(group, device, now);
        if (!decision.allowed()) {
            actions.add(new Action.Send(rateLimited(decision)));
        }
        return decision.allowed();
    }

    private void refuse(ErrorCode code, String detail) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (state != State.AWAITING_HANDSHAKE) {
            actions.add(new Action.Send(new Message.Error(code, detail, 0)));
        }
        close();
    }

    private void close() {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (joined) {
            actions.add(new Action.LeaveGroup(group));
            joined = false;
        }
        if (handshakeHash != null) {
            Arrays.fill(handshakeHash, (byte) 0);
        }
        queue.clear();
        actions.add(new Action.Close());
        state = State.CLOSING;
    }

    /**
     * " (N of M bytes)" when the store gave both figures, else "". The device shows them to its
     * user (docs/PROTOCOL.md leaves the Error message free text; devices parse this form for display only).
     */
    private static String quotaFigures(Input.AppendRefusedQuota q) {
        return q.storedBytes() >= 0 && q.quotaBytes() >= 0 ? " (" + q.storedBytes() + " of " + q.quotaBytes() + " bytes)" : "";
    }
}
