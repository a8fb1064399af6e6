package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HKDF (RFC 5869) over the port's HMAC, with zerok's rule for {@code info}: every part is
 * length-prefixed, so no two different part lists can produce the same info bytes.
 *
 * <pre>
 * info = len(part0) || part0 || len(part1) || part1 || ...     len = 2 bytes, big-endian, unsigned
 * </pre>
 *
 * Every label starts with {@link #LABEL_PREFIX}, which names the protocol version. Stateless and
 * thread-safe.
 */
public final class KeyDerivation {
    /** The first info part of every zerok derivation: binds keys to protocol version 1. */
    public static final String LABEL_PREFIX = "zerok/1";

    private KeyDerivation() {}

    /**
     * HKDF-Extract then HKDF-Expand.
     *
     * @param hash the hash whose HMAC is used (SHA256 in zerok)
     * @param salt the extract salt; empty means HASHLEN zero bytes (RFC 5869 section 2.2)
     * @param inputKeyMaterial the secret input; not modified
     * @param lengthBytes 1 to 255 * HASHLEN
     * @param infoParts the info parts, each at most 65535 bytes, length-prefixed as above
     * @return a secret the caller owns
     * @throws IllegalArgumentException if {@code lengthBytes} or a part's length is out of range
     */
    public static Secret hkdf(Hash hash, byte[] salt, byte[] inputKeyMaterial, int lengthBytes, byte[]... infoParts) {
        if (lengthBytes < 1 || lengthBytes > 255 * hash.hashLen()) {
            throw new IllegalArgumentException("HKDF output length must be 1.." + 255 * hash.hashLen() + ", got " + lengthBytes);
        }
        byte[] effectiveSalt = salt.length == 0 ? new byte[hash.hashLen()] : salt;
        byte[] pseudoRandomKey = hash.hmac(effectiveSalt, inputKeyMaterial);
        byte[] info = lengthPrefixed(infoParts);
        byte[] out = new byte[lengthBytes];
        byte[] previous = new byte[0];
        int written = 0;
        for (int counter = 1; written < lengthBytes; counter++) {
            byte[] block = hash.hmac(pseudoRandomKey, previous, info, new byte[] {(byte) counter});
            int take = Math.min(block.length, lengthBytes - written);
            System.arraycopy(block, 0, out, written, take);
            written += take;
            Arrays.fill(previous, (byte) 0);
            previous = block;
        }
        Arrays.fill(previous, (byte) 0);
        Arrays.fill(pseudoRandomKey, (byte) 0);
        return Secret.adopt(out);
    }

    /**
     * The info parts {@code LABEL_PREFIX, label, context...} for a derivation.
     *
     * @param label what the key is for, e.g. {@code blob-key}
     */
    public static byte[][] info(String label, byte[]... context) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(LABEL_PREFIX.getBytes(StandardCharsets.US_ASCII));
        parts.add(label.getBytes(StandardCharsets.US_ASCII));
        parts.addAll(Arrays.asList(context));
        return parts.toArray(new byte[0][]);
    }

    /**
     * Each part preceded by its 2-byte big-endian length.
     *
     * @throws IllegalArgumentException if a part is longer than 65535 bytes
     */
    public static byte[] lengthPrefixed(byte[]... parts) {
        List<byte[]> pieces = new ArrayList<>();
        for (byte[] part : parts) {
            if (part.length > 0xffff) {
                throw new IllegalArgumentException("an info part may be at most 65535 bytes, got " + part.length);
            }
            pieces.add(new byte[] {(byte) (part.length >>> 8), (byte) part.length});
            pieces.add(part);
        }
        return ConstantTime.concat(pieces);
    }
}
