package dev.zerok.chaos.adversary;

import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an attacker is made of: zerok's own providers (the {@code bouncycastle} key exchange, the
 * {@code drbg} entropy, the {@code system} clock) and {@code quic} transports it opens on demand,
 * all closed with the kit. Thread-safe (the providers are; transports are tracked under a lock).
 */
public final class Adversary implements AutoCloseable {
    private final KeyExchange crypto;
    private final Entropy entropy;
    private final Clock clock;
    private final List<Transport> transports = new ArrayList<>();

    public Adversary() {
        try {
            crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
            entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
            clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new ChaosException("cannot open the attacker's providers: " + e.getMessage(), e);
        }
    }

    public KeyExchange crypto() {
        return crypto;
    }

    public Entropy entropy() {
        return entropy;
    }

    /**
     * A {@code quic} client transport with {@code settings} (keys of adapters-transport-quic's
     * README, e.g. {@code idle.timeout}, {@code connect.timeout}); one UDP socket per connection.
     */
    public synchronized Transport quic(Map<String, String> settings) {
        try {
            Transport t = Providers.select(TransportProvider.class, "quic").open(
                    new ProviderConfig(new TreeMap<>(settings)), new ProviderContext(clock, entropy));
            transports.add(t);
            return t;
        } catch (Exception e) {
            throw new ChaosException("cannot open a quic transport: " + e.getMessage(), e);
        }
    }

    /** A fresh X25519 static identity (a new device, as far as any relay can tell). */
    public KeyPair newIdentity() {
        try {
            return StaticIdentity.generate(crypto.dh("25519"), entropy);
        } catch (Exception e) {
            throw new ChaosException("X25519 unavailable: " + e.getMessage(), e);
        }
    }

    /** A fresh group the attacker is a genuine member of (random 32-byte secret). */
    public GroupKeys newGroup() {
        try {
            return GroupKeys.derive(crypto, Secret.copyOf(entropy.bytes(GroupKeys.SECRET_BYTES)));
        } catch (Exception e) {
            throw new ChaosException("cannot derive group keys: " + e.getMessage(), e);
        }
    }

    /** {@code n} random bytes from the attacker's entropy. */
    public byte[] randomBytes(int n) {
        return entropy.bytes(n);
    }

    /** Closes every transport this kit opened (and with them every connection). */
    @Override
    public synchronized void close() {
        for (Transport t : transports) {
            t.close();
        }
        transports.clear();
    }
}
