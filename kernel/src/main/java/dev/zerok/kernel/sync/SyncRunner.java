package dev.zerok.kernel.sync;

import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a {@link SyncEngine} against this device's own ports, synchronously: every
 * {@link SyncEngine.Local.StoreCall} is executed on the {@link ClientStateStore} and the
 * application's {@link Inbox} as soon as the engine issues it and its result is fed straight back,
 * and the engine's events go to the {@link SyncListener}s. What is left for the caller is the
 * network: {@link #drainActions} (connect, send, close) and the transport inputs.
 *
 * <p>So a call returns with the device's state as durable as the engine asked: {@link #pushAll}
 * returns once the outbox write committed, {@link #handleAll} once the acknowledgements and pages
 * its inputs produced are committed. Batching is the engine's: the inputs of one
 * {@link #handleAll} share one acknowledgement write, the items of one {@link #pushAll} one
 * outbox write.
 *
 * <p>Not thread-safe: one driver thread calls every method. A listener must return quickly and
 * must not call back into the runner.
 */
public final class SyncRunner {
    private final SyncEngine engine;
    private final ClientStateStore store;
    private final Inbox inbox;
    private final List<SyncListener> listeners = new ArrayList<>();
    private final Map<Long, SyncEngine.Local> pushAnswers = new HashMap<>();
    /** The store failure behind the latest {@link SyncEngine.Input.StoreFailed}, kept as the cause of a refused push. */
    private Optional<ClientStateException> lastStoreFailure = Optional.empty();
    private long nextRequest = 1;

    /**
     * Creates a runner and its engine; nothing happens until {@link SyncEngine.Input.Start}.
     *
     * @param config device, relays and limits
     * @param groupKeys the group's keys (not closed by the engine)
     * @param crypto supplies Ed25519, XChaChaPoly and SHA256
     * @param entropy blob ids, nonces and backoff jitter
     * @param store the device's durable sync state
     * @param inbox where received blobs go
     * @throws SyncException coded {@code CRYPTO_UNAVAILABLE} if {@code crypto} lacks a primitive
     */
    public SyncRunner(SyncConfig config, GroupKeys groupKeys, KeyExchange crypto, Entropy entropy, ClientStateStore store,
            Inbox inbox) throws SyncException {
        this.engine = new SyncEngine(config, groupKeys, crypto, entropy);
        this.store = Objects.requireNonNull(store, "store");
        this.inbox = Objects.requireNonNull(inbox, "inbox");
    }

    /** The engine this runner drives (for its read-only views). */
    public SyncEngine engine() {
        return engine;
    }

    /** Registers a listener; it receives every later event. */
    public void addListener(SyncListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @see SyncEngine#status() */
    public SyncStatus status() {
        return engine.status();
    }

    /** @see SyncEngine#relay(RelayId) */
    public RelayConnection relay(RelayId relay) {
        return engine.relay(relay);
    }

    /** @see SyncEngine#relays() */
    public List<RelayConnection> relays() {
        return engine.relays();
    }

    /** @see SyncEngine#pullCursor(RelayId) */
    public Cursor pullCursor(RelayId relay) {
        return engine.pullCursor(relay);
    }

    /** @see SyncEngine#versionVector() */
    public VersionVector versionVector() {
        return engine.versionVector();
    }

    /** @see SyncEngine#isClosed() */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /** @see SyncEngine#redelivering() */
    public boolean redelivering() {
        return engine.redelivering();
    }

    /** @see SyncEngine#nextDeadline() */
    public Optional<Instant> nextDeadline() {
        return engine.nextDeadline();
    }

    /** The network actions produced so far, in order. @see SyncEngine#drainActions() */
    public List<SyncEngine.Action> drainActions() {
        return engine.drainActions();
    }

    /** Consumes one event and runs the local work it causes. */
    public void handle(SyncEngine.Input input, Instant now) {
        handleAll(List.of(input), now);
    }

    /** Consumes several events (see {@link SyncEngine#handleAll}) and runs the local work they cause. */
    public void handleAll(List<SyncEngine.Input> inputs, Instant now) {
        engine.handleAll(inputs, now);
        runLocal(now);
    }

    /** {@link #push(SyncPayload.Kind, byte[], Instant)} of kind {@link SyncPayload.Kind#DATA}. */
    public BlobId push(byte[] data, Instant now) throws SyncException {
        return push(SyncPayload.Kind.DATA, data, now);
    }

    /**
     * Seals {@code data} with the next sender sequence number and queues it in the persistent
     * outbox for every relay ({@link SyncEngine.Input.Push}); when this returns, the blob survives
     * a crash.
     *
     * @return the new blob's id (16 random bytes from the Entropy port)
     * @throws SyncException coded {@code NOT_STARTED} before the start succeeded, {@code CLOSED}
     *     after a close was requested, {@code CRYPTO_UNAVAILABLE} if sealing failed,
     *     {@code STORE_FAILED} if the outbox could not be written (nothing was queued)
     */
    public BlobId push(SyncPayload.Kind kind, byte[] data, Instant now) throws SyncException {
        return pushAll(List.of(new SyncEngine.Outgoing(kind, data)), now).get(0);
    }

    /**
     * Seals several blobs with consecutive sender sequence numbers and queues them with one outbox
     * write; otherwise as {@link #push(SyncPayload.Kind, byte[], Instant)}.
     *
     * @return the new blob ids, in the order of {@code items}
     * @throws IllegalArgumentException if {@code items} is empty
     */
    public List<BlobId> pushAll(List<SyncEngine.Outgoing> items, Instant now) throws SyncException {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("pushAll needs at least one blob");
        }
        long request = nextRequest++;
        handle(new SyncEngine.Input.Push(request, items), now);
        SyncEngine.Local answer = pushAnswers.remove(request);
        return switch (answer) {
            case SyncEngine.Local.PushQueued q -> q.blobs();
            case SyncEngine.Local.PushRefused r -> throw r.code() == SyncException.Code.STORE_FAILED && lastStoreFailure.isPresent()
                    ? new SyncException(r.code(), r.message(), lastStoreFailure.get())
                    : new SyncException(r.code(), r.message());
            case null -> throw new IllegalStateException("the engine did not answer a push");
            default -> throw new IllegalStateException("not a push answer: " + answer.getClass().getSimpleName());
        };
    }

    /** Executes local work until the engine issues none, then hands its events to the listeners. */
    private void runLocal(Instant now) {
        List<SyncEngine.Local> work = engine.drainLocal();
        while (!work.isEmpty()) {
            for (SyncEngine.Local item : work) {
                switch (item) {
                    case SyncEngine.Local.PushQueued q -> pushAnswers.put(q.request(), q);
                    case SyncEngine.Local.PushRefused r -> pushAnswers.put(r.request(), r);
                    case SyncEngine.Local.StoreCall call -> engine.handle(execute(call), now);
                }
            }
            work = engine.drainLocal();
        }
        for (SyncEvent event : engine.pollEvents()) {
            for (SyncListener listener : List.copyOf(listeners)) {
                try {
                    listener.onEvent(event);
                } catch (RuntimeException ignored) {
                    // A faulty listener must not stop sync.
                }
            }
        }
    }

    private SyncEngine.Input.LocalResult execute(SyncEngine.Local.StoreCall call) {
        try {
            return switch (call) {
                case SyncEngine.Local.LoadState l -> {
                    Map<RelayId, Cursor> cursors = new LinkedHashMap<>();
                    for (RelayId relay : l.relays()) {
                        cursors.put(relay, store.pullCursor(relay));
                    }
                    yield new SyncEngine.Input.StateLoaded(store.versionVector(), cursors);
                }
                case SyncEngine.Local.Enqueue e -> {
                    store.enqueueAll(e.entries(), e.relays(), e.vector());
                    yield new SyncEngine.Input.Completed();
                }
                case SyncEngine.Local.Acknowledge a -> {
                    store.acknowledgeAll(a.acknowledgements());
                    yield new SyncEngine.Input.Completed();
                }
                case SyncEngine.Local.ReadOutbox o -> new SyncEngine.Input.OutboxRead(store.pending(o.relay(), o.max(), o.excluding()));
                case SyncEngine.Local.ReadIndex i -> {
                    Map<DeviceId, List<BlobIndexEntry>> received = new HashMap<>();
                    for (Map.Entry<DeviceId, Long> e : i.receivedAbove().entrySet()) {
                        received.put(e.getKey(), store.received(e.getKey(), e.getValue()));
                    }
                    yield new SyncEngine.Input.IndexRead(store.blobs(i.blobs()), received);
                }
                case SyncEngine.Local.CommitPage c -> {
                    Optional<SyncEngine.Input.LocalResult> refused = deliver(c.deliveries());
                    if (refused.isPresent()) {
                        yield refused.get();
                    }
                    store.commitPulled(c.relay(), c.cursor(), c.entries(), c.vector());
                    yield new SyncEngine.Input.Completed();
                }
                case SyncEngine.Local.Redeliver r -> deliver(r.deliveries()).orElse(new SyncEngine.Input.Completed());
                case SyncEngine.Local.CheckFlushed f -> {
                    boolean flushed = true;
                    for (RelayId relay : f.relays()) {
                        flushed &= store.pending(relay, 1).isEmpty();
                    }
                    yield new SyncEngine.Input.FlushChecked(flushed);
                }
            };
        } catch (ClientStateException e) {
            lastStoreFailure = Optional.of(e);
            return new SyncEngine.Input.StoreFailed(e.code());
        } catch (RuntimeException e) {
            // A store adapter that throws unchecked is a failed store: the engine retries as for IO.
            lastStoreFailure = Optional.empty();
            return new SyncEngine.Input.StoreFailed(ClientStateException.Code.IO);
        }
    }

    /** Hands blobs to the application and flushes it; the refusal as a result, if it refused. */
    private Optional<SyncEngine.Input.LocalResult> deliver(List<DeliveredBlob> deliveries) {
        try {
            for (DeliveredBlob d : deliveries) {
                inbox.deliver(d);
            }
            inbox.flush();
            return Optional.empty();
        } catch (SyncException e) {
            return Optional.of(new SyncEngine.Input.InboxFailed(Optional.of(e.getMessage())));
        } catch (RuntimeException e) {
            return Optional.of(new SyncEngine.Input.InboxFailed(Optional.empty()));
        }
    }
}
