package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one handshake zerok speaks between a device (initiator) and a relay (responder):
 * {@value #PROTOCOL_NAME}, Noise XX with the hybrid-forward-secrecy tokens of the Noise HFS
 * extension, X25519 and ML-KEM-768 (FIPS 203), ChaCha20-Poly1305, SHA-256.
 *
 * <pre>
 *   XXhfs:
 *     -&gt; e, e1                       device: X25519 ephemeral, ML-KEM-768 ephemeral key
 *     &lt;- e, ee, ekem1, s, es         relay: encapsulates to e1, MixKey(KEM secret)
 *     -&gt; s, se
 * </pre>
 *
 * Both the {@code ee} DH output and the ML-KEM shared secret go through MixKey into the chaining
 * key, so the transport keys need both. There is no negotiation: this class builds only this
 * protocol, and a peer speaking anything else fails at the first AEAD check, because the protocol
 * name is the first input of the handshake hash.
 *
 * <p>Message sizes (bytes), with {@code p} the payload length:
 * <pre>
 *   message 1:  32 (e) + 1184 (e1, cleartext: no key yet) + p               = 1216 + p
 *   message 2:  32 (e) + 1088+16 (ekem1) + 32+16 (s) + p+16                  = 1200 + p
 *   message 3:  32+16 (s) + p+16                                             =   64 + p
 * </pre>
 *
 * <p>The prologue {@value #PROLOGUE_TEXT} binds the wire protocol version into the transcript.
 */
public final class HybridHandshake {
    /** The fixed protocol name. */
    public static final String PROTOCOL_NAME = "Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256";
    /** Prologue text: wire protocol version 1. */
    public static final String PROLOGUE_TEXT = "zerok/1";
    /** Bytes of message 1 beyond its payload. */
    public static final int MESSAGE_1_OVERHEAD_BYTES = 32 + 1184;
    /** Bytes of message 2 beyond its payload. */
    public static final int MESSAGE_2_OVERHEAD_BYTES = 32 + 1088 + 16 + 32 + 16 + 16;
    /** Bytes of message 3 beyond its payload. */
    public static final int MESSAGE_3_OVERHEAD_BYTES = 32 + 16 + 16;

    /**
     * How long a driver should give one whole handshake: the three messages total about 2.5 KB,
     * 0.35 s at 56 kbit/s, so 30 s leaves room for a 5 s-per-message latency and retransmissions.
     */
    public static final java.time.Duration RECOMMENDED_HANDSHAKE_TIMEOUT = java.time.Duration.ofSeconds(30);

    private HybridHandshake() {}

    /**
     * The device side. It pins the relay: a relay presenting another static key fails the
     * handshake with {@code UNEXPECTED_REMOTE_STATIC} after message 2.
     *
     * @param deviceStatic the device's persistent X25519 key pair
     * @param pinnedRelayStatic the relay's 32-byte static public key, from the invite or config
     * @throws NoiseException coded {@code UNSUPPORTED_PROTOCOL} if the adapter lacks a primitive,
     *     {@code INVALID_KEY} for wrong key lengths
     */
    public static HandshakeState initiator(KeyExchange crypto, Entropy entropy, KeyPair deviceStatic,
            byte[] pinnedRelayStatic) throws NoiseException {
        return HandshakeState.initialize(protocol(crypto), true, prologue(), entropy, Optional.of(deviceStatic),
                Optional.of(pinnedRelayStatic));
    }

    /**
     * The relay side; it learns the device's static key from message 3.
     *
     * @param relayStatic the relay's persistent X25519 key pair
     * @throws NoiseException coded {@code UNSUPPORTED_PROTOCOL} if the adapter lacks a primitive
     */
    public static HandshakeState responder(KeyExchange crypto, Entropy entropy, KeyPair relayStatic)
            throws NoiseException {
        return HandshakeState.initialize(protocol(crypto), false, prologue(), entropy, Optional.of(relayStatic),
                Optional.empty());
    }

    /** The parsed {@link #PROTOCOL_NAME}. */
    public static NoiseProtocol protocol(KeyExchange crypto) throws NoiseException {
        return NoiseProtocol.parse(PROTOCOL_NAME, crypto);
    }

    private static byte[] prologue() {
        return PROLOGUE_TEXT.getBytes(StandardCharsets.US_ASCII);
    }
}
