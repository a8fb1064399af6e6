package dev.zerok.kernel.content;

import dev.zerok.kernel.noise.ConstantTime;
import dev.zerok.kernel.noise.KeyDerivation;
import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.ContentHash;
import java.util.Arrays;

/**
 * Deterministic (convergent) sealing of content chunks: XChaCha20-Poly1305
 * (draft-irtf-cfrg-xchacha-03) with a synthetic nonce derived from the plaintext (the SIV
 * construction of RFC 5297 section 2.5, built from HMAC-SHA256 and an AEAD instead of S2V and
 * CTR), so the same plaintext under the same group chunk key always gives the same sealed bytes
 * and therefore the same content address. That is what lets a device skip chunks the group
 * already holds (dedup) and resume an interrupted transfer by address.
 *
 * <pre>
 * sealed chunk:
 *   0         1                        25
 *   +---------+------------------------+----------------------------------------+
 *   | version | nonce (24 bytes)       | ciphertext || tag (16 bytes)          |
 *   | 0x01    | synthetic, see below   | plaintext.length + 16 bytes            |
 *   +---------+------------------------+----------------------------------------+
 *   total = plaintext.length + {@value #OVERHEAD_BYTES}; plaintext is 0 .. {@value #CHUNK_BYTES} bytes
 *
 * nonce key      = HKDF-SHA256(salt = empty, ikm = chunk key (32), info = lp("zerok/1") lp("chunk-nonce-key"))  32 bytes
 * encryption key = HKDF-SHA256(salt = empty, ikm = chunk key (32), info = lp("zerok/1") lp("chunk-encryption-key")) 32 bytes
 * nonce          = first 24 bytes of HMAC-SHA256(nonce key, plaintext)
 * AAD            = lp("zerok/1") lp("chunk") lp(version)        where lp(x) = 2-byte big-endian length || x
 * address        = SHA-256(entire sealed chunk)                  32 bytes, "sealed then hashed"
 * </pre>
 *
 * <p>Unlike {@link BlobSealer}, the AAD binds no group, blob id or sender: a chunk is meant to be
 * the same bytes whoever seals it, and it is named by its address, not by a place. The group is
 * bound through the chunk key (GroupKeys derives it with the group id in its info). A nonce repeats
 * only when the plaintext repeats under the same key, and then the ciphertext repeats too, which
 * is the point; it reveals equality of chunks to key holders and to anyone who sees the addresses
 * (docs/SECURITY.md, "Convergent chunk encryption").
 *
 * <p>Stateless apart from the primitives; thread-safe because the port's primitives are.
 */
public final class ChunkSealer {
    /** Sealed-chunk format version. */
    public static final byte VERSION = 1;
    /** The largest plaintext chunk in bytes (1 MiB); every chunk of a file but the last has exactly this size. */
    public static final int CHUNK_BYTES = 1_048_576;
    /** Nonce length in bytes. */
    public static final int NONCE_BYTES = 24;
    /** Poly1305 tag length in bytes. */
    public static final int TAG_BYTES = 16;
    /** Bytes a sealed chunk adds to its plaintext: version, nonce, tag. */
    public static final int OVERHEAD_BYTES = 1 + 24 + 16;
    /** The largest sealed chunk in bytes. */
    public static final int MAX_SEALED_BYTES = CHUNK_BYTES + OVERHEAD_BYTES;
    /** Chunk key length in bytes. */
    public static final int KEY_BYTES = 32;

    private static final byte[] ASSOCIATED_DATA =
            KeyDerivation.lengthPrefixed(KeyDerivation.info("chunk", new byte[] {VERSION}));

    private final Aead xChaChaPoly;
    private final Hash sha256;

    private ChunkSealer(Aead xChaChaPoly, Hash sha256) {
        this.xChaChaPoly = xChaChaPoly;
        this.sha256 = sha256;
    }

    /**
     * @param crypto supplies {@code XChaChaPoly} and {@code SHA256}
     * @throws SealingException coded {@code CRYPTO_UNAVAILABLE} if the adapter lacks either
     */
    public static ChunkSealer create(KeyExchange crypto) throws SealingException {
        try {
            return new ChunkSealer(crypto.aead("XChaChaPoly"), crypto.hash("SHA256"));
        } catch (CryptoException e) {
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * Seals one chunk deterministically: the same key and plaintext always give the same bytes.
     *
     * @param chunkKey the group's 32-byte chunk key ({@code GroupKeys.chunkKey()}); not kept
     * @param plaintext 0 to {@value #CHUNK_BYTES} bytes; not modified
     * @return the sealed chunk ({@code plaintext.length + }{@value #OVERHEAD_BYTES} bytes) and its address
     * @throws IllegalArgumentException if the plaintext is longer than {@value #CHUNK_BYTES} bytes or
     *     the key is not {@value #KEY_BYTES} bytes (programming errors: the caller splits files and
     *     holds the key)
     * @throws IllegalStateException if the crypto adapter rejects a key or nonce of the lengths it
     *     advertises (an adapter defect)
     */
    public SealedChunk seal(Secret chunkKey, byte[] plaintext) {
        if (plaintext.length > CHUNK_BYTES) {
            throw new IllegalArgumentException(
                    "a chunk holds at most " + CHUNK_BYTES + " bytes, got " + plaintext.length + "; split the file first");
        }
        requireKeyLength(chunkKey);
        byte[] nonce = syntheticNonce(chunkKey, plaintext);
        byte[] ciphertext;
        try (Secret encryptionKey = encryptionKey(chunkKey)) {
            ciphertext = xChaChaPoly.seal(encryptionKey, nonce, ASSOCIATED_DATA, plaintext);
        } catch (CryptoException e) {
            throw new IllegalStateException("the crypto adapter refused a " + KEY_BYTES + "-byte key and "
                    + NONCE_BYTES + "-byte nonce: " + e.getMessage(), e);
        }
        byte[] out = new byte[1 + NONCE_BYTES + ciphertext.length];
        out[0] = VERSION;
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        System.arraycopy(ciphertext, 0, out, 1 + NONCE_BYTES, ciphertext.length);
        return new SealedChunk(address(out), out);
    }

    /**
     * Verifies and decrypts a sealed chunk fetched under {@code address}. No plaintext is released
     * unless every check passes. The checks run in this order, so a failure names the first
     * thing wrong: address, length, version, AEAD tag, synthetic nonce.
     *
     * @param chunkKey the group's 32-byte chunk key; not kept
     * @param address the content address the chunk was listed under (in a manifest) or stored under
     * @param bytes the sealed chunk; not modified
     * @return the plaintext, 0 to {@value #CHUNK_BYTES} bytes
     * @throws SealingException coded {@code HASH_MISMATCH} if SHA-256({@code bytes}) is not
     *     {@code address} (bit rot, tampering, or the wrong chunk); {@code MALFORMED} if shorter than
     *     {@value #OVERHEAD_BYTES} or longer than {@link #MAX_SEALED_BYTES} bytes;
     *     {@code UNSUPPORTED_VERSION} for another version byte; {@code AUTHENTICATION_FAILED} if the
     *     tag does not verify (altered bytes whose address was recomputed, or another group's key);
     *     {@code NONCE_MISMATCH} if it authenticates but was not sealed convergently;
     *     {@code CRYPTO_UNAVAILABLE} if the key is not {@value #KEY_BYTES} bytes or the adapter fails
     */
    public byte[] open(Secret chunkKey, ContentHash address, byte[] bytes) throws SealingException {
        if (!ConstantTime.equals(sha256.digest(bytes), address.bytes())) {
            throw new SealingException(SealingException.Code.HASH_MISMATCH,
                    "sealed chunk of " + bytes.length + " bytes does not hash to its content address: "
                            + "corrupted in storage or transit; fetch it again");
        }
        if (bytes.length < OVERHEAD_BYTES || bytes.length > MAX_SEALED_BYTES) {
            throw new SealingException(SealingException.Code.MALFORMED, "sealed chunk of " + bytes.length
                    + " bytes is outside " + OVERHEAD_BYTES + ".." + MAX_SEALED_BYTES + " bytes");
        }
        if (bytes[0] != VERSION) {
            throw new SealingException(SealingException.Code.UNSUPPORTED_VERSION,
                    "sealed chunk has format version " + (bytes[0] & 0xff) + "; this build reads " + VERSION);
        }
        if (chunkKey.length() != KEY_BYTES) {
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE,
                    "chunk key must be " + KEY_BYTES + " bytes, got " + chunkKey.length());
        }
        byte[] nonce = Arrays.copyOfRange(bytes, 1, 1 + NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(bytes, 1 + NONCE_BYTES, bytes.length);
        byte[] plaintext;
        try (Secret encryptionKey = encryptionKey(chunkKey)) {
            plaintext = xChaChaPoly.open(encryptionKey, nonce, ASSOCIATED_DATA, ciphertext);
        } catch (CryptoException e) {
            if (e.code() == CryptoException.Code.AUTHENTICATION_FAILED) {
                throw new SealingException(SealingException.Code.AUTHENTICATION_FAILED,
                        "sealed chunk did not authenticate: altered, or sealed under another group's chunk key");
            }
            throw new SealingException(SealingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
        if (!ConstantTime.equals(syntheticNonce(chunkKey, plaintext), nonce)) {
            Arrays.fill(plaintext, (byte) 0);
            throw new SealingException(SealingException.Code.NONCE_MISMATCH,
                    "sealed chunk authenticated but its nonce is not derived from its plaintext: "
                            + "a group member sealed it without the convergent construction");
        }
        return plaintext;
    }

    /**
     * The content address of sealed bytes: SHA-256 over all of them, 32 bytes. Needs no key, so a
     * store can verify what it holds.
     */
    public ContentHash address(byte[] sealedBytes) {
        return new ContentHash(sha256.digest(sealedBytes));
    }

    private byte[] syntheticNonce(Secret chunkKey, byte[] plaintext) {
        try (Secret nonceKey = KeyDerivation.hkdf(sha256, new byte[0], chunkKey.expose(), KEY_BYTES,
                KeyDerivation.info("chunk-nonce-key"))) {
            byte[] mac = sha256.hmac(nonceKey.expose(), plaintext);
            byte[] nonce = Arrays.copyOf(mac, NONCE_BYTES);
            Arrays.fill(mac, (byte) 0);
            return nonce;
        }
    }

    private Secret encryptionKey(Secret chunkKey) {
        return KeyDerivation.hkdf(sha256, new byte[0], chunkKey.expose(), KEY_BYTES,
                KeyDerivation.info("chunk-encryption-key"));
    }

    private static void requireKeyLength(Secret chunkKey) {
        if (chunkKey.length() != KEY_BYTES) {
            throw new IllegalArgumentException("chunk key must be " + KEY_BYTES + " bytes, got " + chunkKey.length());
        }
    }
}
