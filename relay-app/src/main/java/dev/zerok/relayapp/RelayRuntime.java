package dev.zerok.relayapp;

import dev.zerok.kernel.noise.HandshakeState;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.relay.MembershipVerifier;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.TokenBucketLimiter;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Everything a {@link RelayConnection} needs, shared by all of them: the ports, the relay's
 * identity, limits, limiter, router and metrics. Thread-safe.
 */
final class RelayRuntime {
    private final Clock clock;
    private final Entropy entropy;
    private final KeyExchange crypto;
    private final RelayStore store;
    private final KeyPair identity;
    private final RelayLimits limits;
    private final TokenBucketLimiter<DeviceId> limiter;
    private final GroupRouter router = new GroupRouter();
    private final RelayMetrics metrics;
    private final Executor executor;
    private final Hash sha256;
    private final Signer ed25519;
    private final Set<RelayConnection> connections = ConcurrentHashMap.newKeySet();

    RelayRuntime(Clock clock, Entropy entropy, KeyExchange crypto, RelayStore store, KeyPair identity, RelayLimits limits,
            TokenBucketLimiter<DeviceId> limiter, RelayMetrics metrics, Executor executor) throws CryptoException {
        this.clock = clock;
        this.entropy = entropy;
        this.crypto = crypto;
        this.store = store;
        this.identity = identity;
        this.limits = limits;
        this.limiter = limiter;
        this.metrics = metrics;
        this.executor = executor;
        this.sha256 = crypto.hash("SHA256");
        this.ed25519 = crypto.signer("Ed25519");
    }

    HandshakeState newResponderHandshake() throws NoiseException {
        return HybridHandshake.responder(crypto, entropy, identity);
    }

    MembershipVerifier verifier() {
        return (group, device, proof, handshakeHash) -> MembershipProof.decode(proof)
                .map(p -> p.verify(ed25519, sha256, group, handshakeHash))
                .orElse(false);
    }

    void connectionOpened(RelayConnection connection) {
        connections.add(connection);
    }

    void connectionClosed(RelayConnection connection) {
        connections.remove(connection);
    }

    Set<RelayConnection> connections() {
        return connections;
    }

    Clock clock() {
        return clock;
    }

    RelayStore store() {
        return store;
    }

    RelayLimits limits() {
        return limits;
    }

    TokenBucketLimiter<DeviceId> limiter() {
        return limiter;
    }

    GroupRouter router() {
        return router;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    Executor executor() {
        return executor;
    }

    Hash sha256() {
        return sha256;
    }
}
