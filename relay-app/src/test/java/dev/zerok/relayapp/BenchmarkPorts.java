package dev.zerok.relayapp;

import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;

/**
 * What the relay benchmark mains share: the production crypto, entropy and clock, and a relay
 * process at its production log level (INFO; {@link RelayProcess}'s TRACE, for tests, makes jOOQ
 * and Netty log every statement and costs about a third of the pushes/s;
 * {@code -Dzerok.relay.log.level} overrides).
 */
record BenchmarkPorts(KeyExchange crypto, Entropy entropy, Clock clock) {
    static BenchmarkPorts open() throws Exception {
        System.setProperty("zerok.relay.log.level", System.getProperty("zerok.relay.log.level", "INFO"));
        return new BenchmarkPorts(Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY),
                Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY),
                Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY));
    }
}
