package dev.zerok.client;

import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.RekeyPolicy;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.sync.Inbox;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.sync.SyncRunner;
import dev.zerok.kernel.sync.SyncEngine.Action;
import dev.zerok.kernel.sync.SyncEngine.Input;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncException;
import dev.zerok.kernel.sync.SyncListener;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * The device-side driver of zerok sync: it runs the kernel's sans-I/O {@link SyncEngine} against
 * real ports, through a {@link SyncRunner} that executes the engine's store calls and deliveries
 * on the lane. It executes the engine's actions on a {@link Transport} (one {@link SecureChannel}
 * per connection, the Noise handshake as initiator pinned to the relay's static key), feeds back
 * transport events, and arms one {@link Clock} timer for the engine's next deadline, so backoff,
 * connect and response timeouts are driven by real (or, in the chaos simulator, virtual) time.
 *
 * <h2>Threading</h2>
 * Every engine call runs on {@code lane}, an executor that must run tasks one at a time in
 * submission order. Production passes a single-thread executor; the deterministic chaos topology
 * passes a direct executor ({@code Runnable::run}) because its mock transport and manual clock
 * already deliver every event on the simulation thread. Public methods may be called from any
 * thread; they hand work to the lane and return futures. Listener events are delivered on the
 * lane.
 *
 * <p>Logs and exceptions from this class carry no ids, keys, addresses or sizes.
 */
public final class SyncClient implements AutoCloseable {
    private final SyncRunner engine;
    private final KeyPair deviceIdentity;
    private final Map<RelayId, Endpoint> endpoints;
    private final Transport transport;
    private final Clock clock;
    private final KeyExchange crypto;
    private final Entropy entropy;
    private final Executor lane;
    private final int maxFrameBytes;
    private final Map<Long, Connection> connections = new HashMap<>();
    private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final CompletableFuture<Boolean> closed = new CompletableFuture<>();

    /**
     * Pushes handed to {@link #push} and not yet queued: the lane takes all that wait (up to
     * {@link #MAX_PUSH_BATCH_BYTES}) into one {@link SyncRunner#pushAll}, so a burst of pushes costs
     * one outbox commit (group commit; each caller still waits for its blob to be durable).
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<QueuedPush> pushQueue =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean pushDrainPosted = new java.util.concurrent.atomic.AtomicBoolean();
    /** Messages from the transport not yet decoded: the lane hands all that wait to one {@link SyncRunner#handleAll}. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Inbound> inbound = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean inboundDrainPosted = new java.util.concurrent.atomic.AtomicBoolean();

    /** Bytes of push data one outbox commit takes at most (at least one push). */
    static final int MAX_PUSH_BATCH_BYTES = 4 << 20;
    /** Inbound messages one engine call takes at most. */
    static final int MAX_INBOUND_BATCH = 256;

    private record QueuedPush(SyncEngine.Outgoing item, CompletableFuture<BlobId> result) {}

    private record Inbound(Connection conn, byte[] message) {}

    /** Plaintext size of each blob pushed through {@link #push} since start, to count acknowledged bytes. */
    private final Map<BlobId, Integer> pushedSizes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<RelayId, Long> knownHeads = new HashMap<>();
    private final Map<RelayId, String> quotaRefusals = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong pushBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pushBytesAcknowledged = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pulledBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pulledBlobs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pullBlobsExpected = new java.util.concurrent.atomic.AtomicLong();

    private volatile RekeyPolicy rekeyPolicy = RekeyPolicy.DEFAULT;
    /** Totals of the sessions already closed; lane only. */
    private ChannelTotals closedTotals = ChannelTotals.NONE;

    private volatile SyncStatus status = SyncStatus.OFFLINE;
    private volatile VersionVector versionVector = VersionVector.EMPTY;
    private Timer timer;
    private Instant timerAt;

    /** One open or opening connection to a relay. */
    private static final class Connection {
        final RelayId relay;
        final long number;
        final SecureChannel secure;
        Channel channel;
        boolean closing;

        Connection(RelayId relay, long number, SecureChannel secure) {
            this.relay = relay;
            this.number = number;
            this.secure = secure;
        }
    }

    private record Waiter(Predicate<SyncStatus> condition, CompletableFuture<SyncStatus> future) {}

    /**
     * Bytes moved through the relays since {@link #start()}, for progress bars. Counts are
     * plaintext sizes, summed over relays (a blob pushed to two relays counts twice); the pull
     * expectation comes from the relays' heads, which an untrusted relay chooses: display only.
     *
     * @param pushBytes bytes handed to {@link #push} times the number of relays
     * @param pushBytesAcknowledged of those, bytes some relay acknowledged (each relay counted)
     * @param pulledBytes payload bytes of blobs received in pull responses
     * @param pulledBlobs blobs received in pull responses
     * @param pullBlobsExpected blobs the relays announced beyond this device's cursors (Welcome, Notify)
     */
    public record Traffic(long pushBytes, long pushBytesAcknowledged, long pulledBytes, long pulledBlobs,
            long pullBlobsExpected) {}

    /**
     * Creates a client; nothing happens until {@link #start()}.
     *
     * @param config the engine's configuration; its relay list (preference order) must be the key
     *     set of {@code endpoints}
     * @param deviceIdentity the device's persistent X25519 static key pair (not closed by the client)
     * @param groupKeys the group's keys (not closed by the client)
     * @param endpoints where each relay listens; a relay's id is its pinned 32-byte static public key
     * @param transport the transport to connect with (not closed by the client)
     * @param clock time and timers
     * @param crypto the KeyExchange port (X25519, ML-KEM-768, ChaChaPoly, SHA-256, Ed25519, XChaChaPoly)
     * @param entropy handshake ephemerals, blob ids, nonces, jitter
     * @param store the device's durable sync state (not closed by the client)
     * @param inbox receives every authenticated blob, on the lane, before its page is committed
     * @param lane runs the driver's work one task at a time, in order
     * @param maxFrameBytes the largest protocol frame accepted from a relay, in bytes (the relay's
     *     {@code limits.frame.max.bytes}; {@link FrameCodec#DEFAULT_MAX_FRAME_BYTES} by default)
     * @throws SyncException coded {@code CRYPTO_UNAVAILABLE} if {@code crypto} lacks a primitive
     * @throws IllegalArgumentException if {@code endpoints} does not match the configured relays
     */
    public SyncClient(SyncConfig config, KeyPair deviceIdentity, GroupKeys groupKeys, Map<RelayId, Endpoint> endpoints,
            Transport transport, Clock clock, KeyExchange crypto, Entropy entropy, ClientStateStore store, Inbox inbox,
            Executor lane, int maxFrameBytes) throws SyncException {
        if (!endpoints.keySet().equals(new java.util.HashSet<>(config.relays()))) {
            throw new IllegalArgumentException("every configured relay needs exactly one endpoint");
        }
        this.deviceIdentity = Objects.requireNonNull(deviceIdentity, "deviceIdentity");
        this.endpoints = Map.copyOf(endpoints);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.entropy = Objects.requireNonNull(entropy, "entropy");
        this.lane = Objects.requireNonNull(lane, "lane");
        this.maxFrameBytes = maxFrameBytes;
        this.engine = new SyncRunner(config, groupKeys, crypto, entropy, store, inbox);
        engine.addListener(this::onEngineEvent);
    }

    /** Registers a listener for every later {@link SyncEvent}; called on the lane. */
    public void addListener(SyncListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Loads the state and connects to every relay in preference order. Returns at once. */
    public void start() {
        post(() -> feed(new Input.Start()));
    }

    /**
     * Seals {@code data} and queues it in the persistent outbox for every relay.
     *
     * @param kind what the data is (application bytes, a collection manifest or a chunk)
     * @param data the bytes; the relays' frame limit minus {@link SyncEngine#PUSH_OVERHEAD_BYTES}
     *     and the sealing overhead bounds the size
     * @return completes with the blob id once the blob is durable in the outbox (it survives a
     *     crash from then on; delivery to the relays follows), or exceptionally with the engine's
     *     {@link SyncException}
     */
    public CompletableFuture<BlobId> push(SyncPayload.Kind kind, byte[] data) {
        CompletableFuture<BlobId> result = new CompletableFuture<>();
        pushQueue.add(new QueuedPush(new SyncEngine.Outgoing(kind, data.clone()), result));
        if (pushDrainPosted.compareAndSet(false, true)) {
            post(this::drainPushes);
        }
        return result;
    }

    /** Asks every relay for new blobs now and retries relays in backoff (see {@link Input.SyncRequested}). */
    public void syncNow() {
        post(() -> feed(new Input.SyncRequested()));
    }

    /**
     * Repair after local data loss: every relay is pulled again from the start and every blob
     * already received is handed to the inbox again (see {@link Input.Redeliver}).
     */
    public void redeliver() {
        post(() -> feed(new Input.Redeliver()));
    }

    /** The latest status (safe from any thread). */
    public SyncStatus status() {
        return status;
    }

    /** Bytes pushed, acknowledged and pulled so far (safe from any thread). */
    public Traffic traffic() {
        return new Traffic(pushBytes.get(), pushBytesAcknowledged.get(), pulledBytes.get(), pulledBlobs.get(),
                pullBlobsExpected.get());
    }

    /**
     * The relays that refused a push with {@code QUOTA_EXCEEDED} in their current session (the
     * engine stops pushing to such a relay until its next session), each with the relay's error
     * text: untrusted, for display only,
     * already passed through {@link SafeText#printable(String, int)} (at most 300 characters).
     * Safe from any thread.
     */
    public Map<RelayId, String> quotaRefusals() {
        return Map.copyOf(quotaRefusals);
    }

    /** The version vector as last committed (safe from any thread). */
    public VersionVector versionVector() {
        return versionVector;
    }

    /** The pull cursor of {@code relay} as last committed; read on the lane. */
    /**
     * Sets when sessions re-key ({@link RekeyPolicy#DEFAULT} unless set), for connections opened
     * from now on. The relays must use the same policy (their {@code noise.rekey.interval.*}), or
     * the first message after a re-key fails: tests only.
     */
    public void rekeyPolicy(RekeyPolicy policy) {
        this.rekeyPolicy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * What this client's Noise sessions did since {@link #start()}, summed over every session that
     * completed its handshake (open and closed), for chaos checks; no keys, ids or sizes.
     *
     * @param sessions sessions that completed their handshake
     * @param sealed transport messages sealed
     * @param opened transport messages opened
     * @param sendRekeys re-keys of the sending directions
     * @param receiveRekeys re-keys of the receiving directions
     * @param nonceMismatches sessions whose next send or receive nonce differs from their number of
     *     messages sealed or opened (a nonce skipped or used twice); 0 when sound
     */
    public record ChannelTotals(long sessions, long sealed, long opened, long sendRekeys, long receiveRekeys,
            long nonceMismatches) {
        static final ChannelTotals NONE = new ChannelTotals(0, 0, 0, 0, 0, 0);

        ChannelTotals plus(SecureChannel.Counters c) {
            boolean mismatch = c.sealed() != c.sendNonce() || c.opened() != c.receiveNonce();
            return new ChannelTotals(sessions + 1, sealed + c.sealed(), opened + c.opened(), sendRekeys + c.sendRekeys(),
                    receiveRekeys + c.receiveRekeys(), nonceMismatches + (mismatch ? 1 : 0));
        }
    }

    /** Completes with the {@link ChannelTotals} so far. */
    public CompletableFuture<ChannelTotals> channelTotals() {
        CompletableFuture<ChannelTotals> result = new CompletableFuture<>();
        post(() -> {
            ChannelTotals totals = closedTotals;
            for (Connection c : connections.values()) {
                if (c.secure.isEstablished()) {
                    totals = totals.plus(c.secure.counters());
                }
            }
            result.complete(totals);
        });
        return result;
    }

    public CompletableFuture<Cursor> pullCursor(RelayId relay) {
        CompletableFuture<Cursor> result = new CompletableFuture<>();
        post(() -> result.complete(engine.pullCursor(relay)));
        return result;
    }

    /**
     * Completes with the first status that satisfies {@code condition}: at once if the current one
     * does. Used by the CLI ("wait until synced") and by chaos scenarios.
     */
    public CompletableFuture<SyncStatus> when(Predicate<SyncStatus> condition) {
        CompletableFuture<SyncStatus> result = new CompletableFuture<>();
        post(() -> {
            if (condition.test(status)) {
                result.complete(status);
            } else {
                waiters.add(new Waiter(condition, result));
            }
        });
        return result;
    }

    /**
     * Closes with a quick flush: pending pushes go to the relays whose sessions are up until
     * {@code flushDeadline} passes, then every connection closes.
     *
     * @return completes with true if every outbox entry was acknowledged by every relay, false if
     *     the deadline came first (the entries stay in the outbox for the next start)
     */
    public CompletableFuture<Boolean> close(Duration flushDeadline) {
        post(() -> {
            if (engine.isClosed()) {
                closed.complete(true);
                return;
            }
            feed(new Input.CloseRequested(clock.now().plus(flushDeadline)));
        });
        return closed;
    }

    /**
     * Drops every connection at once without a flush or Bye, as a crash would (the outbox and
     * cursors stay as last committed). For tests and chaos scenarios; the client is unusable
     * afterwards.
     */
    public void abort() {
        post(() -> {
            cancelTimer();
            for (Connection c : connections.values()) {
                c.closing = true;
                c.secure.close();
                if (c.channel != null) {
                    c.channel.close();
                }
            }
            connections.clear();
            closed.complete(false);
        });
    }

    /** Same as {@code close(Duration.ofSeconds(2))} without waiting. */
    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** Hands {@code task} to the lane; after the lane shut down (device closed) there is nothing left to do. */
    private void post(Runnable task) {
        try {
            lane.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the owner shut the lane down: late transport events and timers are moot
        }
    }

    // ------------------------------------------------------------------ lane-only below

    private void feed(Input input) {
        engine.handle(input, clock.now());
        afterEngineCall();
    }

    /** Queues every waiting push (up to {@link #MAX_PUSH_BATCH_BYTES}) with one outbox commit. */
    private void drainPushes() {
        pushDrainPosted.set(false);
        List<QueuedPush> batch = new ArrayList<>();
        long bytes = 0;
        while (bytes < MAX_PUSH_BATCH_BYTES) {
            QueuedPush next = pushQueue.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
            bytes += next.item().data().length;
        }
        if (batch.isEmpty()) {
            return;
        }
        if (!pushQueue.isEmpty() && pushDrainPosted.compareAndSet(false, true)) {
            post(this::drainPushes);
        }
        try {
            List<BlobId> blobs = engine.pushAll(batch.stream().map(QueuedPush::item).toList(), clock.now());
            for (int i = 0; i < batch.size(); i++) {
                int size = batch.get(i).item().data().length;
                pushedSizes.put(blobs.get(i), size);
                pushBytes.addAndGet((long) size * endpoints.size());
                batch.get(i).result().complete(blobs.get(i));
            }
        } catch (SyncException | RuntimeException e) {
            batch.forEach(q -> q.result().completeExceptionally(e));
        }
        afterEngineCall();
    }

    /** Decodes every waiting transport message and hands the results to the engine in one call. */
    private void drainInbound() {
        inboundDrainPosted.set(false);
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < MAX_INBOUND_BATCH; i++) {
            Inbound next = inbound.poll();
            if (next == null) {
                break;
            }
            decode(next.conn(), next.message(), inputs);
        }
        if (!inbound.isEmpty() && inboundDrainPosted.compareAndSet(false, true)) {
            post(this::drainInbound);
        }
        if (!inputs.isEmpty()) {
            engine.handleAll(inputs, clock.now());
            afterEngineCall();
        }
    }

    private void afterEngineCall() {
        for (Action action : engine.drainActions()) {
            switch (action) {
                case Action.Connect c -> connect(c.relay(), c.connection());
                case Action.Send s -> send(s.relay(), s.connection(), s.message());
                case Action.Close c -> closeConnection(c.connection());
            }
        }
        versionVector = engine.versionVector();
        armTimer();
        if (engine.isClosed() && !closed.isDone()) {
            cancelTimer();
            closed.complete(false);
        }
    }

    private void connect(RelayId relay, long number) {
        SecureChannel secure;
        try {
            secure = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, deviceIdentity, relay.bytes()),
                    maxFrameBytes);
            secure.rekeyPolicy(rekeyPolicy);
        } catch (NoiseException e) {
            post(() -> feed(new Input.Disconnected(relay, number, "cannot start the handshake (" + e.code() + ")")));
            return;
        }
        Connection conn = new Connection(relay, number, secure);
        connections.put(number, conn);
        ChannelHandler handler = new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                inbound.add(new Inbound(conn, message));
                if (inboundDrainPosted.compareAndSet(false, true)) {
                    post(SyncClient.this::drainInbound);
                }
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {
                post(() -> lost(conn, cause.map(e -> "transport " + e.code().name().toLowerCase()).orElse(
                        "closed by the relay")));
            }
        };
        CompletableFuture<Channel> opening;
        try {
            opening = transport.connect(endpoints.get(relay), handler).toCompletableFuture();
        } catch (RuntimeException e) {
            post(() -> lost(conn, "connect failed"));
            return;
        }
        opening.whenComplete((channel, failure) -> post(() -> {
            if (failure != null) {
                lost(conn, describe(failure));
                return;
            }
            if (conn.closing || connections.get(number) != conn) {
                channel.close();
                return;
            }
            conn.channel = channel;
            feed(new Input.TransportConnected(relay, number));
            try {
                for (byte[] m : secure.start()) {
                    channel.send(m);
                }
            } catch (NoiseException e) {
                fail(conn, "handshake failed (" + e.code() + ")");
            }
        }));
    }

    /**
     * Decodes one transport message of {@code conn} and adds the engine inputs it yields to
     * {@code inputs}. A connection that fails here is failed at once, after the inputs gathered
     * before it are handled (so the engine sees every event in order).
     */
    private void decode(Connection conn, byte[] message, List<Input> inputs) {
        if (conn.closing || connections.get(conn.number) != conn) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = conn.secure.receive(message);
        } catch (NoiseException e) {
            failAfter(inputs, conn, "secure channel failed (" + e.code() + ")");
            return;
        } catch (ProtocolException e) {
            failAfter(inputs, conn, "relay sent a malformed frame (" + e.code() + ")");
            return;
        }
        for (byte[] out : received.toSend()) {
            conn.channel.send(out);
        }
        if (received.handshakeCompleted()) {
            inputs.add(new Input.HandshakeCompleted(conn.relay, conn.number, conn.secure.handshakeHash()));
        }
        for (Message m : received.messages()) {
            count(conn.relay, m);
            inputs.add(new Input.Received(conn.relay, conn.number, m));
        }
    }

    private void failAfter(List<Input> inputs, Connection conn, String cause) {
        if (!inputs.isEmpty()) {
            engine.handleAll(List.copyOf(inputs), clock.now());
            inputs.clear();
            afterEngineCall();
        }
        fail(conn, cause);
    }

    /** Traffic and quota bookkeeping for {@link #traffic()} and {@link #quotaRefusals()}; never affects sync. */
    private void count(RelayId relay, Message m) {
        switch (m) {
            case Message.Welcome w -> {
                quotaRefusals.remove(relay); // a new session: the engine tries pushes to this relay again
                knownHeads.put(relay, w.head().value());
                long behind = w.head().value() - engine.pullCursor(relay).value();
                if (behind > 0) {
                    pullBlobsExpected.addAndGet(behind);
                }
            }
            case Message.Notify n -> {
                Long known = knownHeads.get(relay);
                if (known != null && n.head().value() > known) {
                    pullBlobsExpected.addAndGet(n.head().value() - known);
                    knownHeads.put(relay, n.head().value());
                }
            }
            case Message.PullResponse p -> {
                long bytes = 0;
                for (Message.PulledBlob b : p.blobs()) {
                    bytes += b.payload().length;
                }
                pulledBytes.addAndGet(bytes);
                pulledBlobs.addAndGet(p.blobs().size());
            }
            case Message.Error e when e.code() == ErrorCode.QUOTA_EXCEEDED ->
                    quotaRefusals.put(relay, SafeText.printable(e.detail(), 300));
            default -> { }
        }
    }

    private void send(RelayId relay, long number, Message message) {
        Connection conn = connections.get(number);
        if (conn == null || conn.channel == null || conn.closing) {
            return;
        }
        try {
            for (byte[] m : conn.secure.seal(message)) {
                conn.channel.send(m);
            }
        } catch (NoiseException e) {
            fail(conn, "sealing failed (" + e.code() + ")");
        }
    }

    private void closeConnection(long number) {
        Connection conn = connections.remove(number);
        if (conn != null) {
            conn.closing = true;
            if (conn.channel != null) {
                conn.channel.close();
            }
            if (conn.secure.isEstablished()) {
                closedTotals = closedTotals.plus(conn.secure.counters());
            }
            conn.secure.close();
        }
    }

    /** A local failure: close the channel and tell the engine. */
    private void fail(Connection conn, String cause) {
        closeConnection(conn.number);
        feed(new Input.Disconnected(conn.relay, conn.number, cause));
    }

    /** The transport reported the connection gone. */
    private void lost(Connection conn, String cause) {
        if (connections.get(conn.number) != conn) {
            return; // already closed on purpose
        }
        closeConnection(conn.number);
        feed(new Input.Disconnected(conn.relay, conn.number, cause));
    }

    private static String describe(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return t instanceof TransportException te ? "connect " + te.code().name().toLowerCase() : "connect failed";
    }

    private void armTimer() {
        Optional<Instant> next = engine.nextDeadline();
        if (next.isEmpty()) {
            cancelTimer();
            return;
        }
        Instant at = next.get();
        if (timer != null && at.equals(timerAt)) {
            return;
        }
        cancelTimer();
        Duration delay = Duration.between(clock.now(), at);
        timerAt = at;
        timer = clock.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> post(() -> {
            timer = null;
            timerAt = null;
            feed(new Input.Tick());
        }));
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
            timerAt = null;
        }
    }

    private void onEngineEvent(SyncEvent event) {
        if (event instanceof SyncEvent.Acknowledged ack) {
            Integer size = pushedSizes.get(ack.blob());
            if (size != null) {
                pushBytesAcknowledged.addAndGet(size);
            }
        }
        if (event instanceof SyncEvent.StatusChanged changed) {
            status = changed.status();
            List<Waiter> done = new ArrayList<>();
            for (Waiter w : waiters) {
                if (w.condition().test(status)) {
                    done.add(w);
                }
            }
            waiters.removeAll(done);
            done.forEach(w -> w.future().complete(status));
        }
        if (event instanceof SyncEvent.Closed c) {
            cancelTimer();
            closed.complete(c.flushed());
        }
        for (SyncListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                // a faulty listener must not stop sync (same contract as the engine's)
            }
        }
    }
}
