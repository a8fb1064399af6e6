package dev.zerok.ports.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * A deterministic stream of {@code sizeBytes} pseudo-random bytes produced on the fly, so a test
 * can push tens of MiB through a streaming API without holding them in memory. Two instances with
 * the same size and seed produce the same bytes. Tests only.
 */
public final class GeneratedInputStream extends InputStream {
    private final long sizeBytes;
    private final long seed;
    private final SplittableRandom random;
    private long delivered;
    private long failAfterBytes = -1;

    public GeneratedInputStream(long sizeBytes, long seed) {
        this.sizeBytes = sizeBytes;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** This stream, set to throw an {@link IOException} once {@code bytes} have been delivered. */
    public GeneratedInputStream failingAfter(long bytes) {
        this.failAfterBytes = bytes;
        return this;
    }

    /** Bytes handed out so far. */
    public long delivered() {
        return delivered;
    }

    /** SHA-256 of the whole stream, computed from a fresh generator (this one is not consumed). */
    public byte[] sha256Bytes() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            GeneratedInputStream copy = new GeneratedInputStream(sizeBytes, seed);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = copy.read(buffer, 0, buffer.length)) != -1) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("a generated stream cannot fail unless told to", e);
        }
    }

    /** SHA-256 of the whole stream as a content address. */
    public dev.zerok.ports.id.ContentHash sha256() {
        return new dev.zerok.ports.id.ContentHash(sha256Bytes());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failAfterBytes >= 0 && delivered >= failAfterBytes) {
            throw new IOException("generated stream failure after " + delivered + " bytes");
        }
        if (delivered >= sizeBytes) {
            return -1;
        }
        int n = (int) Math.min(len, sizeBytes - delivered);
        if (failAfterBytes >= 0) {
            n = (int) Math.max(1, Math.min(n, failAfterBytes - delivered));
        }
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) random.nextInt(256);
        }
        delivered += n;
        return n;
    }
}
