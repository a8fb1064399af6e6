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
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The device side of zerok sync, as a sans-I/O state machine over every configured relay, the
 * mirror of the relay's {@code RelaySession}: events in ({@link #handle}, {@link #handleAll}),
 * transport actions out ({@link #drainActions}), work on the device's own ports out
 * ({@link #drainLocal}) with its results fed back as inputs, events out ({@link #pollEvents}),
 * time passed in, timers requested through {@link #nextDeadline}. It performs no I/O and calls no
 * port that does: the ClientStateStore, the application's {@link Inbox} and the listeners are the
 * driver's (an ArchUnit rule holds it to that). Implements zerok issue 4 items 1 and 2, the
 * multi-relay behaviour of seed 000 section 4.4 (MR-1..MR-5) and issue 13's batching.
 *
 * <h2>What the driver does</h2>
 * The driver (cli-app, the chaos simulator; {@link SyncRunner} runs the local work synchronously
 * for drivers that want the old call-and-return shape) owns sockets, the {@code SecureChannel} of
 * each connection, threads and timers. It executes {@link Action.Connect} (open a transport
 * connection to the relay whose pinned static key is the {@link RelayId}, run the Noise handshake
 * as initiator), {@link Action.Send} and {@link Action.Close}, and feeds back
 * {@link Input.TransportConnected}, {@link Input.HandshakeCompleted} (with the handshake hash),
 * every decoded {@link Input.Received} message and {@link Input.Disconnected} (a failed connect,
 * a failed handshake, a closed connection). It feeds {@link Input.Tick} when
 * {@link #nextDeadline()} passes. Every relay input names the connection number of the
 * {@code Connect} it answers; inputs about an older connection are ignored.
 *
 * <h2>Local work: one call at a time, batched while it runs</h2>
 * Reads and writes of the device's durable state are {@link Local.StoreCall}s: load the state,
 * queue pushes in the outbox ({@link Local.Enqueue}), record acknowledgements
 * ({@link Local.Acknowledge}), read the outbox for a push window ({@link Local.ReadOutbox}), read
 * a page's index entries ({@link Local.ReadIndex}), deliver a page to the application and commit
 * it ({@link Local.CommitPage}), deliver a redelivery page ({@link Local.Redeliver}), check the
 * outbox at close ({@link Local.CheckFlushed}). At most one is outstanding; the driver answers it
 * with exactly one {@link Input.LocalResult}, when it likes (a slow disk just means a later
 * answer), and other inputs may come in between. Whatever accumulates meanwhile goes into the
 * next call: all the acknowledgements that arrived, all the pushes that were requested. So the
 * slower the disk, the larger the batches: one transaction and one fsync per batch (group
 * commit). An acknowledgement is recorded before the outbox is read again, so a read never
 * returns an acknowledged blob. Pushes to one relay are pipelined up to
 * {@link SyncConfig#maxPushesInFlight} and {@link #PUSH_WINDOW_BYTES}. A push is requested with
 * {@link Input.Push} and answered by {@link Local.PushQueued} or {@link Local.PushRefused}.
 *
 * <h2>Delivery to the application</h2>
 * A page's new blobs are in its {@link Local.CommitPage}: the driver hands them to the
 * application <em>before</em> it commits the page (at-least-once delivery; {@link Inbox#flush}
 * once per page). If the application or the store fails, nothing of the page is committed: the
 * session is closed and the page pulled again after the backoff.
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
 * (MR-5). An explicit operation ({@link Input.Push}, {@link Input.SyncRequested}) retries relays
 * in backoff at once if they have waited at least {@link Backoff#BASE}.
 *
 * <h2>Sequence numbers and the version vector</h2>
 * Each blob this device seals carries the next sender sequence number (the device's own entry of
 * the version vector plus one), stored with the outbox entry in one transaction. For every other
 * sender the version vector holds the contiguous high-water mark: the highest {@code n} such that
 * sequences {@code 1..n} were all received. A pulled blob whose id is not yet received and whose
 * sequence is at or below the mark is a replay or rollback and is recorded FAILED. A blob above
 * {@code mark + 1} (a gap: reordered or still missing) is delivered and recorded RECEIVED but
 * <em>held</em>: the mark does not move until the gap fills, then it jumps over every held
 * sequence at once. Held sequences are the store's RECEIVED entries above the mark (read with the
 * first page from that sender, {@link Local.ReadIndex#receivedAbove}) and kept in memory
 * afterwards, so holding survives a restart. A different blob claiming a held sequence is
 * recorded FAILED. The rules are applied by a pure {@link PageVerifier}.
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
 * {@link SyncEvent.BlobFailed}.
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

    /** Outbox entries read per {@link Local.ReadOutbox} while filling a push window. */
    private static final int PUMP_READ_SLICE = 16;

    /** Events the driver feeds in. */
    public sealed interface Input {
        /** Load the state ({@link Local.LoadState}), then connect to every relay, in preference order. */
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
         * the application again ({@link Local.Redeliver}), verified as on first delivery (this
         * device's own blobs included, since the relays hold them too). Cursors, the version
         * vector and the index do not change; the normal pull goes first. The pass resumes after
         * a reconnect and ends per relay at its committed cursor.
         */
        record Redeliver() implements Input {}

        /**
         * Close with a quick flush: push what is pending on the sessions that are up (or coming
         * up), then say Bye and close each; at {@code deadline} close whatever is left. Ends with
         * {@link SyncEvent.Closed}.
         */
        record CloseRequested(Instant deadline) implements Input {}

        /**
         * Seal {@code items} with consecutive sender sequence numbers, in list order, and queue
         * them in the persistent outbox for every relay; they are pushed to each relay whose
         * session is up, now or later (after a restart too). Answered by {@link Local.PushQueued}
         * once the outbox write committed (from then on the blobs survive a crash) or by
         * {@link Local.PushRefused} (nothing was queued). Pushes requested while a local call is
         * outstanding are queued together with one write. Receivers get each item's kind back in
         * {@link DeliveredBlob#kind()}; the engine does not look inside the data.
         *
         * @param request the driver's number for this request, echoed in the answer
         * @param items one or more blobs
         */
        record Push(long request, List<Outgoing> items) implements Input {
            public Push {
                items = List.copyOf(items);
                if (items.isEmpty()) {
                    throw new IllegalArgumentException("a push needs at least one blob");
                }
            }
        }

        /** The answer to the outstanding {@link Local.StoreCall}; exactly one per call. */
        sealed interface LocalResult extends Input {}

        /** {@link Local.LoadState} read the committed version vector and every relay's pull cursor. */
        record StateLoaded(VersionVector vector, Map<RelayId, Cursor> cursors) implements LocalResult {
            public StateLoaded {
                Objects.requireNonNull(vector, "vector");
                cursors = Map.copyOf(cursors);
            }
        }

        /** The outstanding write ({@link Local.Enqueue}, {@link Local.Acknowledge}, {@link Local.CommitPage}) committed, or {@link Local.Redeliver} was delivered. */
        record Completed() implements LocalResult {}

        /** {@link Local.ReadOutbox} found these entries, oldest first. */
        record OutboxRead(List<OutboxEntry> entries) implements LocalResult {
            public OutboxRead {
                entries = List.copyOf(entries);
            }
        }

        /**
         * {@link Local.ReadIndex} found these index entries.
         *
         * @param known the entries of the asked ids that have one
         * @param received for each sender asked for, its RECEIVED entries above the sequence given
         */
        record IndexRead(Map<BlobId, BlobIndexEntry> known, Map<DeviceId, List<BlobIndexEntry>> received)
                implements LocalResult {
            public IndexRead {
                known = Map.copyOf(known);
                received = Map.copyOf(received);
            }
        }

        /** {@link Local.CheckFlushed}: true if no relay has an unacknowledged outbox entry. */
        record FlushChecked(boolean flushed) implements LocalResult {}

        /** The store failed the outstanding call; a write wrote nothing. */
        record StoreFailed(ClientStateException.Code code) implements LocalResult {}

        /**
         * The application refused a delivery of the outstanding {@link Local.CommitPage} or
         * {@link Local.Redeliver}; the page was not committed.
         *
         * @param reason the application's own text, if it gave one (never relay input)
         */
        record InboxFailed(Optional<String> reason) implements LocalResult {}
    }

    /** What the driver must do on the network. */
    public sealed interface Action {
        /** Open connection number {@code connection} to {@code relay} and run the Noise handshake as initiator. */
        record Connect(RelayId relay, long connection) implements Action {}

        /** Send {@code message} on {@code connection} (through its SecureChannel). */
        record Send(RelayId relay, long connection, Message message) implements Action {}

        /** Close {@code connection} after the sends queued before this action. */
        record Close(RelayId relay, long connection) implements Action {}
    }

    /** What the driver must do on this device: store calls (one outstanding at a time) and answers to pushes. */
    public sealed interface Local {
        /** A call on the device's durable state (and, for pages, the application); answered by one {@link Input.LocalResult}. */
        sealed interface StoreCall extends Local {}

        /** Read the version vector and the pull cursor of each of {@code relays}: {@link Input.StateLoaded}. */
        record LoadState(List<RelayId> relays) implements StoreCall {
            public LoadState {
                relays = List.copyOf(relays);
            }
        }

        /** {@code ClientStateStore.enqueueAll(entries, relays, vector)}: {@link Input.Completed}. */
        record Enqueue(List<OutboxEntry> entries, List<RelayId> relays, VersionVector vector) implements StoreCall {
            public Enqueue {
                entries = List.copyOf(entries);
                relays = List.copyOf(relays);
            }
        }

        /** {@code ClientStateStore.acknowledgeAll(acknowledgements)}: {@link Input.Completed}. */
        record Acknowledge(List<Acknowledgement> acknowledgements) implements StoreCall {
            public Acknowledge {
                acknowledgements = List.copyOf(acknowledgements);
            }
        }

        /** {@code ClientStateStore.pending(relay, max, excluding)}: {@link Input.OutboxRead}. */
        record ReadOutbox(RelayId relay, int max, Set<BlobId> excluding) implements StoreCall {
            public ReadOutbox {
                excluding = Set.copyOf(excluding);
            }
        }

        /**
         * {@code ClientStateStore.blobs(blobs)}, and {@code received(sender, after)} for each entry
         * of {@code receivedAbove}: {@link Input.IndexRead}.
         */
        record ReadIndex(List<BlobId> blobs, Map<DeviceId, Long> receivedAbove) implements StoreCall {
            public ReadIndex {
                blobs = List.copyOf(blobs);
                receivedAbove = Map.copyOf(receivedAbove);
            }
        }

        /**
         * Hand {@code deliveries} to the application in order ({@code Inbox.deliver}, then
         * {@code Inbox.flush}), then {@code ClientStateStore.commitPulled(relay, cursor, entries,
         * vector)}: {@link Input.Completed}, {@link Input.InboxFailed} or {@link Input.StoreFailed}.
         */
        record CommitPage(RelayId relay, Cursor cursor, List<BlobIndexEntry> entries, VersionVector vector,
                List<DeliveredBlob> deliveries) implements StoreCall {
            public CommitPage {
                entries = List.copyOf(entries);
                deliveries = List.copyOf(deliveries);
            }
        }

        /** Hand {@code deliveries} to the application again ({@code deliver} each, then {@code flush}): {@link Input.Completed} or {@link Input.InboxFailed}. */
        record Redeliver(List<DeliveredBlob> deliveries) implements StoreCall {
            public Redeliver {
                deliveries = List.copyOf(deliveries);
            }
        }

        /** Whether {@code ClientStateStore.pending(relay, 1)} is empty for every one of {@code relays}: {@link Input.FlushChecked}. */
        record CheckFlushed(List<RelayId> relays) implements StoreCall {
            public CheckFlushed {
                relays = List.copyOf(relays);
            }
        }

        /** The blobs of push {@code request} are durable in the outbox; their ids in item order. */
        record PushQueued(long request, List<BlobId> blobs) implements Local {
            public PushQueued {
                blobs = List.copyOf(blobs);
            }
        }

        /**
         * Push {@code request} was not queued: coded {@code NOT_STARTED} before the state loaded,
         * {@code CLOSED} after a close was requested, {@code CRYPTO_UNAVAILABLE} if sealing failed,
         * {@code STORE_FAILED} if the outbox could not be written.
         */
        record PushRefused(long request, SyncException.Code code, String message) implements Local {}
    }

    /**
     * One blob for {@link Input.Push}: what it is and its bytes.
     *
     * @param kind what {@code data} is
     * @param data the bytes (any length the relays' frame limit allows, less the
     *     {@value SyncPayload#HEADER_BYTES}-byte payload header and the blob sealing overhead)
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

    /** A pulled page waiting for, or in, its local calls. */
    private record PageJob(RelayConnection relay, long connection, Message.PullResponse page, RelayConnection.Request.Pull pull) {}

    private final SyncConfig config;
    private final GroupKeys keys;
    private final Signer ed25519;
    private final BlobSealer sealer;
    private final PageVerifier verifier;
    private final Entropy entropy;
    private final LinkedHashMap<RelayId, RelayConnection> relays = new LinkedHashMap<>();
    private final Map<RelayId, Cursor> cursors = new HashMap<>();
    /** Held sequences per sender, as committed (see "Sequence numbers"); read with a sender's first page. */
    private final Map<DeviceId, TreeMap<Long, BlobId>> held = new HashMap<>();
    /** Relays with a redelivery pass under way, and the cursor the pass has reached. */
    private final Map<RelayId, Cursor> redeliveries = new HashMap<>();
    private final List<Action> actions = new ArrayList<>();
    private final List<Local> local = new ArrayList<>();
    private final List<SyncEvent> events = new ArrayList<>();

    // Local work waiting for the store lane, and the call in it.
    private Optional<Local.StoreCall> outstanding = Optional.empty();
    private boolean loadWanted;
    private final ArrayDeque<Input.Push> pushes = new ArrayDeque<>();
    /** The push requests in the outstanding {@link Local.Enqueue}, with their blob ids. */
    private final LinkedHashMap<Long, List<BlobId>> enqueueing = new LinkedHashMap<>();
    /** Acknowledgements taken off the push windows, not yet recorded. */
    private final List<Acknowledgement> unrecordedAcks = new ArrayList<>();
    private final ArrayDeque<PageJob> pages = new ArrayDeque<>();
    /** The page in the outstanding ReadIndex/CommitPage/Redeliver, and its verified outcome. */
    private Optional<PageJob> page = Optional.empty();
    private Optional<PageVerifier.Outcome> pageOutcome = Optional.empty();
    /** The connection the outstanding {@link Local.ReadOutbox} was read for. */
    private long outboxReadConnection;
    private boolean flushCheckWanted;

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
     * @param crypto supplies Ed25519, XChaChaPoly and SHA256 (computation only)
     * @param entropy blob ids, nonces and backoff jitter
     * @throws SyncException coded {@code CRYPTO_UNAVAILABLE} if {@code crypto} lacks a primitive
     */
    public SyncEngine(SyncConfig config, GroupKeys groupKeys, KeyExchange crypto, Entropy entropy) throws SyncException {
        this.config = Objects.requireNonNull(config, "config");
        this.keys = Objects.requireNonNull(groupKeys, "groupKeys");
        this.entropy = Objects.requireNonNull(entropy, "entropy");
        try {
            this.ed25519 = crypto.signer("Ed25519");
            this.sealer = BlobSealer.create(crypto, entropy);
        } catch (CryptoException | SealingException e) {
            throw new SyncException(SyncException.Code.CRYPTO_UNAVAILABLE, "the crypto adapter lacks a primitive sync needs", e);
        }
        this.verifier = new PageVerifier(keys, sealer, config.device());
        for (RelayId relay : config.relays()) {
            relays.put(relay, new RelayConnection(relay));
            cursors.put(relay, Cursor.ZERO);
        }
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

    /** The relays in preference order (read-only). */
    public List<RelayConnection> relays() {
        return Collections.unmodifiableList(new ArrayList<>(relays.values()));
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

    /** True while a {@link Input.Redeliver} pass is under way on some relay. */
    public boolean redelivering() {
        return !redeliveries.isEmpty();
    }

    /** Returns and forgets the network actions produced so far, in order. */
    public List<Action> drainActions() {
        List<Action> out = List.copyOf(actions);
        actions.clear();
        return out;
    }

    /** Returns and forgets the local work produced so far, in order (at most one {@link Local.StoreCall}). */
    public List<Local> drainLocal() {
        List<Local> out = List.copyOf(local);
        local.clear();
        return out;
    }

    /** Returns and forgets the events produced so far, in order. */
    public List<SyncEvent> pollEvents() {
        List<SyncEvent> out = List.copyOf(events);
        events.clear();
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

    /** Consumes one event at {@code now}: {@link #handleAll} of one. */
    public void handle(Input input, Instant now) {
        handleAll(List.of(input), now);
    }

    /**
     * Consumes several events at {@code now}, in order, with the same outcome as one
     * {@link #handle} per event, except that the local work they cause is issued once, at the
     * end: the PushAcks among them are recorded with one {@link Local.Acknowledge}, the pushes
     * with one {@link Local.Enqueue}. A driver that drains its queued inputs at once uses this to
     * batch commits.
     *
     * @param inputs zero or more events, handled in list order
     * @throws IllegalStateException if a {@link Input.LocalResult} comes while no call is outstanding
     */
    public void handleAll(List<Input> inputs, Instant now) {
        for (Input input : inputs) {
            dispatch(input, now);
            checkDeadlines(now);
            maybeFinishClose(now);
            checkAllFailed();
        }
        issue(now);
        checkAllFailed();
        updateStatus();
    }

    private void dispatch(Input input, Instant now) {
        switch (input) {
            case Input.Start s -> {
                if (!started && !outstandingIs(Local.LoadState.class)) {
                    loadWanted = true;
                }
            }
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
            case Input.Push p -> {
                if (!started) {
                    local.add(new Local.PushRefused(p.request(), SyncException.Code.NOT_STARTED,
                            "start the sync engine before pushing"));
                } else if (closing || closed) {
                    local.add(new Local.PushRefused(p.request(), SyncException.Code.CLOSED,
                            "the sync engine is closing; push after the next start"));
                } else {
                    pushes.addLast(p);
                }
            }
            case Input.LocalResult result -> onLocalResult(result, now);
        }
    }

    // ---------------------------------------------------------------- the store lane

    private boolean outstandingIs(Class<? extends Local.StoreCall> type) {
        return outstanding.filter(type::isInstance).isPresent();
    }

    /** Issues the next store call if none is outstanding, taking everything of its kind that waits. */
    private void issue(Instant now) {
        while (outstanding.isEmpty()) {
            Optional<Local.StoreCall> next = nextCall(now);
            if (next.isEmpty()) {
                return;
            }
            outstanding = next;
            local.add(next.get());
        }
    }

    private Optional<Local.StoreCall> nextCall(Instant now) {
        if (loadWanted) {
            loadWanted = false;
            return Optional.of(new Local.LoadState(config.relays()));
        }
        if (!unrecordedAcks.isEmpty()) {
            Local.Acknowledge call = new Local.Acknowledge(unrecordedAcks);
            unrecordedAcks.clear();
            return Optional.of(call);
        }
        if (!pushes.isEmpty()) {
            Optional<Local.StoreCall> enqueue = sealPushes(now);
            if (enqueue.isPresent()) {
                return enqueue;
            }
        }
        if (!pages.isEmpty()) {
            PageJob job = pages.pollFirst();
            page = Optional.of(job);
            Map<DeviceId, Long> receivedAbove = new HashMap<>();
            if (!job.pull().redelivery()) {
                for (Message.PulledBlob b : job.page().blobs()) {
                    if (!b.sender().equals(config.device()) && !held.containsKey(b.sender())) {
                        receivedAbove.put(b.sender(), vector.get(b.sender()));
                    }
                }
            }
            return Optional.of(new Local.ReadIndex(job.page().blobs().stream().map(Message.PulledBlob::blob).toList(),
                    receivedAbove));
        }
        for (RelayConnection r : relays.values()) {
            if (r.outboxWanted) {
                r.outboxWanted = false;
                Optional<Local.StoreCall> read = outboxRead(r);
                if (read.isPresent()) {
                    return read;
                }
                pullAfterOutboxRead(r, now);
            }
        }
        if (flushCheckWanted) {
            flushCheckWanted = false;
            return Optional.of(new Local.CheckFlushed(config.relays()));
        }
        return Optional.empty();
    }

    private void onLocalResult(Input.LocalResult result, Instant now) {
        Local.StoreCall call = outstanding.orElseThrow(() -> new IllegalStateException(
                "a local result came while no store call was outstanding"));
        outstanding = Optional.empty();
        switch (call) {
            case Local.LoadState l -> onStateLoaded(l, result, now);
            case Local.Enqueue e -> onEnqueued(e, result, now);
            case Local.Acknowledge a -> onAcknowledged(a, result, now);
            case Local.ReadOutbox o -> onOutboxRead(o, result, now);
            case Local.ReadIndex i -> onIndexRead(i, result, now);
            case Local.CommitPage c -> onPageCommitted(c, result, now);
            case Local.Redeliver d -> onRedelivered(result, now);
            case Local.CheckFlushed f -> {
                closed = true;
                emit(new SyncEvent.Closed(result instanceof Input.FlushChecked checked && checked.flushed()));
            }
        }
    }

    private static <T extends Input.LocalResult> T expect(Class<T> type, Input.LocalResult result, Local.StoreCall call) {
        if (!type.isInstance(result)) {
            throw new IllegalStateException(result.getClass().getSimpleName() + " does not answer "
                    + call.getClass().getSimpleName());
        }
        return type.cast(result);
    }

    // ---------------------------------------------------------------- lifecycle

    private void onStateLoaded(Local.LoadState call, Input.LocalResult result, Instant now) {
        if (result instanceof Input.StoreFailed f) {
            localFailure = Optional.of("the state store could not be read (" + f.code() + "); start again");
            return;
        }
        Input.StateLoaded loaded = expect(Input.StateLoaded.class, result, call);
        vector = loaded.vector();
        for (RelayId relay : config.relays()) {
            cursors.put(relay, loaded.cursors().getOrDefault(relay, Cursor.ZERO));
        }
        started = true;
        localFailure = Optional.empty();
        for (RelayConnection r : relays.values()) {
            connect(r, now);
        }
    }

    private void connect(RelayConnection r, Instant now) {
        r.startAttempt(nextConnection++, now, config.connectTimeout());
        actions.add(new Action.Connect(r.relay(), r.liveConnection()));
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
        return r != null && r.isLive() && r.liveConnection() == connection ? r : null;
    }

    /** Ends the session and schedules the next attempt (or closes for good while closing). */
    private void fail(RelayConnection r, String cause, Instant now, Duration minDelay) {
        if (!r.isLive()) {
            return;
        }
        actions.add(new Action.Close(r.relay(), r.liveConnection()));
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
            actions.add(new Action.Close(r.relay(), r.liveConnection()));
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
                        pump(r);
                        maybePull(r, now);
                    }
                    RelayConnection.Request oldest = r.outstanding.peekFirst();
                    if (oldest != null && !now.isBefore(answerDue(r, oldest))) {
                        fail(r, "no answer within " + config.responseTimeout().toMillis() + " ms", now, Duration.ZERO);
                    } else if (oldest == null && !closing && r.pausedUntil.isEmpty() && !r.pullInFlight
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
            emit(new SyncEvent.AllRelaysFailed(relays.values().stream().map(r -> r.lastFailure().orElse("")).toList()));
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
        // The outbox is read first and the session's first pull follows the pushes it finds, so the
        // relay logs them before it serves the page and the page carries them back (the relay does
        // not notify a device of its own pushes).
        r.pullAfterOutboxRead = true;
        pump(r);
    }

    private void onError(RelayConnection r, Message.Error error, Instant now) {
        RelayConnection.Request request = r.outstanding.pollFirst();
        if (request instanceof RelayConnection.Request.Push p) {
            r.pushesInFlight.remove(p.blob());
        } else if (request instanceof RelayConnection.Request.Pull) {
            r.pullInFlight = false;
        }
        ErrorCode code = error.code();
        Duration hint = error.retryAfter().orElse(Duration.ZERO);
        switch (code) {
            case RATE_LIMITED -> {
                if (r.state() != RelayConnection.State.CONNECTED) {
                    fail(r, "the relay is rate limiting this device", now, hint);
                    return;
                }
                r.pausedUntil = Optional.of(now.plus(error.retryAfter().orElse(Backoff.BASE)));
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
                    pump(r);
                } else {
                    violation(r, "TOO_LARGE for a request that was not a push", now);
                }
            }
            case UNKNOWN_GROUP, UNAUTHORIZED, UNSUPPORTED_VERSION -> refuse(r, "the relay refused this device (" + code + ")");
            case BAD_REQUEST -> fail(r, "the relay rejected a request as malformed (BAD_REQUEST)", now, Duration.ZERO);
            case UNAVAILABLE -> fail(r, "the relay is unavailable", now, hint);
        }
    }

    // ---------------------------------------------------------------- pushes

    /** Seals every waiting push request into one {@link Local.Enqueue}; requests that fail to seal are refused. */
    private Optional<Local.StoreCall> sealPushes(Instant now) {
        DeviceId self = config.device();
        long sequence = vector.get(self);
        List<OutboxEntry> entries = new ArrayList<>();
        while (!pushes.isEmpty()) {
            Input.Push push = pushes.pollFirst();
            long before = sequence;
            List<OutboxEntry> sealed = new ArrayList<>(push.items().size());
            try {
                for (Outgoing item : push.items()) {
                    sequence++;
                    sealed.add(seal(item, sequence, self, now));
                }
            } catch (SealingException e) {
                sequence = before;
                local.add(new Local.PushRefused(push.request(), SyncException.Code.CRYPTO_UNAVAILABLE, "sealing the blob failed"));
                continue;
            }
            entries.addAll(sealed);
            enqueueing.put(push.request(), sealed.stream().map(OutboxEntry::blob).toList());
        }
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Local.Enqueue(entries, config.relays(), vector.with(self, sequence)));
    }

    private OutboxEntry seal(Outgoing item, long sequence, DeviceId self, Instant now) throws SealingException {
        BlobId blob = new BlobId(entropy.bytes(BlobId.LENGTH));
        byte[] plaintext = new SyncPayload(item.kind(), sequence, item.data()).encode();
        try {
            BlobSealer.Sealed sealed = sealer.seal(keys.contentKey(), keys.groupId(), blob, self, plaintext);
            return new OutboxEntry(blob, sealed.bytes(), now, config.pushTtl());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private void onEnqueued(Local.Enqueue call, Input.LocalResult result, Instant now) {
        Map<Long, List<BlobId>> requests = new LinkedHashMap<>(enqueueing);
        enqueueing.clear();
        if (result instanceof Input.StoreFailed) {
            requests.keySet().forEach(request -> local.add(new Local.PushRefused(request, SyncException.Code.STORE_FAILED,
                    "the outbox could not be written; nothing was queued")));
            return;
        }
        expect(Input.Completed.class, result, call);
        vector = call.vector();
        requests.forEach((request, blobs) -> local.add(new Local.PushQueued(request, blobs)));
        kick(now);
        for (RelayConnection r : relays.values()) {
            if (r.state() == RelayConnection.State.CONNECTED && !r.pushBlocked) {
                r.backlog = true; // the new entries wait for this relay until its outbox read
            }
            pump(r);
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
    }

    /**
     * The recorded acknowledgements are reported and their relays' windows refilled. If the write
     * failed, each relay concerned is failed: its blobs stay in the outbox and are pushed again
     * (the relay answers them as duplicates).
     */
    private void onAcknowledged(Local.Acknowledge call, Input.LocalResult result, Instant now) {
        Set<RelayId> acked = new LinkedHashSet<>();
        call.acknowledgements().forEach(a -> acked.add(a.relay()));
        if (result instanceof Input.StoreFailed f) {
            localFailure = Optional.of("the state store failed to record an acknowledgement (" + f.code() + ")");
            for (RelayId relay : acked) {
                fail(relays.get(relay), "the state store failed; the blob will be pushed again", now, Duration.ZERO);
            }
            return;
        }
        expect(Input.Completed.class, result, call);
        localFailure = Optional.empty();
        for (Acknowledgement a : call.acknowledgements()) {
            emit(new SyncEvent.Acknowledged(a.relay(), a.blob(), a.pushAckCursor()));
        }
        for (RelayId relay : acked) {
            pump(relays.get(relay));
        }
    }

    /**
     * True if no more pushes may be sent to {@code r}: {@link SyncConfig#maxPushesInFlight} pushes
     * or {@link #PUSH_WINDOW_BYTES} payload bytes are in flight.
     */
    private boolean windowFull(RelayConnection r) {
        return r.pushesInFlight.size() >= config.maxPushesInFlight() || r.pushBytesInFlight() >= PUSH_WINDOW_BYTES;
    }

    /** Asks the store lane for outbox entries this relay has not acknowledged, up to the in-flight window. */
    private void pump(RelayConnection r) {
        r.outboxWanted = true;
    }

    /** The outbox read that refills {@code r}'s push window, if it may push now. */
    private Optional<Local.StoreCall> outboxRead(RelayConnection r) {
        if (r.state() != RelayConnection.State.CONNECTED || r.pausedUntil.isPresent() || r.pushBlocked) {
            return Optional.empty();
        }
        if (r.pushRefused) {
            if (!r.pushesInFlight.isEmpty()) {
                return Optional.empty(); // the refusals (or acks) of the pushes behind the refused one come first
            }
            r.pushRefused = false;
        }
        if (windowFull(r)) {
            r.backlog = true;
            return Optional.empty();
        }
        // As many entries as the window's bytes take at the size of the last ones read (at least one).
        long roomBytes = PUSH_WINDOW_BYTES - r.pushBytesInFlight();
        int byBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, roomBytes / Math.max(1, r.typicalPushBytes)));
        int want = Math.min(Math.min(config.maxPushesInFlight() - r.pushesInFlight.size(), PUMP_READ_SLICE), byBytes);
        Set<BlobId> skip = new HashSet<>(r.pushesInFlight.keySet());
        skip.addAll(r.tooLarge);
        outboxReadConnection = r.liveConnection();
        // want + 1: one more than can be sent tells whether a backlog remains.
        return Optional.of(new Local.ReadOutbox(r.relay(), want + 1, skip));
    }

    private void onOutboxRead(Local.ReadOutbox call, Input.LocalResult result, Instant now) {
        RelayConnection r = relays.get(call.relay());
        if (r.connection().orElse(0) != outboxReadConnection || r.state() != RelayConnection.State.CONNECTED) {
            return; // the session it was read for ended; the next one reads again after its Welcome
        }
        if (result instanceof Input.StoreFailed f) {
            localFailure = Optional.of("the state store could not list the outbox (" + f.code() + ")");
            fail(r, "the state store failed", now, Duration.ZERO);
            return;
        }
        fillWindow(r, call, expect(Input.OutboxRead.class, result, call).entries(), now);
        pullAfterOutboxRead(r, now);
    }

    /** The session's first pull, once its first outbox read was done (see {@link #onWelcome}). */
    private void pullAfterOutboxRead(RelayConnection r, Instant now) {
        if (r.pullAfterOutboxRead) {
            r.pullAfterOutboxRead = false;
            maybePull(r, now);
        }
    }

    private void fillWindow(RelayConnection r, Local.ReadOutbox call, List<OutboxEntry> pending, Instant now) {
        int want = call.max() - 1;
        if (!pending.isEmpty()) {
            r.typicalPushBytes = pending.stream().mapToLong(e -> e.sealedPayload().length).sum() / pending.size();
        }
        int taken = 0;
        for (OutboxEntry entry : pending) {
            if (windowFull(r)) {
                break;
            }
            if (call.excluding().contains(entry.blob()) || r.pushesInFlight.containsKey(entry.blob())
                    || r.tooLarge.contains(entry.blob())) {
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
        r.backlog = true;
        if (taken > 0 && !windowFull(r)) {
            pump(r); // room left and more waiting: read the next slice
        }
    }

    // ---------------------------------------------------------------- pulls

    private void onNotify(RelayConnection r, Message.Notify notify, Instant now) {
        if (r.pullInFlight) {
            r.notifiedDuringPull = Optional.of(max(r.notifiedDuringPull.orElse(Cursor.ZERO), notify.head()));
            return;
        }
        r.head = max(r.head, notify.head());
        maybePull(r, now);
    }

    private void maybePull(RelayConnection r, Instant now) {
        if (r.state() != RelayConnection.State.CONNECTED || closing || r.pullInFlight || r.pausedUntil.isPresent()
                || r.pullAfterOutboxRead) {
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

    /**
     * A page arrived. The pull stays in flight ({@code pullInFlight}) until the page is committed
     * (or redelivered): a Notify or a sync request meanwhile is remembered for the next pull.
     */
    private void onPage(RelayConnection r, Message.PullResponse page, Instant now) {
        if (!(r.outstanding.peekFirst() instanceof RelayConnection.Request.Pull pull)) {
            violation(r, "a PullResponse that does not answer the oldest request", now);
            return;
        }
        r.outstanding.pollFirst();
        r.keepAliveInFlight = false;
        for (Message.PulledBlob b : page.blobs()) {
            if (!b.cursor().isAfter(pull.after())) {
                violation(r, "a pulled blob at or before the cursor asked for", now);
                return;
            }
        }
        PageJob job = new PageJob(r, r.liveConnection(), page, pull);
        if (page.blobs().isEmpty()) {
            if (pull.redelivery()) {
                afterRedelivery(job, pull.after(), true, now);
            } else {
                afterPage(job, now);
            }
            return;
        }
        pages.addLast(job);
    }

    private boolean isCurrent(PageJob job) {
        return job.relay().state() == RelayConnection.State.CONNECTED && job.relay().liveConnection() == job.connection();
    }

    private void onIndexRead(Local.ReadIndex call, Input.LocalResult result, Instant now) {
        PageJob job = page.orElseThrow();
        if (result instanceof Input.StoreFailed f) {
            pageFailed(job, job.pull().redelivery() ? Optional.empty()
                    : Optional.of("the state store failed while reading (" + f.code() + ")"), now);
            return;
        }
        Input.IndexRead read = expect(Input.IndexRead.class, result, call);
        if (job.pull().redelivery()) {
            redeliver(job, read, now);
            return;
        }
        read.received().forEach((sender, entries) -> {
            TreeMap<Long, BlobId> h = new TreeMap<>();
            entries.forEach(e -> h.put(e.sequence(), e.blob()));
            held.putIfAbsent(sender, h);
        });
        PageVerifier.Outcome outcome;
        try {
            outcome = verifier.verify(job.relay().relay(), job.page().blobs(), vector, read.known(), held);
        } catch (SyncException e) {
            pageFailed(job, Optional.of(e.getMessage()), now);
            return;
        }
        List<Message.PulledBlob> blobs = job.page().blobs();
        pageOutcome = Optional.of(outcome);
        continuePage(new Local.CommitPage(job.relay().relay(), blobs.get(blobs.size() - 1).cursor(),
                outcome.entries(), outcome.vector(), outcome.deliveries()));
    }

    /**
     * Issues the next call of the page job that holds the lane (its index was read): it goes out
     * before anything queued, as the rest of the job, not through {@link #issue}.
     */
    private void continuePage(Local.StoreCall next) {
        outstanding = Optional.of(next);
        local.add(next);
    }

    private void onPageCommitted(Local.CommitPage call, Input.LocalResult result, Instant now) {
        PageJob job = page.orElseThrow();
        PageVerifier.Outcome outcome = pageOutcome.orElseThrow();
        page = Optional.empty();
        pageOutcome = Optional.empty();
        switch (result) {
            case Input.StoreFailed f -> {
                pageFailed(job, Optional.of("the state store failed to commit a page (" + f.code() + ")"), now);
                return;
            }
            case Input.InboxFailed f -> {
                // The application's own reason (e.g. its disk is full) is what the user must act on;
                // it is the application's text, never relay input.
                pageFailed(job, Optional.of("the application's inbox refused a blob"
                        + f.reason().map(reason -> " (" + reason + ")").orElse("")), now);
                return;
            }
            default -> expect(Input.Completed.class, result, call);
        }
        localFailure = Optional.empty();
        vector = call.vector();
        held.putAll(outcome.held());
        cursors.put(call.relay(), call.cursor());
        for (String warning : outcome.warnings()) {
            emit(new SyncEvent.RelayWarning(call.relay(), warning));
        }
        for (BlobIndexEntry e : call.entries()) {
            if (e.state() == BlobIndexEntry.State.FAILED) {
                emit(new SyncEvent.BlobFailed(e));
            }
        }
        afterPage(job, now);
    }

    /**
     * A page or its redelivery failed locally: nothing of it was committed. With a reason the
     * device's status says FAILED until something commits; the session is closed and the page
     * pulled again after the backoff.
     */
    private void pageFailed(PageJob job, Optional<String> reason, Instant now) {
        page = Optional.empty();
        pageOutcome = Optional.empty();
        reason.ifPresent(text -> localFailure = Optional.of(text));
        if (isCurrent(job)) {
            fail(job.relay(), job.pull().redelivery() ? "redelivery failed locally; it resumes after the backoff"
                    : "the page could not be committed; it will be pulled again", now, Duration.ZERO);
        }
    }

    /** The page is committed: where the pull loop goes next. */
    private void afterPage(PageJob job, Instant now) {
        if (!isCurrent(job)) {
            return; // the session ended meanwhile; the next one pulls from the committed cursor
        }
        RelayConnection r = job.relay();
        Message.PullResponse page = job.page();
        r.pullInFlight = false;
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

    // ---------------------------------------------------------------- redelivery

    /** A page of a redelivery pass, its index entries read: hand every blob already received to the application again. */
    private void redeliver(PageJob job, Input.IndexRead read, Instant now) {
        Cursor committed = cursors.get(job.relay().relay());
        List<DeliveredBlob> again;
        try {
            again = verifier.reopen(job.page().blobs(), committed, read.known());
        } catch (SealingException | SyncException | RuntimeException e) {
            // The index said RECEIVED with this hash, so the bytes opened before: a failure here is
            // local. The pass resumes from the last page handed over.
            pageFailed(job, Optional.empty(), now);
            return;
        }
        if (again.isEmpty()) {
            page = Optional.empty();
            redelivered(job, now);
            return;
        }
        continuePage(new Local.Redeliver(again));
    }

    private void onRedelivered(Input.LocalResult result, Instant now) {
        PageJob job = page.orElseThrow();
        if (!(result instanceof Input.Completed)) {
            pageFailed(job, Optional.empty(), now);
            return;
        }
        page = Optional.empty();
        redelivered(job, now);
    }

    private void redelivered(PageJob job, Instant now) {
        Cursor committed = cursors.get(job.relay().relay());
        Cursor last = redeliveries.getOrDefault(job.relay().relay(), Cursor.ZERO);
        boolean beyond = false;
        for (Message.PulledBlob b : job.page().blobs()) {
            if (b.cursor().isAfter(committed)) {
                beyond = true; // the normal pull handles what was never committed
                break;
            }
            last = b.cursor();
        }
        afterRedelivery(job, last, beyond, now);
    }

    private void afterRedelivery(PageJob job, Cursor last, boolean beyond, Instant now) {
        RelayConnection r = job.relay();
        Cursor committed = cursors.get(r.relay());
        Message.PullResponse page = job.page();
        boolean done = beyond || !page.hasMore() || page.blobs().isEmpty() || !committed.isAfter(last);
        if (done) {
            redeliveries.remove(r.relay());
        } else {
            redeliveries.put(r.relay(), last);
        }
        if (isCurrent(job)) {
            r.pullInFlight = false;
            maybePull(r, now);
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
                r.closedOrderly();
            }
        }
    }

    private void maybeFinishClose(Instant now) {
        if (!closing || closed || flushCheckWanted || outstandingIs(Local.CheckFlushed.class)) {
            return;
        }
        boolean deadlinePassed = !now.isBefore(closeDeadline);
        for (RelayConnection r : relays.values()) {
            if (r.state() == RelayConnection.State.CONNECTED && r.outstanding.isEmpty() && !r.backlog && !r.outboxWanted
                    && !pushing(r)) {
                send(r, new Message.Bye());
                actions.add(new Action.Close(r.relay(), r.liveConnection()));
                r.closedOrderly();
            } else if (deadlinePassed && r.isLive()) {
                actions.add(new Action.Close(r.relay(), r.liveConnection()));
                r.closedOrderly();
            }
        }
        if (relays.values().stream().allMatch(r -> r.state() == RelayConnection.State.CLOSED)) {
            flushCheckWanted = true; // after the acknowledgements and pages that wait
        }
    }

    /** True while local work may still give {@code r} pushes to send: an outbox read or an enqueue is pending. */
    private boolean pushing(RelayConnection r) {
        return !pushes.isEmpty() || !enqueueing.isEmpty() || !unrecordedAcks.isEmpty()
                || outstanding.filter(c -> c instanceof Local.ReadOutbox o && o.relay().equals(r.relay())
                        || c instanceof Local.Acknowledge).isPresent();
    }

    // ---------------------------------------------------------------- status

    /**
     * Reports the status once local work settles: while a store call is outstanding the status
     * keeps its last value (an outbox read may still find pushes, a page is not yet committed), so
     * a driver never sees SYNCED before the outbox was read, nor a PENDING-SYNCED flap for a read
     * that found nothing.
     */
    private void updateStatus() {
        if (outstanding.isPresent()) {
            return;
        }
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
            return SyncStatus.of(SyncStatus.Kind.FAILED, localFailure.get());
        }
        if (allFailedLatched) {
            return SyncStatus.of(SyncStatus.Kind.FAILED, "all " + relays.size() + " relays failed; retrying with backoff, "
                    + "pushes wait in the outbox");
        }
        List<RelayConnection> connected = relays.values().stream()
                .filter(r -> r.state() == RelayConnection.State.CONNECTED).toList();
        if (connected.isEmpty()) {
            return SyncStatus.OFFLINE;
        }
        if (!pushes.isEmpty() || !enqueueing.isEmpty() || page.isPresent() || !pages.isEmpty()
                || connected.stream().anyMatch(r -> r.busy(cursors.get(r.relay())) || r.outboxWanted || r.pullAfterOutboxRead)) {
            return SyncStatus.of(SyncStatus.Kind.PENDING);
        }
        if (connected.size() < relays.size()) {
            return SyncStatus.of(SyncStatus.Kind.CONNECTED, connected.size() + " of " + relays.size() + " relays connected");
        }
        if (connected.stream().anyMatch(r -> r.pushBlocked || !r.tooLarge.isEmpty())) {
            return SyncStatus.of(SyncStatus.Kind.CONNECTED, "a relay refuses some pushes (quota or size)");
        }
        return SyncStatus.of(SyncStatus.Kind.SYNCED);
    }

    // ---------------------------------------------------------------- helpers

    private boolean anyConnected() {
        return relays.values().stream().anyMatch(r -> r.state() == RelayConnection.State.CONNECTED);
    }

    private void send(RelayConnection r, Message message) {
        actions.add(new Action.Send(r.relay(), r.liveConnection(), message));
    }

    private void emit(SyncEvent event) {
        events.add(event);
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
}
