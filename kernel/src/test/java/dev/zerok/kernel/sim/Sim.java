package dev.zerok.kernel.sim;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.RelaySession;
import dev.zerok.kernel.relay.TokenBucketLimiter;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.sync.SyncRunner;
import dev.zerok.kernel.sync.SyncException;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoredBlob;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A deterministic in-memory world of devices and relays in the style of quinn's {@code Pair}:
 * every machine is the product's own and only the I/O is simulated.
 *
 * <p>Real: each device's {@link SyncEngine} (real crypto from adapters-crypto, an in-memory
 * client store); each connection's two {@link SecureChannel}s (the hybrid Noise XXhfs handshake,
 * framing, {@code MessageCodec}, transport encryption), the relay side's {@link RelaySession}
 * (every protocol decision: Hello checks, in-order service, rate limiting, refusals, Notify),
 * one {@link TokenBucketLimiter} per relay shared by its sessions, the membership proof check.
 * Simulated: the transport (each connection is an ordered, lossless pair of queues with a fixed
 * one-way latency per device and relay; the transport connect takes one one-way latency), the
 * relay store ({@link SimRelayStore}: no expiry, quota or bit rot), the relay's outbound buffer
 * (never blocked: no {@code OutboundBlocked}), the relay-wide inbound budget and session caps.
 *
 * <p>Time is virtual ({@link #now()}), starting at {@link #T0}; it moves only in {@link #runFor}
 * and {@link #runUntil}, to the next delivery or machine deadline ({@link SyncEngine#nextDeadline()},
 * {@link RelaySession#nextDeadline()}). One seed drives all entropy (identities, handshake
 * ephemerals, blob ids, nonces, jitter), and every collection is iterated in insertion order, so
 * a run replays exactly from its seed. No threads, sockets, files or wall clock.
 *
 * <p>Not thread-safe.
 */
public final class Sim {
    /** Where virtual time starts. */
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** The default rate limits, as relay-app's defaults: device 200/s burst 400, group 1,000/2,000, global 5,000/10,000. */
    public static final TokenBucketLimiter.Rate DEFAULT_DEVICE_RATE = new TokenBucketLimiter.Rate(200, 400);
    private static final TokenBucketLimiter.Rate DEFAULT_GROUP_RATE = new TokenBucketLimiter.Rate(1_000, 2_000);
    private static final TokenBucketLimiter.Rate DEFAULT_GLOBAL_RATE = new TokenBucketLimiter.Rate(5_000, 10_000);
    /** Bound on the steps of one settle: a livelock is a test failure, not a hang. */
    private static final int MAX_STEPS = 10_000_000;

    static final KeyExchange CRYPTO = crypto();

    private final SeededEntropy entropy;
    private final GroupKeys keys;
    private final Hash sha256;
    private final Signer ed25519;
    private final List<SimRelay> relays = new ArrayList<>();
    private final List<SimDevice> devices = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            Comparator.comparing(Event::at).thenComparingLong(Event::sequence));
    private long nextSequence;
    /** Links created so far: a link's {@code accepted} is its place in the relays' accept order. */
    private long acceptedLinks;
    private Instant now = T0;

    /** A world whose every random choice derives from {@code seed}. */
    public Sim(long seed) {
        this.entropy = new SeededEntropy(seed);
        try {
            this.keys = GroupKeys.derive(CRYPTO, Secret.adopt(entropy.bytes(32)));
            this.sha256 = CRYPTO.hash("SHA256");
            this.ed25519 = CRYPTO.signer("Ed25519");
        } catch (Exception e) {
            throw new AssertionError("the simulator's crypto is unavailable", e);
        }
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError("adapters-crypto is unavailable", e);
        }
    }

    /** The current virtual time. */
    public Instant now() {
        return now;
    }

    /** The one group every device of this world belongs to. */
    public GroupId group() {
        return keys.groupId();
    }

    /** A relay with {@code limits} and relay-app's default rate limits. */
    public SimRelay relay(RelayLimits limits) {
        return relay(limits, DEFAULT_DEVICE_RATE);
    }

    /**
     * A relay with {@code limits} and a per-device token bucket of {@code perDevice}; the group
     * and global buckets keep relay-app's defaults (wider than any per-device rate here).
     */
    public SimRelay relay(RelayLimits limits, TokenBucketLimiter.Rate perDevice) {
        KeyPair identity = StaticIdentity.generate(dh(), entropy);
        TokenBucketLimiter<DeviceId> limiter = new TokenBucketLimiter<>(perDevice, DEFAULT_GROUP_RATE, DEFAULT_GLOBAL_RATE,
                100_000, now);
        SimRelay r = new SimRelay(identity, limits, limiter, (group, device, proof, handshakeHash) ->
                MembershipProof.decode(proof).map(p -> p.verify(ed25519, sha256, group, handshakeHash)).orElse(false));
        relays.add(r);
        return r;
    }

    /** A device of the group using {@code order} (preference order) with the engine's default config. */
    public SimDevice device(List<SimRelay> order) {
        return device(order, c -> c);
    }

    /** A device of the group using {@code order}, its default {@link SyncConfig} changed by {@code tweak}. */
    public SimDevice device(List<SimRelay> order, UnaryOperator<SyncConfig> tweak) {
        KeyPair identity = StaticIdentity.generate(dh(), entropy);
        DeviceId id = StaticIdentity.deviceId(sha256, identity.publicKey());
        SimDevice d = new SimDevice(this, id, identity);
        SyncConfig config = tweak.apply(SyncConfig.defaults(id, order.stream().map(SimRelay::id).toList()));
        try {
            d.engine = new SyncRunner(config, keys, CRYPTO, entropy, d.store, d.delivered::add);
        } catch (SyncException e) {
            throw new AssertionError(e);
        }
        d.engine.addListener(d.events::add);
        devices.add(d);
        return d;
    }

    private dev.zerok.ports.crypto.Dh dh() {
        try {
            return CRYPTO.dh("25519");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Starts {@code d}'s engine (it connects to its relays) and executes what follows at the current time. */
    public void start(SimDevice d) {
        feed(d, new SyncEngine.Input.Start());
        settle();
    }

    /** Moves virtual time forward by {@code duration}, executing everything due on the way. */
    public void runFor(Duration duration) {
        runUntil(() -> false, duration);
    }

    /**
     * Executes deliveries and deadlines in time order until {@code condition} holds (checked
     * whenever the world is quiet at one instant) or {@code max} of virtual time passed.
     *
     * @return whether the condition held; time stops where it held, or at {@code now + max}
     */
    public boolean runUntil(BooleanSupplier condition, Duration max) {
        Instant end = now.plus(max);
        for (int step = 0; step < MAX_STEPS; step++) {
            settle();
            if (condition.getAsBoolean()) {
                return true;
            }
            Instant next = nextTime();
            if (next == null || next.isAfter(end)) {
                now = end;
                tick();
                settle();
                return condition.getAsBoolean();
            }
            if (next.isAfter(now)) {
                now = next;
            }
            tick();
        }
        throw new AssertionError("the simulation did not reach its end time in " + MAX_STEPS + " steps (livelock?)");
    }

    /** The earliest pending delivery or machine deadline strictly after now, or null if nothing is timed. */
    private Instant nextTime() {
        Instant next = queue.isEmpty() ? null : queue.peek().at();
        for (SimDevice d : devices) {
            next = earliestAfterNow(next, d.engine.nextDeadline().orElse(null));
        }
        for (Link l : links) {
            if (!l.relayClosed && l.session != null) {
                next = earliestAfterNow(next, l.session.nextDeadline().orElse(null));
            }
        }
        return next;
    }

    private Instant earliestAfterNow(Instant a, Instant b) {
        if (b == null) {
            return a;
        }
        if (!b.isAfter(now)) {
            b = now.plusNanos(1); // a deadline already due that a Tick did not clear: look again a moment later
        }
        return a == null || b.isBefore(a) ? b : a;
    }

    /** Feeds Tick to every machine whose deadline is due. */
    private void tick() {
        for (SimDevice d : List.copyOf(devices)) {
            if (d.engine.nextDeadline().filter(t -> !t.isAfter(now)).isPresent()) {
                feed(d, new SyncEngine.Input.Tick());
            }
        }
        for (Link l : List.copyOf(links)) {
            if (!l.relayClosed && l.session != null
                    && l.session.nextDeadline().filter(t -> !t.isAfter(now)).isPresent()) {
                feedRelay(l, new RelaySession.Input.Tick());
            }
        }
    }

    /** Runs every event due at or before now, in (time, sequence) order. */
    private void settle() {
        for (int i = 0; i < MAX_STEPS; i++) {
            Event e = queue.peek();
            if (e == null || e.at().isAfter(now)) {
                return;
            }
            queue.poll();
            e.action().run();
        }
        throw new AssertionError("the world did not settle at " + now);
    }

    private void schedule(Duration delay, Runnable action) {
        queue.add(new Event(now.plus(delay), nextSequence++, action));
    }

    // ---- devices ----------------------------------------------------------------------------

    private void feed(SimDevice d, SyncEngine.Input input) {
        d.engine.handle(input, now);
        drain(d);
    }

    /** Executes the engine's pending actions. */
    void drain(SimDevice d) {
        for (SyncEngine.Action action : d.engine.drainActions()) {
            switch (action) {
                case SyncEngine.Action.Connect c -> connect(d, relay(c), c.connection());
                case SyncEngine.Action.Send s -> {
                    d.sent.add(s.message());
                    Link l = link(d, s.connection());
                    if (l == null || l.deviceClosed || !l.device.isEstablished()) {
                        continue; // a send into a closed or not yet secured connection is lost
                    }
                    try {
                        for (byte[] m : l.device.seal(s.message())) {
                            toRelay(l, m);
                        }
                    } catch (NoiseException e) {
                        deviceLost(l, "sealing failed (" + e.code() + ")");
                    }
                }
                case SyncEngine.Action.Close c -> {
                    Link l = link(d, c.connection());
                    if (l != null && !l.deviceClosed) {
                        l.deviceClosed = true;
                        l.device.close();
                        schedule(l.latency, () -> relayTransportClosed(l));
                    }
                }
            }
        }
    }

    private SimRelay relay(SyncEngine.Action.Connect c) {
        return relays.stream().filter(r -> r.id.equals(c.relay())).findFirst()
                .orElseThrow(() -> new AssertionError("the engine connects to a relay the world does not have"));
    }

    private Link link(SimDevice d, long connection) {
        for (Link l : links) {
            if (l.owner == d && l.connection == connection) {
                return l;
            }
        }
        return null;
    }

    private void connect(SimDevice d, SimRelay r, long connection) {
        Duration latency = d.latency.getOrDefault(r, Duration.ZERO);
        SecureChannel deviceSide;
        SecureChannel relaySide;
        try {
            deviceSide = SecureChannel.initiator(HybridHandshake.initiator(CRYPTO, entropy, d.identity, r.id.bytes()),
                    r.limits.maxFrameBytes());
            relaySide = SecureChannel.responder(HybridHandshake.responder(CRYPTO, entropy, r.identity), r.limits.maxFrameBytes());
        } catch (NoiseException e) {
            throw new AssertionError("cannot start a handshake", e);
        }
        relaySide.inboundFrameLimit(RelayLimits.HELLO_FRAME_BYTES);
        Link l = new Link(d, r, connection, ++acceptedLinks, latency, deviceSide, relaySide);
        links.add(l);
        r.links.add(l);
        // The transport connect takes one one-way latency; then both ends see the connection.
        schedule(latency, () -> {
            if (l.deviceClosed) {
                l.relayClosed = true;
                return;
            }
            l.session = new RelaySession(r.limits, r.verifier, r.limiter, now);
            feed(d, new SyncEngine.Input.TransportConnected(r.id, connection));
            try {
                for (byte[] m : deviceSide.start()) {
                    toRelay(l, m);
                }
            } catch (NoiseException e) {
                deviceLost(l, "handshake failed (" + e.code() + ")");
            }
        });
    }

    private void toRelay(Link l, byte[] transportMessage) {
        schedule(l.latency, () -> {
            if (l.relayClosed) {
                return;
            }
            l.relayInbox.add(transportMessage);
            relayRead(l);
        });
    }

    private void toDevice(Link l, byte[] transportMessage) {
        schedule(l.latency, () -> deviceReceive(l, transportMessage));
    }

    private void deviceReceive(Link l, byte[] transportMessage) {
        if (l.deviceClosed) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = l.device.receive(transportMessage);
        } catch (NoiseException e) {
            deviceLost(l, "secure channel failed (" + e.code() + ")");
            return;
        } catch (ProtocolException e) {
            deviceLost(l, "relay sent a malformed frame (" + e.code() + ")");
            return;
        }
        for (byte[] out : received.toSend()) {
            toRelay(l, out);
        }
        if (received.handshakeCompleted()) {
            feed(l.owner, new SyncEngine.Input.HandshakeCompleted(l.relay.id, l.connection, l.device.handshakeHash()));
        }
        for (Message m : received.messages()) {
            if (l.deviceClosed) {
                return; // the engine closed this connection while handling an earlier message
            }
            feed(l.owner, new SyncEngine.Input.Received(l.relay.id, l.connection, m));
        }
    }

    /** The device end fails: it closes, the engine hears it, the relay sees the transport close after the latency. */
    private void deviceLost(Link l, String cause) {
        if (l.deviceClosed) {
            return;
        }
        l.deviceClosed = true;
        l.device.close();
        schedule(l.latency, () -> relayTransportClosed(l));
        feed(l.owner, new SyncEngine.Input.Disconnected(l.relay.id, l.connection, cause));
    }

    // ---- relays -----------------------------------------------------------------------------

    /** Reads what waits on the relay side unless its reading is paused, as relay-app's RelayConnection does. */
    private void relayRead(Link l) {
        while (!l.relayClosed && !l.readingPaused && !l.relayInbox.isEmpty()) {
            byte[] message = l.relayInbox.poll();
            SecureChannel.Received received;
            try {
                received = l.relaySide.receive(message);
            } catch (NoiseException e) {
                relayCloseNow(l);
                return;
            } catch (ProtocolException e) {
                feedRelay(l, new RelaySession.Input.ProtocolViolation("malformed frame or message: " + e.code()));
                continue;
            }
            for (byte[] out : received.toSend()) {
                toDevice(l, out);
            }
            if (!received.handshakeCompleted() && !l.relaySide.isEstablished()) {
                feedRelay(l, new RelaySession.Input.HandshakeProgress());
            }
            if (received.handshakeCompleted()) {
                l.deviceId = StaticIdentity.deviceId(sha256, l.relaySide.remoteStatic());
                feedRelay(l, new RelaySession.Input.HandshakeCompleted(l.deviceId, l.relaySide.handshakeHash()));
            }
            for (Message m : received.messages()) {
                if (m instanceof Message.Hello || m instanceof Message.Push || m instanceof Message.Pull) {
                    l.requests.add(m);
                }
                feedRelay(l, new RelaySession.Input.Received(m));
            }
            if (l.relaySide.isEstablished()) {
                feedRelay(l, new RelaySession.Input.StreamProgress(received.messages().size(), l.relaySide.bufferedInboundBytes()));
            }
        }
    }

    /** Feeds one input and executes the session's actions; store results go back in before anything else. */
    private void feedRelay(Link l, RelaySession.Input input) {
        if (l.session == null || l.session.state() == RelaySession.State.CLOSED) {
            return;
        }
        ArrayDeque<RelaySession.Input> pending = new ArrayDeque<>();
        pending.add(input);
        while (!pending.isEmpty()) {
            l.session.handle(pending.poll(), now);
            for (RelaySession.Action action : l.session.drainActions()) {
                RelaySession.Input result = executeRelay(l, action);
                if (result != null) {
                    pending.add(result);
                }
            }
        }
    }

    /** Executes one relay action as relay-app's RelayConnection and GroupRouter do; returns a store result or null. */
    private RelaySession.Input executeRelay(Link l, RelaySession.Action action) {
        SimRelay r = l.relay;
        switch (action) {
            case RelaySession.Action.Send send -> {
                if (l.relayClosed) {
                    return null;
                }
                Message m = send.message();
                if (m instanceof Message.Welcome || m instanceof Message.PushAck || m instanceof Message.PullResponse
                        || m instanceof Message.Error) {
                    // The session answers requests one each, in order: this answers the oldest.
                    Message request = l.requests.poll();
                    if (m instanceof Message.Error error && request instanceof Message.Push) {
                        r.pushesRefused.merge(error.code(), 1, Integer::sum);
                    }
                }
                if (m instanceof Message.Error error) {
                    r.errorsSent.merge(error.code(), 1, Integer::sum);
                }
                try {
                    for (byte[] out : l.relaySide.seal(send.message())) {
                        toDevice(l, out);
                    }
                } catch (NoiseException e) {
                    relayCloseNow(l);
                }
            }
            case RelaySession.Action.ReadHead read -> {
                try {
                    Cursor oldest = r.store.oldestRetained(read.group(), now);
                    return new RelaySession.Input.HeadRead(r.store.head(read.group()), oldest);
                } catch (RelayStoreException e) {
                    return new RelaySession.Input.StoreUnavailable();
                }
            }
            case RelaySession.Action.Append append -> {
                try {
                    AppendResult result = r.store.append(append.group(), append.sender(), append.blob(), append.payload(), now,
                            append.ttl());
                    return new RelaySession.Input.AppendCompleted(append.blob(), result.cursor(), result.duplicate());
                } catch (RelayStoreException e) {
                    return new RelaySession.Input.StoreUnavailable();
                }
            }
            case RelaySession.Action.AppendAll all -> {
                // As relay-app's RelayConnection: one RelayStore.appendAll, one outcome per push.
                List<AppendRequest> requests = all.appends().stream()
                        .map(a -> new AppendRequest(a.group(), a.sender(), a.blob(), a.payload(), a.ttl())).toList();
                List<RelaySession.Input.PushOutcome> outcomes = new ArrayList<>();
                List<AppendOutcome> stored = r.store.appendAll(requests, now);
                for (int i = 0; i < stored.size(); i++) {
                    outcomes.add(switch (stored.get(i)) {
                        case AppendResult result -> new RelaySession.Input.AppendCompleted(all.appends().get(i).blob(),
                                result.cursor(), result.duplicate());
                        case AppendOutcome.Refused refused -> new RelaySession.Input.StoreUnavailable();
                    });
                }
                return new RelaySession.Input.AppendsCompleted(outcomes);
            }
            case RelaySession.Action.ReadPage read -> {
                try {
                    Page page = r.store.pageAfter(read.group(), read.after(), read.maxBlobs(), read.maxBytes(), now);
                    List<Message.PulledBlob> blobs = new ArrayList<>();
                    for (StoredBlob b : page.blobs()) {
                        blobs.add(new Message.PulledBlob(b.cursor(), b.blob(), b.sender(), b.payload()));
                    }
                    return new RelaySession.Input.PageRead(blobs, page.hasMore(), page.withheld());
                } catch (RelayStoreException e) {
                    return new RelaySession.Input.StoreUnavailable();
                }
            }
            case RelaySession.Action.JoinGroup join -> {
                r.groups.computeIfAbsent(join.group(), g -> new LinkedHashSet<>()).add(l);
                // As relay-app's RelayRuntime.claimDevice: the later-accepted connection wins.
                Link held = r.devices.get(join.device());
                Link loser = held == null || held == l ? null : held.accepted > l.accepted ? l : held;
                if (loser != l) {
                    r.devices.put(join.device(), l);
                }
                if (loser != null) {
                    schedule(Duration.ZERO, () -> feedRelay(loser, new RelaySession.Input.Superseded()));
                }
            }
            case RelaySession.Action.LeaveGroup leave -> leaveGroup(l, leave.group());
            case RelaySession.Action.Broadcast broadcast -> {
                // Each other session learns it on its own lane in relay-app: later, never inside this feed.
                for (Link other : r.groups.getOrDefault(broadcast.group(), new LinkedHashSet<>())) {
                    if (other != l) {
                        schedule(Duration.ZERO, () -> feedRelay(other, new RelaySession.Input.GroupAdvanced(broadcast.head())));
                    }
                }
            }
            case RelaySession.Action.AcceptFrames accept -> l.relaySide.inboundFrameLimit(accept.maxFrameBytes());
            case RelaySession.Action.PauseReading pause -> l.readingPaused = true;
            case RelaySession.Action.ResumeReading resume -> {
                l.readingPaused = false;
                schedule(Duration.ZERO, () -> relayRead(l));
            }
            case RelaySession.Action.Withheld withheld -> r.withheld += withheld.count();
            case RelaySession.Action.Close close -> relayCloseNow(l);
        }
        return null;
    }

    private void leaveGroup(Link l, GroupId group) {
        LinkedHashSet<Link> members = l.relay.groups.get(group);
        if (members != null && members.remove(l) && members.isEmpty()) {
            l.relay.groups.remove(group);
        }
    }

    /** The relay closes the connection after the sends already queued; the device sees it after the latency. */
    private void relayCloseNow(Link l) {
        if (l.relayClosed) {
            return;
        }
        l.relayClosed = true;
        l.relaySide.close();
        l.relay.devices.remove(l.deviceId, l);
        if (l.session != null && l.session.state() != RelaySession.State.CLOSED) {
            l.session.handle(new RelaySession.Input.TransportClosed(), now);
            for (RelaySession.Action action : l.session.drainActions()) {
                if (action instanceof RelaySession.Action.LeaveGroup leave) {
                    leaveGroup(l, leave.group());
                }
            }
        }
        schedule(l.latency, () -> {
            if (!l.deviceClosed) {
                l.deviceClosed = true;
                l.device.close();
                feed(l.owner, new SyncEngine.Input.Disconnected(l.relay.id, l.connection, "closed by the relay"));
            }
        });
    }

    /** The device's close reached the relay. */
    private void relayTransportClosed(Link l) {
        relayCloseNow(l);
    }

    /** One connection: the device's and the relay's SecureChannel, the relay's session, the latency. */
    static final class Link {
        final SimDevice owner;
        final SimRelay relay;
        final long connection;
        /** The order in which the relay accepted this connection (1 for the world's first). */
        final long accepted;
        final Duration latency;
        final SecureChannel device;
        final SecureChannel relaySide;
        final ArrayDeque<byte[]> relayInbox = new ArrayDeque<>();
        /** Requests the relay read and has not answered yet, oldest first. */
        final ArrayDeque<Message> requests = new ArrayDeque<>();
        RelaySession session;
        DeviceId deviceId;
        boolean readingPaused;
        boolean deviceClosed;
        boolean relayClosed;

        Link(SimDevice owner, SimRelay relay, long connection, long accepted, Duration latency, SecureChannel device,
                SecureChannel relaySide) {
            this.owner = owner;
            this.relay = relay;
            this.connection = connection;
            this.accepted = accepted;
            this.latency = latency;
            this.device = device;
            this.relaySide = relaySide;
        }
    }

    private record Event(Instant at, long sequence, Runnable action) {}
}
