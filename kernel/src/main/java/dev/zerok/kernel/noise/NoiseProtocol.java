package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyExchange;
import java.util.Optional;

/**
 * A parsed Noise protocol name (Noise spec rev 34 section 8) with its primitives resolved through
 * the {@link KeyExchange} port: {@code Noise_<pattern>_<dh>[+<kem>]_<cipher>_<hash>}, for example
 * {@code Noise_XX_25519_ChaChaPoly_SHA256} or {@code Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256}
 * (the HFS extension names the KEM after a {@code +}). Immutable and thread-safe.
 *
 * @param name the full protocol name, hashed into the initial handshake hash
 * @param pattern the handshake pattern
 * @param dh the DH function
 * @param kem the KEM, present exactly when the pattern has HFS tokens
 * @param aead the cipher
 * @param hash the hash function
 */
public record NoiseProtocol(String name, HandshakePattern pattern, Dh dh, Optional<Kem> kem, Aead aead, Hash hash) {
    /**
     * Parses {@code protocolName} and looks up its primitives.
     *
     * @throws NoiseException coded {@code UNSUPPORTED_PROTOCOL} for a malformed name, an unknown
     *     pattern or primitive, a PSK modifier, or a KEM given to a pattern without KEM tokens (and
     *     the reverse)
     */
    public static NoiseProtocol parse(String protocolName, KeyExchange crypto) throws NoiseException {
        String[] parts = protocolName.split("_", -1);
        if (parts.length != 5 || !parts[0].equals("Noise")) {
            throw unsupported(protocolName, "expected Noise_<pattern>_<dh>_<cipher>_<hash>");
        }
        HandshakePattern pattern = HandshakePattern.byName(parts[1])
                .orElseThrow(() -> unsupported(protocolName, "unknown or unsupported pattern '" + parts[1] + "'"));
        String[] dhAndKem = parts[2].split("\\+", -1);
        if (dhAndKem.length > 2) {
            throw unsupported(protocolName, "at most one KEM may follow the DH name");
        }
        boolean kemNamed = dhAndKem.length == 2;
        if (kemNamed != pattern.usesKem()) {
            throw unsupported(protocolName, pattern.usesKem()
                    ? "pattern " + pattern.name() + " needs a KEM (DH+KEM)"
                    : "pattern " + pattern.name() + " has no KEM tokens");
        }
        try {
            Dh dh = crypto.dh(dhAndKem[0]);
            Optional<Kem> kem = kemNamed ? Optional.of(crypto.kem(dhAndKem[1])) : Optional.empty();
            Aead aead = crypto.aead(parts[3]);
            if (aead.nonceBytes() != 12 || aead.keyBytes() != 32) {
                throw unsupported(protocolName, "cipher " + parts[3] + " is not a Noise cipher (32-byte key, 12-byte nonce)");
            }
            return new NoiseProtocol(protocolName, pattern, dh, kem, aead, crypto.hash(parts[4]));
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.UNSUPPORTED_PROTOCOL,
                    "protocol " + protocolName + " names a primitive the crypto adapter lacks", e);
        }
    }

    private static NoiseException unsupported(String protocolName, String why) {
        return new NoiseException(NoiseException.Code.UNSUPPORTED_PROTOCOL, "protocol " + protocolName + ": " + why);
    }
}
