package dev.zerok.cli;

import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.Providers;

/**
 * The ports the command line itself needs (key generation, invites), found through ServiceLoader
 * by the same provider names the relay uses by default: {@code bouncycastle} and {@code drbg}.
 * Opened lazily, once per run. Not thread-safe: one command uses it.
 */
final class CliPorts {
    static final String KEY_EXCHANGE = "bouncycastle";
    static final String ENTROPY = "drbg";

    private KeyExchange crypto;
    private Entropy entropy;

    /** @throws CliFailure if the crypto adapter is not on the class path */
    KeyExchange crypto() throws CliFailure {
        if (crypto == null) {
            try {
                crypto = Providers.select(KeyExchangeProvider.class, KEY_EXCHANGE, CliPorts.class.getClassLoader())
                        .open(ProviderConfig.EMPTY);
            } catch (ConfigException e) {
                throw CliFailure.of("cannot load the crypto adapter: " + e.getMessage());
            }
        }
        return crypto;
    }

    /** @throws CliFailure if the entropy adapter is not on the class path */
    Entropy entropy() throws CliFailure {
        if (entropy == null) {
            try {
                entropy = Providers.select(EntropyProvider.class, ENTROPY, CliPorts.class.getClassLoader())
                        .open(ProviderConfig.EMPTY);
            } catch (ConfigException e) {
                throw CliFailure.of("cannot load the entropy adapter: " + e.getMessage());
            }
        }
        return entropy;
    }
}
