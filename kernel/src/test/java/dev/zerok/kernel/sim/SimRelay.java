package dev.zerok.kernel.sim;

import dev.zerok.kernel.relay.MembershipVerifier;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.TokenBucketLimiter;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.relaystore.StoredBlob;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One simulated relay: its static identity (the {@link RelayId} devices pin is its 32-byte X25519
 * public key), its {@link RelayLimits}, one {@link TokenBucketLimiter} shared by all its sessions,
 * an in-memory {@link SimRelayStore}, the group router (sessions in join order, for Notify
 * fan-out) and the device table (one session per device identity; a newer one supersedes).
 * Every protocol decision is the real {@code RelaySession}'s; {@link Sim} executes its actions.
 */
public final class SimRelay {
    final RelayId id;
    final KeyPair identity;
    final RelayLimits limits;
    final TokenBucketLimiter<DeviceId> limiter;
    final MembershipVerifier verifier;
    final SimRelayStore store = new SimRelayStore();
    final Map<GroupId, LinkedHashSet<Sim.Link>> groups = new HashMap<>();
    final Map<DeviceId, Sim.Link> devices = new LinkedHashMap<>();
    final Map<ErrorCode, Integer> errorsSent = new EnumMap<>(ErrorCode.class);
    final Map<ErrorCode, Integer> pushesRefused = new EnumMap<>(ErrorCode.class);
    int withheld;
    final List<Sim.Link> links = new ArrayList<>();

    SimRelay(KeyPair identity, RelayLimits limits, TokenBucketLimiter<DeviceId> limiter, MembershipVerifier verifier) {
        this.identity = identity;
        this.id = new RelayId(identity.publicKey());
        this.limits = limits;
        this.limiter = limiter;
        this.verifier = verifier;
    }

    /** The id devices pin: the relay's 32-byte X25519 static public key. */
    public RelayId id() {
        return id;
    }

    /** The stored rows of {@code group} in cursor order, with cursor, sender and blob id (a copy). */
    public List<StoredBlob> log(GroupId group) {
        return store.rows(group);
    }

    /** How many Error messages with {@code code} this relay's sessions sent so far. */
    public int errorsSent(ErrorCode code) {
        return errorsSent.getOrDefault(code, 0);
    }

    /**
     * How many Push requests this relay's sessions answered with an Error of {@code code} (each
     * answer matched to its request by order: a session answers its requests one each, in order).
     */
    public int pushesRefused(ErrorCode code) {
        return pushesRefused.getOrDefault(code, 0);
    }

    @Override
    public String toString() {
        return "SimRelay";
    }
}
