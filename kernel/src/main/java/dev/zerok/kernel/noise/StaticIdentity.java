package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.DeviceId;
import java.util.Arrays;

/**
 * Persistent static X25519 identities of devices and relays: generated once, stored by the
 * applications (owner-only file permissions), loaded at every start. The relay's public key is
 * what devices pin. Encodings carry a version byte so the format can change later:
 *
 * <pre>
 *   private key file:  0x01 | 32-byte X25519 private key     (33 bytes)
 *   public key:        0x01 | 32-byte X25519 public key      (33 bytes; shown as hex in invites/config)
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class StaticIdentity {
    /** Format version of both encodings. */
    public static final byte VERSION = 1;
    /** Length of an X25519 key in bytes. */
    public static final int KEY_BYTES = 32;
    /** Length of either encoding in bytes. */
    public static final int ENCODED_BYTES = 1 + KEY_BYTES;

    private StaticIdentity() {}

    /** A fresh identity key pair (done once per device or relay). */
    public static KeyPair generate(Dh dh, Entropy entropy) {
        return dh.generateKeyPair(entropy);
    }

    /** The {@value #ENCODED_BYTES}-byte private encoding; the caller writes and then destroys it. */
    public static Secret encodePrivate(KeyPair identity) {
        byte[] out = new byte[ENCODED_BYTES];
        out[0] = VERSION;
        System.arraycopy(identity.privateKey().expose(), 0, out, 1, KEY_BYTES);
        return Secret.adopt(out);
    }

    /**
     * Loads an identity from its private encoding (the public key is recomputed).
     *
     * @throws NoiseException coded {@code INVALID_KEY} for a wrong length or unknown version
     */
    public static KeyPair decodePrivate(Dh dh, byte[] encoded) throws NoiseException {
        checkEncoding(encoded, "private key");
        byte[] privateKey = Arrays.copyOfRange(encoded, 1, ENCODED_BYTES);
        try (Secret secret = Secret.adopt(privateKey)) {
            return dh.keyPairFromPrivate(secret);
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY, "stored identity key is not a valid X25519 key", e);
        }
    }

    /** The {@value #ENCODED_BYTES}-byte public encoding. */
    public static byte[] encodePublic(byte[] publicKey) {
        byte[] out = new byte[ENCODED_BYTES];
        out[0] = VERSION;
        System.arraycopy(publicKey, 0, out, 1, KEY_BYTES);
        return out;
    }

    /**
     * The 32-byte public key inside a public encoding.
     *
     * @throws NoiseException coded {@code INVALID_KEY} for a wrong length or unknown version
     */
    public static byte[] decodePublic(byte[] encoded) throws NoiseException {
        checkEncoding(encoded, "public key");
        return Arrays.copyOfRange(encoded, 1, ENCODED_BYTES);
    }

    /** A device's id: SHA-256 of its 32-byte static public key (see {@link DeviceId}). */
    public static DeviceId deviceId(Hash sha256, byte[] publicKey) {
        return new DeviceId(sha256.digest(publicKey));
    }

    private static void checkEncoding(byte[] encoded, String what) throws NoiseException {
        if (encoded.length != ENCODED_BYTES) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY,
                    "encoded " + what + " must be " + ENCODED_BYTES + " bytes, got " + encoded.length);
        }
        if (encoded[0] != VERSION) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY,
                    "encoded " + what + " has version " + (encoded[0] & 0xff) + "; this build reads version " + VERSION);
        }
    }
}
