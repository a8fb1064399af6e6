package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import java.util.Set;

/**
 * ServiceLoader provider {@code bouncycastle}: X25519, ML-KEM-768, ChaChaPoly, XChaChaPoly, SHA256,
 * BLAKE2s, Ed25519 and Argon2id (see {@link KeyExchange} for the names). Takes no configuration keys.
 */
public final class BouncyCastleKeyExchangeProvider implements KeyExchangeProvider {
    /** ServiceLoader needs a public no-argument constructor. */
    public BouncyCastleKeyExchangeProvider() {}

    @Override
    public String name() {
        return "bouncycastle";
    }

    /**
     * @throws ConfigException if any configuration key is given (this provider has none)
     */
    @Override
    public KeyExchange open(ProviderConfig config) throws ConfigException {
        config.requireOnly(Set.of());
        return new CryptoPrimitives();
    }
}
