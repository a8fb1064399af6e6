package dev.zerok.relayapp;

import dev.zerok.kernel.noise.HandshakeState;
import dev.zerok.kernel.noise.RekeyPolicy;
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
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.time.Clock;
import java.util.Map;
import java.util.Optional;
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
    private final Map<DeviceId, RelayConnection> devices = new ConcurrentHashMap<>();
    private final Admission admission;
    private final InboundBudget budget;
    private int unauthenticated;
    private int authenticated;

    /**
     * Who the relay lets in and how many at once.
     *
     * @param maxAuthenticated sessions past a verified Hello ({@code limits.sessions.max})
     * @param maxUnauthenticated connections still in the handshake or before Hello
     *     ({@code limits.sessions.unauthenticated.max}); counted apart so strangers cannot take the
     *     members' places
     * @param allowedGroups the only groups served ({@code groups.allow}); empty for an open relay
     */
    record Admission(int maxAuthenticated, int maxUnauthenticated, Set<GroupId> allowedGroups) {
        Admission {
            allowedGroups = Set.copyOf(allowedGroups);
        }
    }

    private final RekeyPolicy rekeyPolicy;

    RelayRuntime(Clock clock, Entropy entropy, KeyExchange crypto, RelayStore store, KeyPair identity, RelayLimits limits,
            TokenBucketLimiter<DeviceId> limiter, Admission admission, InboundBudget budget, RelayMetrics metrics,
            Executor executor, RekeyPolicy rekeyPolicy) throws CryptoException {
        this.rekeyPolicy = rekeyPolicy;
        this.budget = budget;
        this.admission = admission;
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

    /** When sessions re-key ({@code noise.rekey.interval.*}, {@link RekeyPolicy#DEFAULT} by default). */
    RekeyPolicy rekeyPolicy() {
        return rekeyPolicy;
    }

    HandshakeState newResponderHandshake() throws NoiseException {
        return HybridHandshake.responder(crypto, entropy, identity);
    }

    MembershipVerifier verifier() {
        Set<GroupId> allowed = admission.allowedGroups();
        return (group, device, proof, handshakeHash) -> (allowed.isEmpty() || allowed.contains(group))
                && MembershipProof.decode(proof).map(p -> p.verify(ed25519, sha256, group, handshakeHash)).orElse(false);
    }

    /**
     * Registers a new, unauthenticated connection unless {@code maxUnauthenticated} are already
     * waiting for their handshake and Hello.
     *
     * @return false if refused (nothing registered)
     */
    synchronized boolean connectionOpened(RelayConnection connection) {
        if (unauthenticated >= admission.maxUnauthenticated()) {
            return false;
        }
        unauthenticated++;
        connections.add(connection);
        return true;
    }

    /**
     * Moves a connection whose Hello was verified from the unauthenticated to the authenticated
     * count, unless {@code maxAuthenticated} sessions are open already.
     *
     * @return false if refused (the connection stays unauthenticated until it closes)
     */
    synchronized boolean admitAuthenticated(RelayConnection connection) {
        if (authenticated >= admission.maxAuthenticated()) {
            return false;
        }
        unauthenticated--;
        authenticated++;
        return true;
    }

    /**
     * Makes the newest connection of {@code device} its one session. "Newest" is the order in which
     * the relay accepted the connections, not the order of their Hellos: a device that gave up on a
     * connection (its QUIC idle timeout ends it silently) and opened another can have the stale
     * one's Hello served after the new one's on a loaded relay; the stale one must not then
     * supersede the live one.
     *
     * @return the session that must give way: the one this device held before, or {@code connection}
     *     itself when the device already holds a connection accepted after it
     */
    Optional<RelayConnection> claimDevice(DeviceId device, RelayConnection connection) {
        RelayConnection[] loser = new RelayConnection[1];
        devices.compute(device, (id, held) -> {
            if (held == null || held == connection) {
                return connection;
            }
            if (held.number() > connection.number()) {
                loser[0] = connection;
                return held;
            }
            loser[0] = held;
            return connection;
        });
        return Optional.ofNullable(loser[0]);
    }

    /** Forgets a closed connection; {@code device} may be null (closed before the handshake). */
    synchronized void connectionClosed(RelayConnection connection, boolean wasAuthenticated, DeviceId device) {
        if (!connections.remove(connection)) {
            return;
        }
        if (wasAuthenticated) {
            authenticated--;
        } else {
            unauthenticated--;
        }
        if (device != null) {
            devices.remove(device, connection);
        }
    }

    /** Connections that have not yet passed Hello. */
    synchronized int unauthenticatedCount() {
        return unauthenticated;
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

    InboundBudget budget() {
        return budget;
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
