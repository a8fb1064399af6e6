package dev.zerok.kernel.pairing;

import dev.zerok.kernel.noise.KeyDerivation;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.GroupId;
import java.nio.charset.StandardCharsets;

/**
 * Every key of a sync group, derived from its 32-byte group secret with HKDF-SHA256
 * (length-prefixed info, see {@link KeyDerivation}):
 *
 * <pre>
 *   signing seed = HKDF(ikm = group secret, info = lp("zerok/1") lp("group-signing-key"))   32 bytes
 *   signing key  = Ed25519 key pair from the seed (RFC 8032)
 *   group id     = SHA-256(signing public key)
 *   content key  = HKDF(ikm = group secret, info = lp("zerok/1") lp("content-key") lp(group id))  32 bytes
 *   chunk key    = HKDF(ikm = group secret, info = lp("zerok/1") lp("chunk-key") lp(group id))    32 bytes
 * </pre>
 *
 * The chunk key is separate from the content key because chunks are sealed deterministically
 * (convergent encryption, {@code ChunkSealer}) while blobs use random nonces: keeping the two
 * constructions under unrelated keys means neither can be used against the other.
 *
 * The relay sees only the group id and, in the membership proof, the signing public key; neither
 * opens content nor signs. The group secret is either random (embedded in the invite) or
 * Argon2id(passphrase, per-group random salt, fixed parameters). Not thread-safe with respect
 * to {@link #close()}.
 */
public final class GroupKeys implements AutoCloseable {
    /** Group secret length in bytes. */
    public static final int SECRET_BYTES = 32;
    /** Per-group passphrase salt length in bytes. */
    public static final int SALT_BYTES = 16;

    private final KeyPair signingKey;
    private final GroupId groupId;
    private final Secret contentKey;
    private final Secret chunkKey;

    private GroupKeys(KeyPair signingKey, GroupId groupId, Secret contentKey, Secret chunkKey) {
        this.signingKey = signingKey;
        this.groupId = groupId;
        this.contentKey = contentKey;
        this.chunkKey = chunkKey;
    }

    /**
     * Derives the group's keys.
     *
     * @param groupSecret 32 bytes; not kept
     * @throws PairingException coded {@code CRYPTO_UNAVAILABLE} if the adapter lacks SHA256 or
     *     Ed25519, {@code MALFORMED} for a wrong secret length
     */
    public static GroupKeys derive(KeyExchange crypto, Secret groupSecret) throws PairingException {
        if (groupSecret.length() != SECRET_BYTES) {
            throw new PairingException(PairingException.Code.MALFORMED,
                    "group secret must be " + SECRET_BYTES + " bytes, got " + groupSecret.length());
        }
        try {
            Hash sha256 = crypto.hash("SHA256");
            KeyPair signingKey;
            try (Secret seed = KeyDerivation.hkdf(sha256, new byte[0], groupSecret.expose(), 32,
                    KeyDerivation.info("group-signing-key"))) {
                signingKey = crypto.signer("Ed25519").keyPairFromSeed(seed);
            }
            GroupId groupId = new GroupId(sha256.digest(signingKey.publicKey()));
            Secret contentKey = KeyDerivation.hkdf(sha256, new byte[0], groupSecret.expose(), 32,
                    KeyDerivation.info("content-key", groupId.bytes()));
            Secret chunkKey = KeyDerivation.hkdf(sha256, new byte[0], groupSecret.expose(), 32,
                    KeyDerivation.info("chunk-key", groupId.bytes()));
            return new GroupKeys(signingKey, groupId, contentKey, chunkKey);
        } catch (CryptoException e) {
            throw new PairingException(PairingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * The group secret a passphrase gives: Argon2id(UTF-8 passphrase, salt, params), 32 bytes.
     *
     * @param salt {@value #SALT_BYTES} random bytes chosen when the group was created
     * @throws PairingException coded {@code WEAK_OR_EXCESSIVE_PARAMETERS} outside the accepted
     *     range, {@code CRYPTO_UNAVAILABLE} if the adapter lacks Argon2id
     */
    public static Secret secretFromPassphrase(KeyExchange crypto, char[] passphrase, byte[] salt, Argon2Params params)
            throws PairingException {
        params.requireAcceptable();
        if (salt.length != SALT_BYTES) {
            throw new PairingException(PairingException.Code.MALFORMED, "group salt must be " + SALT_BYTES + " bytes");
        }
        byte[] password = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(passphrase)).array();
        try {
            return crypto.passwordHash("Argon2id").derive(password, salt, params.memoryKib(), params.iterations(),
                    params.parallelism(), SECRET_BYTES);
        } catch (CryptoException e) {
            throw new PairingException(PairingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        } finally {
            java.util.Arrays.fill(password, (byte) 0);
        }
    }

    /** The Ed25519 group signing key pair (for {@code MembershipProof}). */
    public KeyPair signingKey() {
        return signingKey;
    }

    /** The group id: SHA-256 of the signing public key. */
    public GroupId groupId() {
        return groupId;
    }

    /** The 32-byte content key that BlobSealer derives per-blob keys from. */
    public Secret contentKey() {
        return contentKey;
    }

    /**
     * The 32-byte chunk key that {@code ChunkSealer} derives its nonce and encryption keys from.
     * Every member of the group holds the same chunk key, so identical chunks seal identically
     * across the group (docs/SECURITY.md, "Convergent chunk encryption").
     */
    public Secret chunkKey() {
        return chunkKey;
    }

    /** Wipes the signing seed, the content key and the chunk key. */
    @Override
    public void close() {
        signingKey.privateKey().destroy();
        contentKey.destroy();
        chunkKey.destroy();
    }

    @Override
    public String toString() {
        return "GroupKeys[REDACTED]";
    }
}
