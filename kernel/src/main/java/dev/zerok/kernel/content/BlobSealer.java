package dev.zerok.kernel.content;

import dev.zerok.kernel.noise.KeyDerivation;
import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.util.Arrays;

/**
 * End-to-end blob encryption: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) under a per-blob
 * key, with associated data that binds the blob to its place, so a relay cannot swap, re-label or
 * move blobs between groups, ids or senders without the open failing.
 *
 * <pre>
 * sealed blob (big-endian where multi-byte):
 *   +---------+------------------+------------------------------+
 *   | version | nonce (24 bytes) | ciphertext || tag (16 bytes) |
 *   | 0x01    | random           | plaintext.length + 16        |
 *   +---------+------------------+------------------------------+
 *
 * blob key = HKDF-SHA256(salt = empty, ikm = group content key (32),
 *                        info = lp("zerok/1") lp("blob-key") lp(blob id))            32 bytes
 * AAD      = lp("zerok/1") lp("blob") lp(version) lp(group id) lp(blob id) lp(sender device id)
 *            where lp(x) = 2-byte big-endian length || x
 * content address = SHA-256(entire sealed blob)  (hash of ciphertext, see docs/SECURITY.md)
 * </pre>
 *
 * The 192-bit random nonce makes collisions negligible even though every sender draws nonces
 * independently; the per-blob key additionally limits any key's use to one blob. Replay and
 * reordering by the relay are caught above this layer (per-sender sequence numbers inside the
 * sealed payload). Thread-safe if the primitives and entropy are (the port requires it).
 */
public final class BlobSealer {
    /** Sealed-format version. */
    public static final byte VERSION = 1;
    /** Nonce length in bytes. */
    public static final int NONCE_BYTES = 24;
    /** Bytes a sealed blob adds to its plaintext: version, nonce, tag. */
    public static final int OVERHEAD_BYTES = 1 + NONCE_BYTES + 16;
    /** Group content key length in bytes. */
    public static final int KEY_BYTES = 32;

    private final Aead xChaChaPoly;
    private final Hash sha256;
    private final Entropy entropy;

    private BlobSealer(Aead xChaChaPoly, Hash sha256, Entropy entropy) {
        this.xChaChaPoly = xChaChaPoly;
        this.sha256 = sha256;
        this.entropy = entropy;
    }

    /**
     * @throws SealingException coded {@code CRYPTO_UNAVAILABLE} if the adapter lacks XChaChaPoly or SHA256
     */
    public static BlobSealer create(KeyExchange crypto, Entropy entropy) throws SealingException {
        try {
            return new BlobSealer(crypto.aead("XChaChaPoly"), crypto.hash("SHA256"), entropy);
        } catch (CryptoException e) {
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /** A sealed blob and its content address. */
    public record Sealed(byte[] bytes, ContentHash contentHash) {
        public Sealed {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Sealed[" + bytes.length + " bytes]";
        }
    }

    /**
     * Encrypts {@code plaintext} for the group.
     *
     * @param groupContentKey the group's 32-byte content key (from GroupKeys)
     * @throws SealingException coded {@code CRYPTO_UNAVAILABLE} if the key has the wrong length
     */
    public Sealed seal(Secret groupContentKey, GroupId group, BlobId blob, DeviceId sender, byte[] plaintext)
            throws SealingException {
        byte[] nonce = entropy.bytes(NONCE_BYTES);
        try (Secret blobKey = blobKey(groupContentKey, blob)) {
            byte[] ciphertext = xChaChaPoly.seal(blobKey, nonce, associatedData(VERSION, group, blob, sender), plaintext);
            byte[] out = new byte[1 + NONCE_BYTES + ciphertext.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
            System.arraycopy(ciphertext, 0, out, 1 + NONCE_BYTES, ciphertext.length);
            return new Sealed(out, contentHash(out));
        } catch (CryptoException e) {
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * Verifies and decrypts a sealed blob; no plaintext is released unless the tag verifies.
     *
     * @throws SealingException coded {@code MALFORMED} if shorter than {@link #OVERHEAD_BYTES},
     *     {@code UNSUPPORTED_VERSION} for another version byte, {@code AUTHENTICATION_FAILED} if
     *     any byte, the key, the group, the blob id or the sender differs from sealing
     */
    public byte[] open(Secret groupContentKey, GroupId group, BlobId blob, DeviceId sender, byte[] sealed)
            throws SealingException {
        if (sealed.length < OVERHEAD_BYTES) {
            throw new SealingException(SealingException.Code.MALFORMED,
                    "sealed blob of " + sealed.length + " bytes is shorter than the " + OVERHEAD_BYTES + "-byte overhead");
        }
        if (sealed[0] != VERSION) {
            throw new SealingException(SealingException.Code.UNSUPPORTED_VERSION,
                    "sealed blob has format version " + (sealed[0] & 0xff) + "; this build reads " + VERSION);
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(sealed, 1 + NONCE_BYTES, sealed.length);
        try (Secret blobKey = blobKey(groupContentKey, blob)) {
            return xChaChaPoly.open(blobKey, nonce, associatedData(sealed[0], group, blob, sender), ciphertext);
        } catch (CryptoException e) {
            if (e.code() == CryptoException.Code.AUTHENTICATION_FAILED) {
                throw new SealingException(SealingException.Code.AUTHENTICATION_FAILED,
                        "blob did not authenticate: altered, or moved to another group, id or sender");
            }
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /** The content address of stored bytes: SHA-256 of the sealed blob (ciphertext), 32 bytes. */
    public ContentHash contentHash(byte[] sealed) {
        return new ContentHash(sha256.digest(sealed));
    }

    private Secret blobKey(Secret groupContentKey, BlobId blob) throws CryptoException {
        if (groupContentKey.length() != KEY_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "group content key must be " + KEY_BYTES + " bytes, got " + groupContentKey.length());
        }
        return KeyDerivation.hkdf(sha256, new byte[0], groupContentKey.expose(), KEY_BYTES,
                KeyDerivation.info("blob-key", blob.bytes()));
    }

    private static byte[] associatedData(byte version, GroupId group, BlobId blob, DeviceId sender) {
        return KeyDerivation.lengthPrefixed(KeyDerivation.info("blob", new byte[] {version}, group.bytes(), blob.bytes(),
                sender.bytes()));
    }
}
