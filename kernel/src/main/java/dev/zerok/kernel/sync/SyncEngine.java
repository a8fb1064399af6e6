package dev.zerok.kernel.sync;

import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.content.SealingException;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.ports.clientstate.Acknowledgement;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The device side of zerok sync, as a sans-I/O state machine over every configured relay: events
 * in ({@link #handle}), transport actions out ({@link #drainActions}), time passed in, timers
 * requested through {@link #nextDeadline}. Implements zerok issue 4 items 1 and 2 and the
 * multi-relay behaviour of seed 000 section 4.4 (MR-1..MR-5).
 *
 * <h2>What the driver does</h2>
 * The driver (cli-app, the chaos simulator) owns sockets, the {@code SecureChannel} of each
 * connection, threads and timers. It executes {@link Action.Connect} (open a transport connection
 * to the relay whose pinned static key is the {@link RelayId}, run the Noise handshake as
 * initiator), {@link Action.Send} and {@link Action.Close}, and feeds back
 * {@link Input.TransportConnected}, {@link Input.HandshakeCompleted} (with the handshake hash),
 * every decoded {@link Input.Received} message and {@link Input.Disconnected} (a failed connect,
 * a failed handshake, a closed connection). It feeds {@link Input.Tick} when
 * {@link #nextDeadline()} passes. Every relay input names the connection number of the
 * {@code Connect} it answers; inputs about an older connection are ignored.
 *
 * <h2>Design choice: the store is called directly</h2>
 * The engine calls the {@link ClientStateStore} port synchronously instead of emitting store
 * actions and waiting for result inputs. Sync needs many small reads (outbox per relay, known
 * blob ids, held sequence numbers) interleaved with protocol decisions; as actions each would add
 * a state and an input, for no gain in testability (tests use an in-memory fake store). The store
 * is a port, so the kernel still does no I/O of its own. Likewise the application receives blobs
 * through the synchronous {@link Inbox} <em>before</em> each page is committed (at-least-once
 * delivery; {@link Inbox#flush} once per page), and status and reports go to
 * {@link SyncListener}s, called synchronously.
 *
 * <h2>Batching</h2>
 * Each store write is one transaction (one fsync), so the engine writes in batches where the
 * driver lets it: {@link #pushAll} queues many blobs with one write, {@link #handleAll} records
 * the PushAcks among many inputs with one write, and a pulled page is one write. A driver that
 * drains whatever waits in its queues into these calls gets group commit for free: the slower the
 * disk, the larger the batches. Pushes to one relay are pipelined up to
 * {@link SyncConfig#maxPushesInFlight} and {@link #PUSH_WINDOW_BYTES}.
 *
 * <h2>Relays</h2>
 * Every relay is connected at start, in preference order, and kept connected: a push is queued in
 * the persistent outbox for every relay and pushed to each as soon as its session is up
 * (fan-out); each relay is pulled from its own cursor (per-relay cursors) and a blob already
 * received through another relay is skipped by blob id. A relay whose connect fails simply waits
 * in backoff while the others carry on (failover: MR-1, MR-2); when it comes back it receives the
 * outbox entries it missed and is pulled from its cursor (convergence: MR-4). When every relay has
 * failed the engine reports {@link SyncEvent.AllRelaysFailed} and status FAILED and keeps
 * retrying on the backoff schedule (MR-3). A slow relay delays only its own acknowledgements
 * (MR-5). An explicit operation ({@link #push}, {@link Input.SyncRequested}) retries relays in
 * backoff at once if they have waited at least {@link Backoff#BASE}.
 *
 * <h2>Sequence numbers and the version vector</h2>
 * Each blob this device seals carries the next sender sequence number (the device's own entry of
 * the version vector plus one), stored with the outbox entry in one transaction. For every other
 * sender the version vector holds the contiguous high-water mark: the highest {@code n} such that
 * sequences {@code 1..n} were all received. A pulled blob whose id is not yet received and whose
 * sequence is at or below the mark is a replay or rollback and is recorded FAILED. A blob above
 * {@code mark + 1} (a gap: reordered or still missing) is delivered and recorded RECEIVED but
 * <em>held</em>: the mark does not move until the gap fills, then it jumps over every held
 * sequence at once. Held sequences are the store's RECEIVED entries above the mark
 * ({@link ClientStateStore#received}), read once per sender and kept in memory afterwards, so
 * holding survives a restart. A different blob claiming a held sequence is recorded FAILED.
 *
 * <h2>Blobs that expired before this device pulled them</h2>
 * Relays keep blobs for a TTL. Each Welcome says where the relay's log is still complete
 * ({@link Message.Welcome#oldestCursor()}); when it is after this device's committed cursor for
 * that relay plus one, blobs expired unseen and the engine reports
 * {@link SyncEvent.MissedExpired} once for that Welcome. Sync goes on from the cursor as usual:
 * the relay serves the retained blobs after it and skips the expired ones, so a cursor gap is
 * never an error.
 *
 * <h2>Failures are never silent</h2>
 * A blob that does not open (altered, truncated, moved between groups/ids/senders), whose
 * payload does not parse, or whose sequence number is a replay is committed as a FAILED index
 * entry in the same transaction that moves the cursor past it, and reported as
 * {@link SyncEvent.BlobFailed}. If the store or the inbox fails, nothing of the page is
 * committed: the session is closed and the page pulled again after the backoff.
 *
 * <p>Not thread-safe: one driver thread calls every method.
 */
public final class SyncEngine {
    /**
     * Frame bytes a blob costs besides its payload, at most: the larger of its Push envelope and
     * its envelope as the only entry of a PullResponse ({@link MessageCodec#maxBlobPayloadBytes}).
     * A payload larger than the relay's frame limit minus this is never sent to that relay, since
     * the relay could not serve it back.
     */
    public static final int PUSH_OVERHEAD_BYTES = (int) (FrameCodec.DEFAULT_MAX_FRAME_BYTES
            - MessageCodec.maxBlobPayloadBytes(FrameCodec.DEFAULT_MAX_FRAME_BYTES));

    /**
     * Payload bytes of unanswered pushes to one relay, at most: the window stops at the first push
     * that reaches it (a single push may be larger). With {@link SyncConfig#maxPushesInFlight} it
     * bounds the payloads read from the outbox and held by the relay's receive path at once.
     */
    public static final long PUSH_WINDOW_BYTES = 8L << 20;

    /** Outbox entries read per store call while filling a push window. */
    private static final int PUMP_READ_SLICE = 16;

    /** Events the driver feeds in. */
    public sealed interface Input {
        /** Load the state from the store and connect to every relay, in preference order. */
        record Start() implements Input {}

        /** The transport connection of {@link Action.Connect} {@code connection} is open; the Noise handshake starts. */
        record TransportConnected(RelayId relay, long connection) implements Input {}

        /**
         * The Noise handshake of {@code connection} completed.
         *
         * @param handshakeHash the 32-byte Noise handshake hash, which the membership proof signs
         */
        record HandshakeCompleted(RelayId relay, long connection, byte[] handshakeHash) implements Input {
            public HandshakeCompleted {
                handshakeHash = handshakeHash.clone();
            }

            @Override
            public byte[] handshakeHash() {
                return handshakeHash.clone();
            }
        }

        /** One decoded message from the relay on {@code connection}. */
        record Received(RelayId relay, long connection, Message message) implements Input {}

        /**
         * The connection failed or closed: connect refused or timed out, handshake failed, stream
         * reset, decoding failed.
         *
         * @param cause what happened, for the user; no ids or addresses
         */
        record Disconnected(RelayId relay, long connection, String cause) implements Input {}

        /** Time passed; check deadlines. */
        record Tick() implements Input {}

        /** The user asked to sync now: retry relays in backoff (after {@link Backoff#BASE}) and pull. */
        record SyncRequested() implements Input {}

        /**
         * Repair after local data loss (a stored chunk found damaged on disk): pull every relay
         * again from the start up to its committed cursor and hand every blob already RECEIVED to
         * the inbox again, verified as on first delivery (this device's own blobs included, since
         * the relays hold them too). Cursors, the version vector and the index do not change; the
         * normal pull goes first. The pass resumes after a reconnect and ends per relay at its
         * committed cursor.
         */
        record Redeliver() implements Input {}

        /**
         * Close with a quick flush: push what is pending on the sessions that are up (or coming
         * up), then say Bye and close each; at {@code deadline} close whatever is left. Ends with
         * {@link SyncEvent.Closed}.
         */
        record CloseRequested(Instant deadline) implements Input {}
    }

    /** What the driver must do. */
    public sealed interface Action {
        /** Open connection number {@code connection} to {@code relay} and run the Noise handshake as initiator. */
        record Connect(RelayId relay, long connection) implements Action {}

        /** Send {@code message} on {@code connection} (through its SecureChannel). */
        record Send(RelayId relay, long connection, Message message) implements Action {}

        /** Close {@code connection} after the sends queued before this action. */
        record Close(RelayId relay, long connection) implements Action {}
    }

    private final SyncConfig config;
    private final GroupKeys keys;
    private final Signer ed25519;
    private final BlobSealer sealer;
    private final Entropy entropy;
    private final ClientStateStore store;
    private final Inbox inbox;
    private final List<SyncListener> listeners = new ArrayList<>();
    private final LinkedHashMap<RelayId, RelayConnection> relays = new LinkedHashMap<>();
    private final Map<RelayId, Cursor> cursors = new HashMap<>();
    private final Map<DeviceId, TreeMap<Long, BlobId>> held = new HashMap<>();
    /** Relays with a redelivery pass under way, and the cursor the pass has reached. */
    private final Map<RelayId, Cursor> redeliveries = new HashMap<>();
    private final List<Action> actions = new ArrayList<>();
    /** Acknowledgements taken off the push window but not yet recorded in the store (see {@link #handleAll}). */
    private final List<Acknowledgement> unrecordedAcks = new ArrayList<>();
    /** True inside {@link #handleAll}: acknowledgements wait for one store write at its end. */
    private boolean batching;

    private VersionVector vector = VersionVector.EMPTY;
    private long nextConnection = 1;
    private boolean started;
    private boolean closing;
    private boolean closed;
    private Instant closeDeadline;
    private boolean allFailedLatched;
    private Optional<String> localFailure = Optional.empty();
    private SyncStatus status = SyncStatus.OFFLINE;

    /**
     * Creates an engine; it does nothing until {@link Input.Start}.
     *
     * @param config device, relays and limits
     * @param groupKeys the group's keys: the signing key for the membership proof, the group id,
     *     the content key for sealing; the engine does not close them
     * @param crypto supplies Ed25519, XChaChaPoly and SHA256
     * @param entropy blob ids, nonces and backoff jitter
     * @param store the device's durable sync state
     * @param inbox where received blobs go
     * @throws SyncException coded {@code CRYPTO_UNAVAILABLE} if {@code crypto} lacks a primitive
     */
    public SyncEngine(SyncConfig config, GroupKeys groupKeys, KeyExchange crypto, Entropy entropy, ClientStateStore store,
            Inbox inbox) throws SyncException {
        this.config = Objects.requireNonNull(config, "config");
        this.keys = Objects.requireNonNull(groupKeys, "groupKeys");
        this.entropy = Objects.requireNonNull(entropy, "entropy");
        this.store = Objects.requireNonNull(store, "store");
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        try {
            this.ed25519 = crypto.signer("Ed25519");
            this.sealer = BlobSealer.create(crypto, entropy);
        } catch (CryptoException | SealingException e) {
            throw new SyncException(SyncException.Code.CRYPTO_UNAVAILABLE, "the crypto adapter lacks a primitive sync needs", e);
        }
        for (RelayId relay : config.relays()) {
            relays.put(relay, new RelayConnection(relay));
            cursors.put(relay, Cursor.ZERO);
        }
    }

    /** Registers a listener; it receives every later event. */
    public void addListener(SyncListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The current sync status. */
    public SyncStatus status() {
        return status;
    }

    /** The connection to {@code relay}. @throws IllegalArgumentException if it is not configured */
    public RelayConnection relay(RelayId relay) {
        RelayConnection r = relays.get(relay);
        if (r == null) {
            throw new IllegalArgumentException("relay is not configured");
        }
        return r;
    }

    /** The pull cursor of {@code relay} as last committed (loaded at start). */
    public Cursor pullCursor(RelayId relay) {
        relay(relay);
        return cursors.get(relay);
    }

    /** The version vector as last committed, including this device's own entry. */
    public VersionVector versionVector() {
        return vector;
    }

    /** True once a requested close finished. */
    public boolean isClosed() {
        return closed;
    }

    /** Returns and forgets the actions produced so far, in order. */
    public List<Action> drainActions() {
        List<Action> out = List.copyOf(actions);
        actions.clear();
        return out;
    }

    /**
     * When the engine wants a {@link Input.Tick}: the earliest connect deadline, backoff retry,
     * response deadline, rate-limit pause end or close deadline; empty if nothing is timed.
     */
    public Optional<Instant> nextDeadline() {
        Instant earliest = null;
        for (RelayConnection r : relays.values()) {
            switch (r.state()) {
                case CONNECTING, HANDSHAKING -> earliest = min(earliest, r.deadline().orElse(null));
                case RECONNECTING -> earliest = closing ? earliest : min(earliest, r.deadline().orElse(null));
                case CONNECTED -> {
                    earliest = min(earliest, r.pausedUntil.orElse(null));
                    RelayConnection.Request oldest = r.outstanding.peekFirst();
                    if (oldest != null) {
                        earliest = min(earliest, answerDue(r, oldest));
                    } else if (r.pausedUntil.isEmpty() && !closing) {
                        earliest = min(earliest, r.lastReceived.plus(config.keepAlive()));
                    }
                }
                case DISCONNECTED, CLOSED -> { }
            }
        }
        if (closing && !closed) {
            earliest = min(earliest, closeDeadline);
        }
        return Optional.ofNullable(earliest);
    }

    /** Consumes one event at {@code now}. */
    public void handle(Input input, Instant now) {
        switch (input) {
            case Input.Start s -> start(now);
            case Input.TransportConnected c -> {
                RelayConnection r = current(c.relay(), c.connection());
                if (r != null && r.state() == RelayConnection.State.CONNECTING) {
                    r.transportConnected();
                    r.handshakeProgress(now, config.connectTimeout(), "handshake message 2");
                }
            }
            case Input.HandshakeCompleted h -> {
                RelayConnection r = current(h.relay(), h.connection());
                if (r != null) {
                    onHandshakeCompleted(r, h.handshakeHash(), now);
                }
            }
            case Input.Received m -> {
                RelayConnection r = current(m.relay(), m.connection());
                if (r != null) {
                    r.lastReceived = now;
                    onMessage(r, m.message(), now);
                }
            }
            case Input.Disconnected d -> {
                RelayConnection r = current(d.relay(), d.connection());
                if (r != null) {
                    fail(r, "connection lost: " + d.cause(), now, Duration.ZERO);
                }
            }
            case Input.Tick t -> { }
            case Input.SyncRequested s -> {
                if (started && !closing) {
                    kick(now);
                    for (RelayConnection r : relays.values()) {
                        if (r.state() == RelayConnection.State.CONNECTED && !r.pullInFlight) {
                            r.hasMore = true; // ask even if no Notify said the head moved
                        } else if (r.pullInFlight) {
                            r.syncRequestedDuringPull = true; // its answer may predate the request
                        }
                        maybePull(r, now);
                    }
                }
            }
            case Input.Redeliver rd -> {
                if (started && !closing) {
                    for (RelayConnection r : relays.values()) {
                        redeliveries.put(r.relay(), Cursor.ZERO);
                    }
                    kick(now);
                    relays.values().forEach(r -> maybePull(r, now));
                }
            }
            case Input.CloseRequested c -> beginClose(c.deadline());
        }
        checkDeadlines(now);
        maybeFinishClose(now);
        checkAllFailed();
        updateStatus();
    }

    /**
     * Consumes several events at {@code now}, in order, with the same outcome as one
     * {@link #handle} per event, but the PushAcks among them are recorded in the store with one
     * write ({@link ClientStateStore#acknowledgeAll}) instead of one each, and the push window is
     * refilled once. A driver that drains its queued inputs at once uses this to batch commits.
     * Nothing waits on the batch: every acknowledgement is recorded before this returns, and
     * before the outbox is read for the next pushes.
     *
     * @param inputs zero or more events, handled in list order
     */
    public void handleAll(List<Input> inputs, Instant now) {
        batching = true;
        try {
            for (Input input : inputs) {
                handle(input, now);
            }
        } finally {
            batching = false;
        }
        recordAcknowledgements(now);
        checkAllFailed();
        updateStatus();
    }

    /**
     * Pushes application bytes: the same as {@link #push(SyncPayload.Kind, byte[], Instant)} with
     * kind {@link SyncPayload.Kind#DATA}.
     *
     * @param data the application bytes (any length the relays' frame limit allows)
     * @param now when the blob was created (stored with the outbox entry)
     * @return the new blob's id (16 random bytes from the Entropy port)
     * @throws SyncException as {@link #push(SyncPayload.Kind, byte[], Instant)}
     */
    public BlobId push(byte[] data, Instant now) throws SyncException {
        return push(SyncPayload.Kind.DATA, data, now);
    }

    /**
     * Seals {@code data} of the given kind with the next sender sequence number and queues it in
     * the persistent outbox for every relay; it is pushed to each relay whose session is up, now or
     * later (after a restart too). When this returns, the blob survives a crash. Receivers get the
     * kind back in {@link DeliveredBlob#kind()}. The engine does not look inside {@code data}: a
     * COLLECTION's manifest or a CHUNK's sealed bytes are the caller's to build and check.
     *
     * @param kind what {@code data} is
     * @param data the bytes (any length the relays' frame limit allows, less the
     *     {@value SyncPayload#HEADER_BYTES}-byte payload header and the blob sealing overhead)
     * @param now when the blob was created (stored with the outbox entry)
     * @return the new blob's id (16 random bytes from the Entropy port)
     * @throws SyncException coded {@code NOT_STARTED} before {@link Input.Start} succeeded,
     *     {@code CLOSED} after a close was requested, {@code CRYPTO_UNAVAILABLE} if sealing
     *     failed, {@code STORE_FAILED} if the outbox could not be written (nothing was queued)
     */
    public BlobId push(SyncPayload.Kind kind, byte[] data, Instant now) throws SyncException {
        return pushAll(List.of(new Outgoing(kind, data)), now).get(0);
    }

    /**
     * One blob for {@link #pushAll}: what it is and its bytes.
     *
     * @param kind what {@code data} is
     * @param data the bytes, as {@link #push(SyncPayload.Kind, byte[], Instant)} takes them
     */
    public record Outgoing(SyncPayload.Kind kind, byte[] data) {
        public Outgoing {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public String toString() {
            return "Outgoing[" + kind + ", " + data.length + " bytes]";
        }
    }

    /**
     * Seals several blobs with consecutive sender sequence numbers, in list order, and queues them
     * in the persistent outbox for every relay with <b>one</b> store write
     * ({@link ClientStateStore#enqueueAll}); otherwise as
     * {@link #push(SyncPayload.Kind, byte[], Instant)}. They are pushed in list order. When this
     * returns, every blob survives a crash; when it throws, none was queued.
     *
     * @param items one or more blobs
     * @param now when the blobs were created (stored with the outbox entries)
     * @return the new blob ids, in the order of {@code items}
     * @throws SyncException as {@link #push(SyncPayload.Kind, byte[], Instant)}
     * @throws IllegalArgumentException if {@code items} is empty
     */
    public List<BlobId> pushAll(List<Outgoing> items, Instant now) throws SyncException {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("pushAll needs at least one blob");
        }
        if (!started) {
            throw new SyncException(SyncException.Code.NOT_STARTED, "start the sync engine before pushing");
        }
        if (closing || closed) {
            throw new SyncException(SyncException.Code.CLOSED, "the sync engine is closing; push after the next start");
        }
        DeviceId self = config.device();
        long sequence = vector.get(self);
        List<OutboxEntry> entries = new ArrayList<>(items.size());
        List<BlobId> blobs = new ArrayList<>(items.size());
        for (Outgoing item : items) {
            sequence++;
            BlobId blob = new BlobId(entropy.bytes(BlobId.LENGTH));
            byte[] plaintext = new SyncPayload(item.kind(), sequence, item.data()).encode();
            try {
                BlobSealer.Sealed sealed = sealer.seal(keys.contentKey(), keys.groupId(), blob, self, plaintext);
                entries.add(new OutboxEntry(blob, sealed.bytes(), now, config.pushTtl()));
            } catch (SealingException e) {
                throw new SyncException(SyncException.Code.CRYPTO_UNAVAILABLE, "sealing the blob failed", e);
            } finally {
                Arrays.fill(plaintext, (byte) 0);
            }
            blobs.add(blob);
        }
        VersionVector next = vector.with(self, sequence);
        try {
            store.enqueueAll(entries, config.relays(), next);
        } catch (ClientStateException e) {
            throw new SyncException(SyncException.Code.STORE_FAILED, "the outbox could not be written; nothing was queued", e);
        }
        vector = next;
        kick(now);
        relays.values().forEach(r -> pump(r, now));
        checkAllFailed();
        updateStatus();
        return List.copyOf(blobs);
    }

    // ---------------------------------------------------------------- lifecycle

    private void start(Instant now) {
        if (started) {
            return;
        }
        try {
            vector = store.versionVector();
            for (RelayId relay : config.relays()) {
                cursors.put(relay, store.pullCursor(relay));
            }
        } catch (ClientStateException e) {
            localFailure = Optional.of("the state store could not be read (" + e.code() + "); start again");
            return;
        }
        started = true;
        localFailure = Optional.empty();
        for (RelayConnection r : relays.values()) {
            connect(r, now);
        }
    }

    private void connect(RelayConnection r, Instant now) {
        r.startAttempt(nextConnection++, now, config.connectTimeout());
        actions.add(new Action.Connect(r.relay(), r.connection()));
    }

    private void kick(Instant now) {
        if (closing) {
            return;
        }
        for (RelayConnection r : relays.values()) {
            Optional<Instant> failedAt = r.failedAt();
            if (failedAt.isPresent() && !now.isBefore(failedAt.get().plus(Backoff.BASE))) {
                connect(r, now);
            }
        }
    }

    private RelayConnection current(RelayId relay, long connection) {
        RelayConnection r = relays.get(relay);
        return r != null && r.connection() == connection && r.isLive() ? r : null;
    }

    /** Ends the session and schedules the next attempt (or closes for good while closing). */
    private void fail(RelayConnection r, String cause, Instant now, Duration minDelay) {
        if (!r.isLive()) {
            return;
        }
        actions.add(new Action.Close(r.relay(), r.connection()));
        if (closing) {
            r.closed(cause);
            return;
        }
        Duration delay = Backoff.delay(r.consecutiveFailures() + 1, Backoff.jitter(entropy));
        if (minDelay.compareTo(delay) > 0) {
            delay = minDelay;
        }
        r.failed(cause, now, delay);
        emit(new SyncEvent.RelayWarning(r.relay(), cause + "; retrying in " + delay.toMillis() + " ms"
                + (anyConnected() ? " while the other relays carry on" : "")));
    }

    /** The relay refused this device for good (membership, identity, version): no retries. */
    private void refuse(RelayConnection r, String cause) {
        if (r.isLive()) {
            actions.add(new Action.Close(r.relay(), r.connection()));
        }
        if (r.state() != RelayConnection.State.CLOSED) {
            r.closed(cause);
        }
        emit(new SyncEvent.RelayWarning(r.relay(), cause + "; this relay will not be retried"));
    }

    private void violation(RelayConnection r, String what, Instant now) {
        fail(r, "protocol violation by the relay: " + what, now, Duration.ZERO);
    }

    private void checkDeadlines(Instant now) {
        for (RelayConnection r : relays.values()) {
            switch (r.state()) {
                case CONNECTING, HANDSHAKING -> {
                    if (r.deadline().isPresent() && !now.isBefore(r.deadline().get())) {
                        fail(r, r.atHandshakeCap() ? "handshake not done within " + config.connectTimeout()
                                .multipliedBy(SyncConfig.HANDSHAKE_CAP_FACTOR).toMillis() + " ms of Connect (no "
                                + r.awaiting() + " yet)" : "no " + r.awaiting() + " within " + stepMillis(r) + " ms of the "
                                + "previous handshake step", now, Duration.ZERO);
                    }
                }
                case CONNECTED -> {
                    if (r.pausedUntil.isPresent() && !now.isBefore(r.pausedUntil.get())) {
                        r.pausedUntil = Optional.empty();
                        pump(r, now);
                        maybePull(r, now);
                    }
                    RelayConnection.Request oldest = r.outstanding.peekFirst();
                    if (oldest != null && !now.isBefore(answerDue(r, oldest))) {
                        fail(r, "no answer within " + config.responseTimeout().toMillis() + " ms", now, Duration.ZERO);
                    } else if (oldest == null && !closing && r.pausedUntil.isEmpty()
                            && !now.isBefore(r.lastReceived.plus(config.keepAlive()))) {
                        keepAlive(r, now);
                    }
                }
                case RECONNECTING -> {
                    if (!closing && r.deadline().isPresent() && !now.isBefore(r.deadline().get())) {
                        connect(r, now);
                    }
                }
                case DISCONNECTED, CLOSED -> { }
            }
        }
    }

    /**
     * When the oldest outstanding request must have been answered: {@code responseTimeout} after it
     * was sent or after the relay's last message, whichever is later. The relay answers in order,
     * so a request queued behind others (eight 1 MiB pushes in flight on a slow link) waits for their
     * answers first; while answers keep coming the session is alive.
     */
    private Instant answerDue(RelayConnection r, RelayConnection.Request oldest) {
        Instant from = r.lastReceived.isAfter(oldest.sentAt()) ? r.lastReceived : oldest.sentAt();
        return from.plus(config.responseTimeout());
    }

    private long stepMillis(RelayConnection r) {
        return r.state() == RelayConnection.State.CONNECTING
                ? config.connectTimeout().multipliedBy(SyncConfig.TRANSPORT_CONNECT_ROUND_TRIPS).toMillis()
                : config.connectTimeout().toMillis();
    }

    private void checkAllFailed() {
        if (!started || closing || allFailedLatched) {
            return;
        }
        boolean allFailed = relays.values().stream().allMatch(r -> r.everFailed()
                && (r.state() == RelayConnection.State.RECONNECTING || r.state() == RelayConnection.State.CLOSED));
        if (allFailed) {
            allFailedLatched = true;
            emit(new SyncEvent.AllRelaysFailed(relays.values().stream().map(RelayConnection::lastFailure).toList()));
        }
    }

    // ---------------------------------------------------------------- session

    private void onHandshakeCompleted(RelayConnection r, byte[] handshakeHash, Instant now) {
        if (r.state() == RelayConnection.State.CONNECTING) {
            r.transportConnected(); // a driver may report only the handshake
        }
        if (r.state() != RelayConnection.State.HANDSHAKING || r.helloSent) {
            violation(r, "the handshake completed twice", now);
            return;
        }
        r.handshakeProgress(now, config.connectTimeout(), "Welcome");
        MembershipProof proof;
        try {
            proof = MembershipProof.create(ed25519, keys.signingKey(), keys.groupId(), handshakeHash);
        } catch (NoiseException e) {
            localFailure = Optional.of("the membership proof could not be signed: the group signing key was rejected");
            fail(r, "membership proof could not be signed", now, Duration.ZERO);
            return;
        }
        send(r, new Message.Hello(Message.PROTOCOL_VERSION, config.device(), keys.groupId(), proof.encode()));
        r.helloSent = true;
    }

    private void onMessage(RelayConnection r, Message message, Instant now) {
        if (r.state() == RelayConnection.State.HANDSHAKING) {
            switch (message) {
                case Message.Welcome w when r.helloSent -> onWelcome(r, w, now);
                case Message.Error e -> onError(r, e, now);
                default -> violation(r, message.type() + " before Welcome", now);
            }
            return;
        }
        if (r.state() != RelayConnection.State.CONNECTED) {
            violation(r, message.type() + " before the handshake completed", now);
            return;
        }
        switch (message) {
            case Message.PushAck a -> onPushAck(r, a, now);
            case Message.PullResponse p -> onPage(r, p, now);
            case Message.Notify n -> onNotify(r, n, now);
            case Message.Error e -> onError(r, e, now);
            case Message.Bye b -> fail(r, "the relay ended the session", now, Duration.ZERO);
            case Message.Welcome w -> violation(r, "a second Welcome", now);
            case Message.Hello h -> violation(r, "Hello is sent by devices", now);
            case Message.Push p -> violation(r, "Push is sent by devices", now);
            case Message.Pull p -> violation(r, "Pull is sent by devices", now);
        }
    }

    private void onWelcome(RelayConnection r, Message.Welcome welcome, Instant now) {
        if (welcome.protocolVersion() != Message.PROTOCOL_VERSION) {
            refuse(r, "the relay speaks protocol version " + welcome.protocolVersion() + ", this device "
                    + Message.PROTOCOL_VERSION);
            return;
        }
        r.welcomed(welcome.head(), welcome.maxFrameBytes(), welcome.maxTtlSeconds());
        allFailedLatched = false;
        Cursor cursor = cursors.get(r.relay());
        if (cursor.isAfter(welcome.head())) {
            emit(new SyncEvent.RelayWarning(r.relay(), "the relay's head is behind this device's pull cursor for it: "
                    + "the relay lost data or was reset; pulling resumes once its head passes the cursor"));
        } else if (missedExpired(cursor, welcome.oldestCursor())) {
            // The pull below starts at the cursor as always: the relay skips what expired.
            emit(new SyncEvent.MissedExpired(r.relay(), cursor, welcome.oldestCursor()));
        }
        pump(r, now);
        maybePull(r, now);
    }

    private void onError(RelayConnection r, Message.Error error, Instant now) {
        RelayConnection.Request request = r.outstanding.pollFirst();
        if (request instanceof RelayConnection.Request.Push p) {
            r.pushesInFlight.remove(p.blob());
        } else if (request instanceof RelayConnection.Request.Pull) {
            r.pullInFlight = false;
        }
        ErrorCode code = error.code();
        switch (code) {
            case RATE_LIMITED -> {
                if (r.state() != RelayConnection.State.CONNECTED) {
                    fail(r, "the relay is rate limiting this device", now, Duration.ofMillis(error.retryAfterMillis()));
                    return;
                }
                long waitMillis = error.retryAfterMillis() == 0 ? Backoff.BASE.toMillis() : error.retryAfterMillis();
                r.pausedUntil = Optional.of(now.plusMillis(waitMillis));
                if (request instanceof RelayConnection.Request.Push) {
                    r.pushRefused = true;
                }
            }
            case QUOTA_EXCEEDED -> {
                if (request instanceof RelayConnection.Request.Push) {
                    r.pushBlocked = true;
                    r.backlog = false;
                    emit(new SyncEvent.RelayWarning(r.relay(), "the relay refused a push: the group's quota is full there; "
                            + "pushes to it stop until the next session and wait in the outbox"));
                } else {
                    violation(r, "QUOTA_EXCEEDED for a request that was not a push", now);
                }
            }
            case TOO_LARGE -> {
                if (request instanceof RelayConnection.Request.Push p) {
                    r.tooLarge.add(p.blob());
                    emit(new SyncEvent.RelayWarning(r.relay(), "the relay refused a blob as too large; it stays in the "
                            + "outbox for the relays that accept it"));
                    pump(r, now);
                } else {
                    violation(r, "TOO_LARGE for a request that was not a push", now);
                }
            }
            case UNKNOWN_GROUP, UNAUTHORIZED, UNSUPPORTED_VERSION -> refuse(r, "the relay refused this device (" + code + ")");
            case BAD_REQUEST -> fail(r, "the relay rejected a request as malformed (BAD_REQUEST)", now, Duration.ZERO);
            case UNAVAILABLE -> fail(r, "the relay is unavailable", now, Duration.ofMillis(error.retryAfterMillis()));
        }
    }

    private void onPushAck(RelayConnection r, Message.PushAck ack, Instant now) {
        if (!(r.outstanding.peekFirst() instanceof RelayConnection.Request.Push p) || !p.blob().equals(ack.blob())) {
            violation(r, "a PushAck that does not answer the oldest request", now);
            return;
        }
        r.outstanding.pollFirst();
        r.pushesInFlight.remove(ack.blob());
        unrecordedAcks.add(new Acknowledgement(r.relay(), ack.blob(), ack.cursor()));
        if (!batching) {
            recordAcknowledgements(now);
        }
    }

    /**
     * Records the acknowledgements taken off the push windows in one store write, reports them and
     * refills those relays' windows. If the write fails, each relay concerned is failed: its
     * blobs stay in the outbox and are pushed again (the relay answers them as duplicates).
     */
    private void recordAcknowledgements(Instant now) {
        if (unrecordedAcks.isEmpty()) {
            return;
        }
        List<Acknowledgement> acks = List.copyOf(unrecordedAcks);
        unrecordedAcks.clear();
        java.util.Set<RelayId> acked = new java.util.LinkedHashSet<>();
        acks.forEach(a -> acked.add(a.relay()));
        try {
            store.acknowledgeAll(acks);
        } catch (ClientStateException e) {
            localFailure = Optional.of("the state store failed to record an acknowledgement (" + e.code() + ")");
            for (RelayId relay : acked) {
                fail(relays.get(relay), "the state store failed; the blob will be pushed again", now, Duration.ZERO);
            }
            return;
        }
        localFailure = Optional.empty();
        for (Acknowledgement a : acks) {
            emit(new SyncEvent.Acknowledged(a.relay(), a.blob(), a.pushAckCursor()));
        }
        for (RelayId relay : acked) {
            pump(relays.get(relay), now);
        }
    }

    /**
     * True if no more pushes may be sent to {@code r}: {@link SyncConfig#maxPushesInFlight} pushes
     * or {@link #PUSH_WINDOW_BYTES} payload bytes are in flight.
     */
    private boolean windowFull(RelayConnection r) {
        return r.pushesInFlight.size() >= config.maxPushesInFlight() || r.pushBytesInFlight() >= PUSH_WINDOW_BYTES;
    }

    /** Sends outbox entries this relay has not acknowledged, up to the in-flight window. */
    private void pump(RelayConnection r, Instant now) {
        recordAcknowledgements(now); // the outbox read below must not return acknowledged blobs
        if (r.state() != RelayConnection.State.CONNECTED || r.pausedUntil.isPresent() || r.pushBlocked) {
            return;
        }
        if (r.pushRefused) {
            if (!r.pushesInFlight.isEmpty()) {
                return; // the refusals (or acks) of the pushes behind the refused one come first
            }
            r.pushRefused = false;
        }
        // Read in slices of the window, so the payloads held at once stay near the window's bytes.
        while (!windowFull(r)) {
            // As many entries as the window's bytes take at the size of the last ones read (at least one).
            long roomBytes = PUSH_WINDOW_BYTES - r.pushBytesInFlight();
            int byBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, roomBytes / Math.max(1, r.typicalPushBytes)));
            int want = Math.min(Math.min(config.maxPushesInFlight() - r.pushesInFlight.size(), PUMP_READ_SLICE), byBytes);
            java.util.Set<BlobId> skip = new java.util.HashSet<>(r.pushesInFlight.keySet());
            skip.addAll(r.tooLarge);
            List<OutboxEntry> pending;
            try {
                // want + 1: one more than can be sent tells whether a backlog remains.
                pending = store.pending(r.relay(), want + 1, skip);
            } catch (ClientStateException e) {
                localFailure = Optional.of("the state store could not list the outbox (" + e.code() + ")");
                fail(r, "the state store failed", now, Duration.ZERO);
                return;
            }
            if (!pending.isEmpty()) {
                r.typicalPushBytes = pending.stream().mapToLong(e -> e.sealedPayload().length).sum() / pending.size();
            }
            int taken = 0;
            for (OutboxEntry entry : pending) {
                if (windowFull(r)) {
                    break;
                }
                if (skip.contains(entry.blob())) {
                    continue;
                }
                taken++;
                byte[] payload = entry.sealedPayload();
                if ((long) payload.length + PUSH_OVERHEAD_BYTES > r.maxFrameBytes) {
                    r.tooLarge.add(entry.blob());
                    emit(new SyncEvent.RelayWarning(r.relay(), "a blob exceeds the relay's frame limit; it stays in the "
                            + "outbox for the relays that accept it"));
                    continue;
                }
                long ttlSeconds = Math.max(1, Math.min(entry.ttl().toSeconds(), r.maxTtlSeconds));
                send(r, new Message.Push(entry.blob(), ttlSeconds, payload));
                r.outstanding.addLast(new RelayConnection.Request.Push(entry.blob(), now));
                r.pushesInFlight.put(entry.blob(), payload.length);
            }
            if (taken == pending.size() && pending.size() <= want) {
                r.backlog = false; // the outbox holds no more for this relay
                return;
            }
            if (taken == 0) {
                break;
            }
        }
        r.backlog = true;
    }

    private void onNotify(RelayConnection r, Message.Notify notify, Instant now) {
        if (r.pullInFlight) {
            r.notifiedDuringPull = Optional.of(max(r.notifiedDuringPull.orElse(Cursor.ZERO), notify.head()));
            return;
        }
        r.head = max(r.head, notify.head());
        maybePull(r, now);
    }

    private void maybePull(RelayConnection r, Instant now) {
        if (r.state() != RelayConnection.State.CONNECTED || closing || r.pullInFlight || r.pausedUntil.isPresent()) {
            return;
        }
        Cursor cursor = cursors.get(r.relay());
        if (!r.hasMore && !r.head.isAfter(cursor)) {
            Cursor redeliverAfter = redeliveries.get(r.relay());
            if (redeliverAfter != null) {
                send(r, new Message.Pull(redeliverAfter, config.pullMaxBlobs(), config.pullMaxBytes()));
                r.outstanding.addLast(new RelayConnection.Request.Pull(redeliverAfter, now, true));
                r.pullInFlight = true;
            }
            return;
        }
        send(r, new Message.Pull(cursor, config.pullMaxBlobs(), config.pullMaxBytes()));
        r.outstanding.addLast(new RelayConnection.Request.Pull(cursor, now, false));
        r.pullInFlight = true;
        r.notifiedDuringPull = Optional.empty();
    }

    /**
     * Silence on a connected session: a page at the cursor keeps the transport path alive and
     * finds a lost Notify. Not "busy" for the status while it is the only request in flight.
     */
    private void keepAlive(RelayConnection r, Instant now) {
        Cursor cursor = cursors.get(r.relay());
        send(r, new Message.Pull(cursor, config.pullMaxBlobs(), config.pullMaxBytes()));
        r.outstanding.addLast(new RelayConnection.Request.Pull(cursor, now, false));
        r.pullInFlight = true;
        r.keepAliveInFlight = true;
        r.notifiedDuringPull = Optional.empty();
    }

    private void onPage(RelayConnection r, Message.PullResponse page, Instant now) {
        if (!(r.outstanding.peekFirst() instanceof RelayConnection.Request.Pull pull)) {
            violation(r, "a PullResponse that does not answer the oldest request", now);
            return;
        }
        r.outstanding.pollFirst();
        r.pullInFlight = false;
        r.keepAliveInFlight = false;
        for (Message.PulledBlob b : page.blobs()) {
            if (!b.cursor().isAfter(pull.after())) {
                violation(r, "a pulled blob at or before the cursor asked for", now);
                return;
            }
        }
        if (pull.redelivery()) {
            onRedeliveryPage(r, page, now);
            return;
        }
        try {
            commitPage(r.relay(), page.blobs());
        } catch (SyncException e) {
            localFailure = Optional.of(e.getMessage());
            fail(r, "the page could not be committed; it will be pulled again", now, Duration.ZERO);
            return;
        }
        Cursor cursor = cursors.get(r.relay());
        Cursor notified = r.notifiedDuringPull.orElse(Cursor.ZERO);
        r.notifiedDuringPull = Optional.empty();
        r.hasMore = page.hasMore() || r.syncRequestedDuringPull;
        r.syncRequestedDuringPull = false;
        // Without has_more the relay holds nothing after the cursor except what it notified since:
        // never trust an older head (blobs may have expired), or the pull loop would not end.
        r.head = page.hasMore() ? max(r.head, notified) : max(cursor, notified);
        maybePull(r, now);
    }

    /** A page of a redelivery pass: hand every blob already received to the inbox again. */
    private void onRedeliveryPage(RelayConnection r, Message.PullResponse page, Instant now) {
        Cursor committed = cursors.get(r.relay());
        List<DeliveredBlob> again = new ArrayList<>();
        Cursor last = redeliveries.getOrDefault(r.relay(), Cursor.ZERO);
        boolean beyond = false;
        try {
            for (Message.PulledBlob b : page.blobs()) {
                if (b.cursor().isAfter(committed)) {
                    beyond = true; // the normal pull handles what was never committed
                    break;
                }
                last = b.cursor();
                Optional<BlobIndexEntry> known = store.blob(b.blob());
                if (known.isEmpty() || known.get().state() != BlobIndexEntry.State.RECEIVED
                        || !known.get().contentHash().equals(sealer.contentHash(b.payload()))) {
                    continue;
                }
                byte[] plaintext = sealer.open(keys.contentKey(), keys.groupId(), b.blob(), b.sender(), b.payload());
                try {
                    SyncPayload opened = SyncPayload.decode(plaintext);
                    again.add(new DeliveredBlob(b.blob(), b.sender(), opened.sequence(), opened.kind(), opened.data()));
                } finally {
                    Arrays.fill(plaintext, (byte) 0);
                }
            }
            for (DeliveredBlob d : again) {
                inbox.deliver(d);
            }
            inbox.flush();
        } catch (ClientStateException | SealingException | SyncException | RuntimeException e) {
            // The index said RECEIVED with this hash, so the bytes opened before: a failure here is
            // local (store, inbox). The pass resumes from the last page handed over.
            fail(r, "redelivery failed locally; it resumes after the backoff", now, Duration.ZERO);
            return;
        }
        boolean done = beyond || !page.hasMore() || page.blobs().isEmpty() || !committed.isAfter(last);
        if (done) {
            redeliveries.remove(r.relay());
        } else {
            redeliveries.put(r.relay(), last);
        }
        maybePull(r, now);
    }

    /** True while a {@link Input.Redeliver} pass is under way on some relay. */
    public boolean redelivering() {
        return !redeliveries.isEmpty();
    }

    // ---------------------------------------------------------------- pulled pages

    /** The outcome of one page before it is committed. */
    private final class PageWork {
        final RelayId relay;
        VersionVector working = vector;
        final Map<DeviceId, TreeMap<Long, BlobId>> heldCopies = new HashMap<>();
        final Map<BlobId, BlobIndexEntry> entries = new LinkedHashMap<>();
        /** The store's index entries of the page's ids, read once for the page. */
        Map<BlobId, BlobIndexEntry> known = Map.of();
        final List<DeliveredBlob> deliveries = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        PageWork(RelayId relay) {
            this.relay = relay;
        }

        TreeMap<Long, BlobId> held(DeviceId sender) throws ClientStateException {
            TreeMap<Long, BlobId> copy = heldCopies.get(sender);
            if (copy == null) {
                copy = new TreeMap<>(heldSequences(sender));
                heldCopies.put(sender, copy);
            }
            return copy;
        }

        void record(Message.PulledBlob b, long sequence, ContentHash hash, BlobIndexEntry.State state, String failure) {
            entries.put(b.blob(), new BlobIndexEntry(b.blob(), b.sender(), sequence, relay, b.cursor(), hash, state, failure));
        }
    }

    /** Held sequences of {@code sender}: RECEIVED above the committed mark; read from the store once. */
    private TreeMap<Long, BlobId> heldSequences(DeviceId sender) throws ClientStateException {
        TreeMap<Long, BlobId> h = held.get(sender);
        if (h == null) {
            h = new TreeMap<>();
            for (BlobIndexEntry e : store.received(sender, vector.get(sender))) {
                h.put(e.sequence(), e.blob());
            }
            held.put(sender, h);
        }
        return h;
    }

    private void commitPage(RelayId relay, List<Message.PulledBlob> blobs) throws SyncException {
        if (blobs.isEmpty()) {
            return;
        }
        PageWork work = new PageWork(relay);
        try {
            work.known = store.blobs(blobs.stream().map(Message.PulledBlob::blob).toList());
            for (Message.PulledBlob b : blobs) {
                examine(work, b);
            }
        } catch (ClientStateException e) {
            throw new SyncException(SyncException.Code.STORE_FAILED, "the state store failed while reading (" + e.code() + ")", e);
        }
        try {
            for (DeliveredBlob d : work.deliveries) {
                inbox.deliver(d);
            }
            inbox.flush();
        } catch (SyncException e) {
            // The application's own reason (e.g. its disk is full) is what the user must act on;
            // it is the application's text, never relay input.
            throw new SyncException(SyncException.Code.INBOX_FAILED, "the application's inbox refused a blob ("
                    + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw new SyncException(SyncException.Code.INBOX_FAILED, "the application's inbox refused a blob", e);
        }
        Cursor last = blobs.get(blobs.size() - 1).cursor();
        try {
            store.commitPulled(relay, last, List.copyOf(work.entries.values()), work.working);
        } catch (ClientStateException e) {
            throw new SyncException(SyncException.Code.STORE_FAILED, "the state store failed to commit a page (" + e.code() + ")", e);
        }
        localFailure = Optional.empty();
        vector = work.working;
        held.putAll(work.heldCopies);
        cursors.put(relay, last);
        RelayConnection r = relays.get(relay);
        for (String warning : work.warnings) {
            emit(new SyncEvent.RelayWarning(r.relay(), warning));
        }
        for (BlobIndexEntry e : work.entries.values()) {
            if (e.state() == BlobIndexEntry.State.FAILED) {
                emit(new SyncEvent.BlobFailed(e));
            }
        }
    }

    private void examine(PageWork work, Message.PulledBlob b) throws SyncException, ClientStateException {
        byte[] payload = b.payload();
        ContentHash hash = sealer.contentHash(payload);
        BlobIndexEntry seen = work.entries.get(b.blob());
        Optional<BlobIndexEntry> known = Optional.ofNullable(seen != null ? seen : work.known.get(b.blob()));
        if (known.isPresent() && known.get().state() == BlobIndexEntry.State.RECEIVED) {
            if (!known.get().contentHash().equals(hash)) {
                work.warnings.add("the relay served different bytes under the id of a blob already received; the "
                        + "received copy is kept");
            }
            return; // a duplicate: through another relay, or replayed
        }
        byte[] plaintext;
        try {
            plaintext = sealer.open(keys.contentKey(), keys.groupId(), b.blob(), b.sender(), payload);
        } catch (SealingException e) {
            if (e.code() == SealingException.Code.CRYPTO_UNAVAILABLE) {
                throw new SyncException(SyncException.Code.CRYPTO_UNAVAILABLE, "a blob could not be opened: crypto unavailable", e);
            }
            work.record(b, 0, hash, BlobIndexEntry.State.FAILED, "blob did not open (" + e.code()
                    + "): altered, truncated, or moved to another group, id or sender");
            return;
        }
        SyncPayload opened;
        try {
            opened = SyncPayload.decode(plaintext);
        } catch (SyncException e) {
            work.record(b, 0, hash, BlobIndexEntry.State.FAILED, "the authenticated blob holds no valid sync payload");
            return;
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        long sequence = opened.sequence();
        DeviceId sender = b.sender();
        if (sender.equals(config.device())) {
            // This device's own blob coming back: verified and indexed, never delivered. A sequence
            // above our own counter means our state was restored from an older copy: move the
            // counter so we never seal a sequence number twice.
            if (sequence > work.working.get(sender)) {
                work.working = work.working.with(sender, sequence);
                work.warnings.add("a blob of this device carries a sequence number above its own counter: the "
                        + "device state was restored from an older copy; the counter moves past it");
            }
            work.record(b, sequence, hash, BlobIndexEntry.State.RECEIVED, "");
            return;
        }
        long mark = work.working.get(sender);
        if (sequence <= mark) {
            work.record(b, sequence, hash, BlobIndexEntry.State.FAILED, "sequence number at or below the sender's "
                    + "contiguous high-water mark on a new blob: replayed or rolled back");
            return;
        }
        TreeMap<Long, BlobId> heldForSender = work.held(sender);
        if (heldForSender.containsKey(sequence)) {
            work.record(b, sequence, hash, BlobIndexEntry.State.FAILED,
                    "sequence number already used by another blob of the same sender");
            return;
        }
        heldForSender.put(sequence, b.blob());
        work.record(b, sequence, hash, BlobIndexEntry.State.RECEIVED, "");
        work.deliveries.add(new DeliveredBlob(b.blob(), sender, sequence, opened.kind(), opened.data()));
        long advanced = mark;
        while (heldForSender.containsKey(advanced + 1)) {
            advanced++;
            heldForSender.remove(advanced);
        }
        if (advanced > mark) {
            work.working = work.working.with(sender, advanced);
        }
    }

    // ---------------------------------------------------------------- close

    private void beginClose(Instant deadline) {
        if (closing || closed) {
            return;
        }
        closing = true;
        closeDeadline = deadline;
        for (RelayConnection r : relays.values()) {
            if (!r.isLive() && r.state() != RelayConnection.State.CLOSED) {
                r.closed("");
            }
        }
    }

    private void maybeFinishClose(Instant now) {
        if (!closing || closed) {
            return;
        }
        boolean deadlinePassed = !now.isBefore(closeDeadline);
        for (RelayConnection r : relays.values()) {
            if (r.state() == RelayConnection.State.CONNECTED && r.outstanding.isEmpty() && !r.backlog) {
                send(r, new Message.Bye());
                actions.add(new Action.Close(r.relay(), r.connection()));
                r.closed("");
            } else if (deadlinePassed && r.isLive()) {
                actions.add(new Action.Close(r.relay(), r.connection()));
                r.closed("");
            }
        }
        if (relays.values().stream().allMatch(r -> r.state() == RelayConnection.State.CLOSED)) {
            closed = true;
            recordAcknowledgements(now);
            boolean flushed = true;
            for (RelayId relay : config.relays()) {
                try {
                    flushed &= store.pending(relay, 1).isEmpty();
                } catch (ClientStateException e) {
                    flushed = false;
                }
            }
            emit(new SyncEvent.Closed(flushed));
        }
    }

    // ---------------------------------------------------------------- status

    private void updateStatus() {
        SyncStatus next = computeStatus();
        if (!next.equals(status)) {
            status = next;
            emit(new SyncEvent.StatusChanged(next));
        }
    }

    private SyncStatus computeStatus() {
        if (closed) {
            return SyncStatus.OFFLINE;
        }
        if (localFailure.isPresent()) {
            return new SyncStatus(SyncStatus.Kind.FAILED, localFailure.get());
        }
        if (allFailedLatched) {
            return new SyncStatus(SyncStatus.Kind.FAILED, "all " + relays.size() + " relays failed; retrying with backoff, "
                    + "pushes wait in the outbox");
        }
        List<RelayConnection> connected = relays.values().stream()
                .filter(r -> r.state() == RelayConnection.State.CONNECTED).toList();
        if (connected.isEmpty()) {
            return SyncStatus.OFFLINE;
        }
        if (connected.stream().anyMatch(r -> r.busy(cursors.get(r.relay())))) {
            return new SyncStatus(SyncStatus.Kind.PENDING, "");
        }
        if (connected.size() < relays.size()) {
            return new SyncStatus(SyncStatus.Kind.CONNECTED, connected.size() + " of " + relays.size() + " relays connected");
        }
        if (connected.stream().anyMatch(r -> r.pushBlocked || !r.tooLarge.isEmpty())) {
            return new SyncStatus(SyncStatus.Kind.CONNECTED, "a relay refuses some pushes (quota or size)");
        }
        return new SyncStatus(SyncStatus.Kind.SYNCED, "");
    }

    // ---------------------------------------------------------------- helpers

    private boolean anyConnected() {
        return relays.values().stream().anyMatch(r -> r.state() == RelayConnection.State.CONNECTED);
    }

    private void send(RelayConnection r, Message message) {
        actions.add(new Action.Send(r.relay(), r.connection(), message));
    }

    private void emit(SyncEvent event) {
        for (SyncListener listener : List.copyOf(listeners)) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException ignored) {
                // A faulty listener must not stop sync; the engine has no logger of its own.
            }
        }
    }

    /** True if blobs after {@code cursor} expired unseen: {@code oldest > cursor + 1} (docs/PROTOCOL.md, Welcome). */
    private static boolean missedExpired(Cursor cursor, Cursor oldest) {
        return cursor.value() != -1L && oldest.isAfter(cursor.next());
    }

    private static Cursor max(Cursor a, Cursor b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }

    /** The relays in preference order (read-only). */
    public List<RelayConnection> relays() {
        return Collections.unmodifiableList(new ArrayList<>(relays.values()));
    }
}
