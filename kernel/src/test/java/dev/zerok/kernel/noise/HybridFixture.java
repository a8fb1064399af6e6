package dev.zerok.kernel.noise;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;

/** Shared set-up for the hybrid handshake tests: real primitives, seeded entropy, fixed identities. */
final class HybridFixture {
    final KeyExchange crypto;
    final KeyPair device;
    final KeyPair relay;
    private long seed;

    HybridFixture(long seed) {
        try {
            this.crypto = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
            this.seed = seed;
            SeededEntropy identities = new SeededEntropy(seed);
            this.device = crypto.dh("25519").generateKeyPair(identities);
            this.relay = crypto.dh("25519").generateKeyPair(identities);
        } catch (ConfigException | dev.zerok.ports.crypto.CryptoException e) {
            throw new AssertionError(e);
        }
    }

    HandshakeState initiator() throws NoiseException {
        return initiator(crypto);
    }

    HandshakeState initiator(KeyExchange with) throws NoiseException {
        return HybridHandshake.initiator(with, new SeededEntropy(++seed), device, relay.publicKey());
    }

    HandshakeState responder() throws NoiseException {
        return responder(crypto);
    }

    HandshakeState responder(KeyExchange with) throws NoiseException {
        return HybridHandshake.responder(with, new SeededEntropy(++seed), relay);
    }

    /** Runs all three messages with empty payloads and returns {initiator session, responder session}. */
    static TransportSession[] complete(HandshakeState initiator, HandshakeState responder) throws NoiseException {
        responder.readMessage(initiator.writeMessage(new byte[0]));
        initiator.readMessage(responder.writeMessage(new byte[0]));
        responder.readMessage(initiator.writeMessage(new byte[0]));
        return new TransportSession[] {initiator.split(), responder.split()};
    }
}
