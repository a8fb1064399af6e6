package dev.zerok.kernel.sync;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A deterministic in-memory world for the sync engine's tests: fake relays (a log per relay,
 * strict in-order replies, real membership-proof checks, optional latency, kill and revive),
 * devices (a real {@link SyncEngine} each, with real crypto from adapters-crypto, an in-memory
 * store and a recording inbox and listener) and a virtual clock. {@link #settle()} routes actions
 * until the world is quiet; {@link #advance} moves time and ticks every device.
 */
final class World {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final KeyExchange CRYPTO = crypto();

    final SeededEntropy entropy;
    final GroupKeys keys;
    final Map<RelayId, FakeRelay> relays = new LinkedHashMap<>();
    final List<Device> devices = new ArrayList<>();
    Instant now = T0;
    private final List<Reply> inFlight = new ArrayList<>();

    World(long seed) {
        this.entropy = new SeededEntropy(seed);
        try {
            this.keys = GroupKeys.derive(CRYPTO, Secret.adopt(entropy.bytes(32)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    FakeRelay relay() {
        FakeRelay r = new FakeRelay(new RelayId(entropy.bytes(RelayId.LENGTH)));
        relays.put(r.id, r);
        return r;
    }

    Device device(List<FakeRelay> order) {
        return device(order, c -> c, new InMemoryClientStateStore.Disk(), new DeviceId(entropy.bytes(DeviceId.LENGTH)));
    }

    Device device(List<FakeRelay> order, UnaryOperator<SyncConfig> tweak, InMemoryClientStateStore.Disk disk, DeviceId id) {
        SyncConfig config = tweak.apply(SyncConfig.defaults(id, order.stream().map(r -> r.id).toList()));
        Device d = new Device(id, new InMemoryClientStateStore(disk));
        try {
            d.engine = new SyncRunner(config, keys, CRYPTO, entropy, d.store, d.delivered::add);
        } catch (SyncException e) {
            throw new AssertionError(e);
        }
        d.engine.addListener(d.events::add);
        devices.add(d);
        return d;
    }

    /** A device of this world restarted: a new engine on the same disk and device id. */
    Device restart(Device old, List<FakeRelay> order) {
        devices.remove(old);
        for (FakeRelay r : relays.values()) {
            r.sessions.keySet().removeIf(k -> k.device == old);
        }
        return device(order, c -> c, old.store.disk(), old.id);
    }

    void start(Device d) {
        d.engine.handle(new SyncEngine.Input.Start(), now);
        settle();
    }

    /** Routes actions and due replies until nothing moves (bounded). */
    void settle() {
        for (int round = 0; round < 100_000; round++) {
            boolean moved = false;
            for (Device d : List.copyOf(devices)) {
                List<SyncEngine.Action> actions = d.engine.drainActions();
                d.actions.addAll(actions);
                for (SyncEngine.Action a : actions) {
                    moved = true;
                    execute(d, a);
                }
            }
            Iterator<Reply> it = inFlight.iterator();
            List<Reply> due = new ArrayList<>();
            while (it.hasNext()) {
                Reply r = it.next();
                if (!r.at.isAfter(now)) {
                    due.add(r);
                    it.remove();
                }
            }
            for (Reply r : due) {
                moved = true;
                if (devices.contains(r.device)) {
                    r.device.engine.handle(r.input, now);
                }
            }
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the world did not settle");
    }

    /** Moves the clock by {@code d} in steps no longer than each device's next deadline, ticking as it goes. */
    void advance(Duration d) {
        Instant end = now.plus(d);
        settle();
        for (int i = 0; i < 100_000; i++) {
            Instant next = end;
            for (Device dev : devices) {
                Instant dl = dev.engine.nextDeadline().orElse(end);
                if (dl.isBefore(next)) {
                    next = dl;
                }
            }
            for (Reply r : inFlight) {
                if (r.at.isBefore(next)) {
                    next = r.at;
                }
            }
            if (next.isAfter(now)) {
                now = next;
            }
            for (Device dev : List.copyOf(devices)) {
                dev.engine.handle(new SyncEngine.Input.Tick(), now);
            }
            settle();
            if (!now.isBefore(end)) {
                return;
            }
        }
        throw new AssertionError("time did not advance");
    }

    /** Advances in one-second steps until {@code condition} holds or {@code max} passed; returns whether it held. */
    boolean runUntil(BooleanSupplier condition, Duration max) {
        Instant end = now.plus(max);
        settle();
        while (!condition.getAsBoolean()) {
            if (!now.isBefore(end)) {
                return false;
            }
            advance(Duration.ofSeconds(1));
        }
        return true;
    }

    private void execute(Device d, SyncEngine.Action action) {
        switch (action) {
            case SyncEngine.Action.Connect c -> {
                FakeRelay r = relays.get(c.relay());
                if (!r.up) {
                    deliver(d, new SyncEngine.Input.Disconnected(c.relay(), c.connection(), "connection refused"), Duration.ZERO);
                    return;
                }
                byte[] hash = entropy.bytes(32);
                r.sessions.put(new SessionKey(d, c.connection()), new FakeRelay.Session(hash));
                deliver(d, new SyncEngine.Input.TransportConnected(c.relay(), c.connection()), r.latency);
                deliver(d, new SyncEngine.Input.HandshakeCompleted(c.relay(), c.connection(), hash), r.latency);
            }
            case SyncEngine.Action.Send s -> {
                FakeRelay r = relays.get(s.relay());
                SessionKey key = new SessionKey(d, s.connection());
                FakeRelay.Session session = r.sessions.get(key);
                if (session == null) {
                    return; // sent into a dead connection: lost
                }
                r.received.add(s.message());
                for (Message reply : r.serve(this, key, session, s.message())) {
                    deliver(d, new SyncEngine.Input.Received(s.relay(), s.connection(), reply), r.latency);
                }
                if (session.killAfterReply) {
                    kill(r);
                }
            }
            case SyncEngine.Action.Close c -> relays.get(c.relay()).sessions.remove(new SessionKey(d, c.connection()));
        }
    }

    void deliver(Device d, SyncEngine.Input input, Duration latency) {
        inFlight.add(new Reply(now.plus(latency), d, input));
    }

    /** The relay dies: every session sees its connection drop; new connects are refused. */
    void kill(FakeRelay r) {
        r.up = false;
        for (SessionKey k : List.copyOf(r.sessions.keySet())) {
            deliver(k.device, new SyncEngine.Input.Disconnected(r.id, k.connection, "connection reset"), Duration.ZERO);
        }
        r.sessions.clear();
        inFlight.removeIf(reply -> reply.input instanceof SyncEngine.Input.Received rec && rec.relay().equals(r.id));
    }

    void revive(FakeRelay r) {
        r.up = true;
    }

    record SessionKey(Device device, long connection) {}

    record Reply(Instant at, Device device, SyncEngine.Input input) {}

    /** A device: its engine, store, and what it saw. */
    static final class Device {
        final DeviceId id;
        final InMemoryClientStateStore store;
        SyncRunner engine;
        final List<DeliveredBlob> delivered = new ArrayList<>();
        final List<SyncEvent> events = new ArrayList<>();
        final List<SyncEngine.Action> actions = new ArrayList<>();

        Device(DeviceId id, InMemoryClientStateStore store) {
            this.id = id;
            this.store = store;
        }

        BlobId push(String text, Instant now) {
            try {
                return engine.push(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), now);
            } catch (SyncException e) {
                throw new AssertionError(e);
            }
        }

        <T extends SyncEvent> List<T> events(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }

        List<String> deliveredTexts() {
            return delivered.stream().map(b -> new String(b.data(), java.nio.charset.StandardCharsets.UTF_8)).toList();
        }

        @Override
        public String toString() {
            return "Device";
        }
    }

    /** A relay that stores and forwards: one log, in-order answers, real proof checks. */
    static final class FakeRelay {
        final RelayId id;
        boolean up = true;
        Duration latency = Duration.ZERO;
        int pageMaxBlobs = Integer.MAX_VALUE;
        /** Answer the next Hello with this error instead of Welcome. */
        ErrorCode refuseHelloWith;
        /** Answer pushes with this error (once per push) while set. */
        ErrorCode refusePushesWith;
        boolean killAfterHello;
        final TreeMap<Long, Message.PulledBlob> log = new TreeMap<>();
        final Map<BlobId, Long> cursorOf = new HashMap<>();
        final Map<SessionKey, Session> sessions = new LinkedHashMap<>();
        final List<Message> received = new ArrayList<>();

        static final class Session {
            final byte[] handshakeHash;
            boolean welcomed;
            DeviceId device;
            boolean killAfterReply;

            Session(byte[] handshakeHash) {
                this.handshakeHash = handshakeHash;
            }
        }

        FakeRelay(RelayId id) {
            this.id = id;
        }

        /** The highest cursor assigned; expiry never lowers it. */
        private long headCursor;
        /** The highest cursor whose blob expired. */
        private long expiredThrough;

        long head() {
            return headCursor;
        }

        /** The relay loses everything (a wiped data directory): log, head and expiry record start over. */
        void wipe() {
            log.clear();
            cursorOf.clear();
            headCursor = 0;
            expiredThrough = 0;
        }

        /** The blob at {@code cursor} expires: it is served no more, and Welcome's oldestCursor moves past it. */
        void expire(long cursor) {
            Message.PulledBlob gone = log.remove(cursor);
            if (gone == null) {
                throw new AssertionError("no blob at cursor " + cursor);
            }
            cursorOf.remove(gone.blob());
            expiredThrough = Math.max(expiredThrough, cursor);
        }

        /** Appends a blob as if pushed by {@code sender} (used to forge replays in tests). */
        long append(BlobId blob, DeviceId sender, byte[] payload) {
            long cursor = ++headCursor;
            log.put(cursor, new Message.PulledBlob(new Cursor(cursor), blob, sender, payload));
            cursorOf.put(blob, cursor);
            return cursor;
        }

        long pushCount(BlobId blob) {
            return received.stream().filter(m -> m instanceof Message.Push p && p.blob().equals(blob)).count();
        }

        List<Message> serve(World world, SessionKey key, Session s, Message m) {
            switch (m) {
                case Message.Hello h -> {
                    MembershipProof proof = MembershipProof.decode(h.membershipProof()).orElseThrow();
                    boolean ok;
                    try {
                        ok = proof.verify(CRYPTO.signer("Ed25519"), CRYPTO.hash("SHA256"), h.group(), s.handshakeHash)
                                && h.device().equals(key.device.id);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    if (!ok) {
                        return List.of(new Message.Error(ErrorCode.UNKNOWN_GROUP, "membership proof refused", 0));
                    }
                    if (refuseHelloWith != null) {
                        return List.of(new Message.Error(refuseHelloWith, "refused", 0));
                    }
                    if (killAfterHello) {
                        s.killAfterReply = true;
                        return List.of();
                    }
                    s.welcomed = true;
                    s.device = h.device();
                    return List.of(new Message.Welcome(1, new Cursor(head()), new Cursor(expiredThrough + 1),
                            2 * 1024 * 1024, 604_800));
                }
                case Message.Push p -> {
                    if (refusePushesWith != null) {
                        return List.of(new Message.Error(refusePushesWith, "refused", 0));
                    }
                    Long existing = cursorOf.get(p.blob());
                    if (existing != null) {
                        return List.of(new Message.PushAck(p.blob(), new Cursor(existing)));
                    }
                    long cursor = append(p.blob(), s.device, p.payload());
                    for (Map.Entry<SessionKey, Session> e : sessions.entrySet()) {
                        if (!e.getKey().equals(key) && e.getValue().welcomed) {
                            world.deliver(e.getKey().device, new SyncEngine.Input.Received(id, e.getKey().connection,
                                    new Message.Notify(new Cursor(cursor))), latency);
                        }
                    }
                    return List.of(new Message.PushAck(p.blob(), new Cursor(cursor)));
                }
                case Message.Pull p -> {
                    List<Message.PulledBlob> page = new ArrayList<>();
                    boolean more = false;
                    for (Message.PulledBlob b : log.tailMap(p.after().value(), false).values()) {
                        if (page.size() >= Math.min(p.maxBlobs(), pageMaxBlobs)) {
                            more = true;
                            break;
                        }
                        page.add(b);
                    }
                    return List.of(new Message.PullResponse(page, more));
                }
                case Message.Bye b -> {
                    return List.of();
                }
                default -> throw new AssertionError("a device sent " + m.type());
            }
        }
    }
}
