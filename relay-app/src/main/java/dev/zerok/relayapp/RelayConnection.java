package dev.zerok.relayapp;

import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.RelaySession;
import dev.zerok.kernel.relay.RelaySession.Action;
import dev.zerok.kernel.relay.RelaySession.Input;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoredBlob;
import dev.zerok.ports.time.Timer;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.TransportException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one device connection: transport events in, {@link SecureChannel} for the crypto, the
 * kernel's {@link RelaySession} for the protocol, and the actions it returns executed against the
 * store, the router and the channel. All work for one connection runs on its
 * {@link SerialExecutor}. Logs carry a per-process connection number only: no addresses, ids or
 * sizes.
 *
 * <p>Memory a device can make this connection hold is bounded four ways: inbound transport
 * messages waiting for the lane ({@value #LANE_HIGH_WATER_BYTES} bytes, then reading pauses);
 * requests waiting in the session (it pauses reading itself); bytes handed to the channel but
 * not yet accepted by the transport (above the frame limit the session stops producing responses
 * until they fall to a quarter of it); and, relay-wide, frames being received hold a reservation
 * in the {@link InboundBudget} from their header on (reading waits when it is spent).
 */
final class RelayConnection implements ChannelHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
    /** Inbound bytes queued on the lane at which reading pauses. */
    static final long LANE_HIGH_WATER_BYTES = 1 << 20;
    private static final long LANE_LOW_WATER_BYTES = 256 << 10;

    private final RelayRuntime runtime;
    private final long number;
    private final SerialExecutor lane;
    private final AtomicLong laneInboundBytes = new AtomicLong();
    private final AtomicLong unsentBytes = new AtomicLong();
    private final long outboundHighWaterBytes;
    private Channel channel;
    private SecureChannel secure;
    private RelaySession session;
    private DeviceId device;
    private Timer deadlineTimer;
    private Instant deadlineScheduled;
    private boolean closed;
    private boolean authenticated;
    /** Written on the lane, read by send completions on the transport's thread. */
    private volatile boolean outboundBlocked;
    /** Inputs produced while executing actions that must reach the session after the current feed. */
    private final List<Input> pendingInputs = new ArrayList<>();
    private long reservedBytes;
    /** Payload bytes of the pushes whose append runs off the lane: their budget stays held until it returns. */
    private long appendHeldBytes;
    private boolean budgetWaiting;
    // Guarded by this: who wants reading paused (the lane backlog is set from the transport's thread).
    private boolean lanePaused;
    private boolean sessionPaused;
    private boolean budgetPaused;
    private boolean readingPaused;

    /** The order in which the relay accepted this connection (1 for the first of the process). */
    long number() {
        return number;
    }

    RelayConnection(RelayRuntime runtime, long number) {
        this.runtime = runtime;
        this.number = number;
        this.lane = new SerialExecutor(runtime.executor(), this::taskFailed);
        this.outboundHighWaterBytes = runtime.limits().maxFrameBytes();
    }

    /** Called once by the acceptor, before any message. */
    void start(Channel acceptedChannel) {
        lane.execute(() -> {
            channel = acceptedChannel;
            try {
                secure = SecureChannel.responder(runtime.newResponderHandshake(), runtime.limits().maxFrameBytes());
            } catch (NoiseException e) {
                LOG.warn("connection {}: cannot start handshake: {}", number, e.code());
                closeNow();
                return;
            }
            secure.inboundFrameLimit(RelayLimits.HELLO_FRAME_BYTES);
            secure.rekeyPolicy(runtime.rekeyPolicy());
            session = new RelaySession(runtime.limits(), runtime.verifier(), runtime.limiter(), runtime.clock().now());
            rescheduleDeadline();
            LOG.debug("connection {}: accepted", number);
        });
    }

    /** Queues a kernel input (used by the router, by device supersession and by shutdown). */
    void enqueue(Input input) {
        lane.execute(() -> feed(input));
    }

    @Override
    public void onMessage(byte[] message) {
        if (laneInboundBytes.addAndGet(message.length) >= LANE_HIGH_WATER_BYTES) {
            pauseFor(Pauser.LANE, true);
        }
        lane.execute(() -> {
            if (laneInboundBytes.addAndGet(-message.length) < LANE_LOW_WATER_BYTES) {
                pauseFor(Pauser.LANE, false);
            }
            onTransportMessage(message);
        });
    }

    @Override
    public void onClosed(Optional<TransportException> cause) {
        lane.execute(() -> {
            LOG.debug("connection {}: transport closed ({})", number, cause.map(c -> c.code().name()).orElse("orderly"));
            feed(new Input.TransportClosed());
            closeNow();
        });
    }

    private void onTransportMessage(byte[] message) {
        if (closed || session == null) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = secure.receive(message);
        } catch (NoiseException e) {
            LOG.debug("connection {}: noise failure {}", number, e.code());
            runtime.metrics().errors.inc();
            closeNow();
            return;
        } catch (ProtocolException e) {
            runtime.metrics().errors.inc();
            feed(new Input.ProtocolViolation("malformed frame or message: " + e.code()));
            return;
        }
        for (byte[] out : received.toSend()) {
            send(out);
        }
        if (!received.handshakeCompleted() && !secure.isEstablished()) {
            feed(new Input.HandshakeProgress()); // msg1 read and answered: the handshake deadline is per step
        }
        if (received.handshakeCompleted()) {
            device = StaticIdentity.deviceId(runtime.sha256(), secure.remoteStatic());
            feed(new Input.HandshakeCompleted(device, secure.handshakeHash()));
        }
        for (Message m : received.messages()) {
            if (m instanceof Message.Push push) {
                runtime.metrics().bytesReceived.inc(push.payloadBytes());
            }
        }
        if (!received.messages().isEmpty()) {
            // All at once: Pushes that arrived together are stored in one transaction.
            feed(new Input.ReceivedAll(received.messages()));
        }
        if (secure.isEstablished()) {
            feed(new Input.StreamProgress(received.messages().size(), secure.bufferedInboundBytes()));
            reserveForPartialFrame();
        }
    }

    /**
     * Holds a relay-wide budget reservation for the frame being received, from its header on:
     * completed frames were processed by now and give theirs back, except that while an append
     * runs off the lane its pushes' payload bytes stay reserved; a frame that does not fit stops
     * reading until others finish ({@link InboundBudget}).
     */
    private void reserveForPartialFrame() {
        if (closed) {
            return;
        }
        long wanted = Math.max(secure.announcedInboundFrameBytes(), appendHeldBytes) * InboundBudget.COST_PER_FRAME_BYTE;
        if (wanted < reservedBytes) {
            runtime.budget().release(reservedBytes - wanted);
            reservedBytes = wanted;
        } else if (wanted > reservedBytes) {
            if (!runtime.budget().tryReserve(this, wanted - reservedBytes)) {
                if (!budgetWaiting) {
                    budgetWaiting = true;
                    runtime.metrics().budgetWaits.inc();
                    pauseFor(Pauser.BUDGET, true);
                    feed(new Input.ReadingHeld(true));
                }
                return;
            }
            reservedBytes = wanted;
        }
        if (budgetWaiting) {
            budgetWaiting = false;
            pauseFor(Pauser.BUDGET, false);
            feed(new Input.ReadingHeld(false));
        }
    }

    /** The budget may have room again: retry the reservation on the lane. */
    void budgetAvailable() {
        lane.execute(this::reserveForPartialFrame);
    }

    private void feed(Input input) {
        if (session == null || closed && session.state() == RelaySession.State.CLOSED) {
            return;
        }
        List<Input> pending = new ArrayList<>(pendingInputs);
        pendingInputs.clear();
        pending.add(input);
        while (!pending.isEmpty()) {
            session.handle(pending.remove(0), runtime.clock().now());
            for (Action action : session.drainActions()) {
                execute(action).ifPresent(pending::add);
            }
            pending.addAll(pendingInputs);
            pendingInputs.clear();
        }
        rescheduleDeadline();
    }

    /** Keeps one timer at the session's next deadline. */
    private void rescheduleDeadline() {
        Optional<Instant> next = closed ? Optional.empty() : session.nextDeadline();
        if (next.isPresent() && next.get().equals(deadlineScheduled)) {
            return;
        }
        if (deadlineTimer != null) {
            deadlineTimer.cancel();
            deadlineTimer = null;
            deadlineScheduled = null;
        }
        next.ifPresent(deadline -> {
            deadlineScheduled = deadline;
            Duration wait = Duration.between(runtime.clock().now(), deadline);
            deadlineTimer = runtime.clock().schedule(wait.isNegative() ? Duration.ZERO : wait, () -> enqueue(new Input.Tick()));
        });
    }

    /** Executes one action; store reads return the input that reports their result, appends feed theirs later ({@link #appendOffLane}). */
    private Optional<Input> execute(Action action) {
        switch (action) {
            case Action.Send send -> sendMessage(send.message());
            case Action.ReadHead read -> {
                if (!runtime.admitAuthenticated(this)) {
                    return Optional.of(new Input.SessionCapReached());
                }
                authenticated = true;
                try {
                    // Oldest first: the head only grows, so the pair read in this order always fits a Welcome.
                    Cursor oldest = runtime.store().oldestRetained(read.group(), runtime.clock().now());
                    return Optional.of(new Input.HeadRead(runtime.store().head(read.group()), oldest));
                } catch (RelayStoreException e) {
                    return Optional.of(new Input.StoreUnavailable());
                }
            }
            case Action.Append append -> appendOffLane(List.of(append), outcomes -> outcomes.get(0));
            case Action.AppendAll all -> appendOffLane(all.appends(), Input.AppendsCompleted::new);
            case Action.ReadPage read -> {
                runtime.metrics().pulls.inc();
                try {
                    Page page = runtime.store().pageAfter(read.group(), read.after(), read.maxBlobs(), read.maxBytes(),
                            runtime.clock().now());
                    List<Message.PulledBlob> blobs = new ArrayList<>();
                    for (StoredBlob b : page.blobs()) {
                        blobs.add(new Message.PulledBlob(b.cursor(), b.blob(), b.sender(), b.payload()));
                    }
                    return Optional.of(new Input.PageRead(blobs, page.hasMore(), page.withheld()));
                } catch (RelayStoreException e) {
                    return Optional.of(new Input.StoreUnavailable());
                }
            }
            case Action.JoinGroup join -> {
                runtime.router().join(join.group(), this);
                runtime.claimDevice(join.device(), this).ifPresent(loser -> loser.enqueue(new Input.Superseded()));
            }
            case Action.LeaveGroup leave -> runtime.router().leave(leave.group(), this);
            case Action.Broadcast broadcast -> {
                for (RelayConnection other : runtime.router().others(broadcast.group(), this)) {
                    other.enqueue(new Input.GroupAdvanced(broadcast.head()));
                }
            }
            case Action.AcceptFrames accept -> secure.inboundFrameLimit(accept.maxFrameBytes());
            case Action.PauseReading pause -> pauseFor(Pauser.SESSION, true);
            case Action.ResumeReading resume -> pauseFor(Pauser.SESSION, false);
            case Action.Withheld withheld -> {
                runtime.metrics().blobsWithheld.inc(withheld.count());
                LOG.warn("connection {}: skipped stored blob(s) that cannot be served (integrity check failed or "
                        + "larger than the frame limit)", number);
            }
            case Action.Close close -> closeNow();
        }
        return Optional.empty();
    }

    /**
     * Runs the store call for pushes off the lane, on the relay's executor, and feeds its result
     * back on the lane. While the transaction commits, the lane goes on reading: Pushes arriving
     * meanwhile queue in the session, which stores them together in the next transaction (group
     * commit), and the acks still leave only after the commit (the session waits for the result).
     * With a direct executor the call runs at once and the result follows the current lane task.
     */
    private void appendOffLane(List<Action.Append> appends, Function<List<Input.PushOutcome>, Input> result) {
        // The frames' budget reservation would be released after this feed, while the payloads
        // are still held by the store call: keep it until the result is in.
        appendHeldBytes = appends.stream().mapToLong(a -> a.payload().length).sum();
        Runnable call = () -> {
            Runnable next;
            try {
                Input input = result.apply(pushOutcomes(appends));
                next = () -> {
                    appendHeldBytes = 0;
                    feed(input);
                    reserveForPartialFrame();
                };
            } catch (RuntimeException e) {
                next = () -> taskFailed(e);
            }
            try {
                lane.execute(next);
            } catch (RejectedExecutionException stopped) {
                // The relay stopped its executor (shutdown drain timed out): the session is gone and
                // no ack leaves; the device pushes again and the relay answers it as a duplicate.
            }
        };
        try {
            runtime.executor().execute(call);
        } catch (RejectedExecutionException e) {
            call.run(); // the relay is shutting down its executor: finish on the lane
        }
    }

    /**
     * Stores the pushes in one {@link dev.zerok.ports.relaystore.RelayStore#appendAll} call (one
     * transaction) and maps each outcome for the session; metrics count each push.
     */
    private List<Input.PushOutcome> pushOutcomes(List<Action.Append> appends) {
        List<AppendRequest> requests = new ArrayList<>(appends.size());
        for (Action.Append a : appends) {
            requests.add(new AppendRequest(a.group(), a.sender(), a.blob(), a.payload(), a.ttl()));
        }
        runtime.metrics().pushes.inc(appends.size());
        List<AppendOutcome> outcomes = runtime.store().appendAll(requests, runtime.clock().now());
        List<Input.PushOutcome> results = new ArrayList<>(outcomes.size());
        boolean warnedFull = false;
        for (int i = 0; i < outcomes.size(); i++) {
            Action.Append append = appends.get(i);
            results.add(switch (outcomes.get(i)) {
                case AppendResult result -> {
                    if (!result.duplicate()) {
                        runtime.metrics().blobsStored.inc();
                    }
                    yield new Input.AppendCompleted(append.blob(), result.cursor(), result.duplicate());
                }
                case AppendOutcome.Refused refused -> switch (refused.code()) {
                    case QUOTA_EXCEEDED -> new Input.AppendRefusedQuota(append.blob(), false,
                            refused.failure().storedBytes().orElse(-1), refused.failure().quotaBytes().orElse(-1));
                    case CAPACITY_EXCEEDED -> {
                        runtime.metrics().capacityRefusals.inc();
                        yield new Input.AppendRefusedQuota(append.blob(), true);
                    }
                    case STORAGE_FULL -> {
                        runtime.metrics().storageFullRefusals.inc();
                        if (!warnedFull) {
                            warnedFull = true; // one line per store call, not one per push of the batch
                            // The operator must act (free space under data.dir); devices retry meanwhile.
                            LOG.warn("connection {}: {} push(es) refused: the relay store's filesystem is full "
                                    + "(STORAGE_FULL); nothing was stored; free space in the data directory", number,
                                    appends.size());
                        }
                        yield new Input.StoreUnavailable(true);
                    }
                    default -> new Input.StoreUnavailable();
                };
            });
        }
        return results;
    }

    private void sendMessage(Message message) {
        if (closed) {
            return;
        }
        if (message instanceof Message.Error error) {
            runtime.metrics().errors.inc();
            if (error.code() == ErrorCode.RATE_LIMITED) {
                runtime.metrics().rateLimitHits.inc();
            }
            LOG.debug("connection {}: refusing with {}", number, error.code());
        }
        if (message instanceof Message.PullResponse response) {
            runtime.metrics().blobsServed.inc(response.blobs().size());
            response.blobs().forEach(b -> runtime.metrics().bytesSent.inc(b.payloadBytes()));
        }
        try {
            for (byte[] out : secure.seal(message)) {
                send(out);
            }
        } catch (NoiseException e) {
            closeNow();
        }
    }

    /** Hands one transport message to the channel and accounts for it until the transport took it. */
    private void send(byte[] out) {
        long unsent = unsentBytes.addAndGet(out.length);
        // Set before the send, so that a completion racing it sees the flag and wakes the lane.
        if (unsent > outboundHighWaterBytes && !outboundBlocked && session != null) {
            outboundBlocked = true;
            pendingInputs.add(new Input.OutboundBlocked());
        }
        channel.send(out).whenComplete((ok, failure) -> {
            // Only a blocked session needs waking: no lane task per sent message otherwise.
            if (unsentBytes.addAndGet(-out.length) < outboundHighWaterBytes / 4 && outboundBlocked) {
                lane.execute(this::outboundDrained);
            }
        });
    }

    private void outboundDrained() {
        if (outboundBlocked && unsentBytes.get() < outboundHighWaterBytes / 4) {
            outboundBlocked = false;
            feed(new Input.OutboundDrained());
        }
    }

    /** Who can ask for reading to pause. */
    private enum Pauser { LANE, SESSION, BUDGET }

    /** Pauses reading while the lane backlog, the session or the budget asks for it; resumes when none does. */
    private synchronized void pauseFor(Pauser who, boolean pause) {
        switch (who) {
            case LANE -> lanePaused = pause;
            case SESSION -> sessionPaused = pause;
            case BUDGET -> budgetPaused = pause;
        }
        boolean wanted = lanePaused || sessionPaused || budgetPaused;
        if (wanted == readingPaused || channel == null) {
            return;
        }
        readingPaused = wanted;
        if (wanted) {
            channel.pauseReading();
        } else {
            channel.resumeReading();
        }
    }

    /** A task on this connection's lane threw: a bug, reported once and answered with a close. */
    private void taskFailed(Throwable e) {
        LOG.error("connection {}: internal error {}; closing the connection", number, e.getClass().getName());
        runtime.metrics().errors.inc();
        if (secure != null && secure.isEstablished() && !closed) {
            try {
                for (byte[] out : secure.seal(new Message.Error(ErrorCode.UNAVAILABLE, "internal relay error; reconnect", 1000))) {
                    send(out);
                }
            } catch (NoiseException | RuntimeException ignored) {
                // the close below is what matters
            }
        }
        closeNow();
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel();
            deadlineTimer = null;
        }
        if (secure != null) {
            secure.close();
        }
        if (channel != null) {
            channel.close();
        }
        runtime.budget().forget(this);
        runtime.budget().release(reservedBytes);
        reservedBytes = 0;
        runtime.connectionClosed(this, authenticated, device);
        if (session != null && session.state() != RelaySession.State.CLOSED) {
            session.handle(new Input.TransportClosed(), runtime.clock().now());
            for (Action action : session.drainActions()) {
                if (action instanceof Action.LeaveGroup leave) {
                    runtime.router().leave(leave.group(), this);
                }
            }
        }
    }

    /** True once the connection is closed. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "RelayConnection[" + number + "]";
    }
}
