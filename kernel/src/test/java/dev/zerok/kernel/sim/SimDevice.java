package dev.zerok.kernel.sim;

import dev.zerok.kernel.sync.DeliveredBlob;
import dev.zerok.kernel.sync.InMemoryClientStateStore;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.sync.SyncRunner;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncException;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated device: a real {@link SyncEngine} over an in-memory store, its static identity
 * (its {@link DeviceId} is the SHA-256 of the public key, as a relay derives it from the
 * handshake), what its inbox received and what its listener heard, and the one-way latency of its
 * link to each relay (zero unless set; read when a connection opens).
 */
public final class SimDevice {
    final Sim sim;
    final DeviceId id;
    final KeyPair identity;
    final InMemoryClientStateStore store = new InMemoryClientStateStore();
    final List<DeliveredBlob> delivered = new ArrayList<>();
    final List<SyncEvent> events = new ArrayList<>();
    final List<Message> sent = new ArrayList<>();
    final Map<SimRelay, Duration> latency = new HashMap<>();
    SyncRunner engine;

    SimDevice(Sim sim, DeviceId id, KeyPair identity) {
        this.sim = sim;
        this.id = id;
        this.identity = identity;
    }

    /** The device id (SHA-256 of its static public key). */
    public DeviceId id() {
        return id;
    }

    /** The engine (for reads such as its version vector; drive it through the simulator). */
    public SyncRunner engine() {
        return engine;
    }

    /** The device's state store. */
    public ClientStateStore store() {
        return store;
    }

    /** Every blob the engine handed to the inbox, in delivery order (a copy). */
    public List<DeliveredBlob> delivered() {
        return List.copyOf(delivered);
    }

    /** Every message the engine asked to send to any relay, in order (a copy; a send into a closed connection included). */
    public List<Message> sent() {
        return List.copyOf(sent);
    }

    /** Every event the engine reported, in order (a copy). */
    public List<SyncEvent> events() {
        return List.copyOf(events);
    }

    /**
     * Sets the one-way latency of this device's connections to {@code relay}, in virtual time,
     * from the next connection on.
     *
     * @throws IllegalArgumentException if negative
     */
    public SimDevice latency(SimRelay relay, Duration oneWay) {
        if (oneWay.isNegative()) {
            throw new IllegalArgumentException("a link latency cannot be negative, got " + oneWay);
        }
        latency.put(relay, oneWay);
        return this;
    }

    /**
     * Pushes {@code data} at the simulator's current time and executes what the engine asks for.
     *
     * @return the new blob's id
     * @throws AssertionError wrapping the engine's {@link SyncException} (a test failure)
     */
    public BlobId push(byte[] data) {
        try {
            BlobId blob = engine.push(data, sim.now());
            sim.drain(this);
            return blob;
        } catch (SyncException e) {
            throw new AssertionError("push failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SimDevice";
    }
}
