package dev.zerok.adapters.storage.fs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes every byte it passes on; at end of stream, compares the hash with the address and, on
 * mismatch, throws from that final {@code read} (and every later one) an {@link IOException}
 * whose cause is a {@code CORRUPT} BlobStoreException, so a consumer never sees a clean EOF after
 * bad bytes. {@code skip} reads (and hashes) what it skips. Not thread-safe, like any stream.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final byte[] expected;
    private final MessageDigest digest;
    private boolean verified;

    VerifyingInputStream(InputStream in, byte[] expected, MessageDigest digest) {
        super(in);
        this.expected = expected;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, len);
        if (n == -1) {
            verifyAtEnd();
            return -1;
        }
        digest.update(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] sink = new byte[(int) Math.min(8192, Math.max(0, n))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
            if (r == -1) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // Unsupported: a reset would feed bytes to the digest twice.
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset is not supported by a verifying blob stream");
    }

    private void verifyAtEnd() throws IOException {
        if (!verified) {
            if (!MessageDigest.isEqual(digest.digest(), expected)) {
                throw new IOException("blob stream failed verification", FsBlobStore.corrupt());
            }
            verified = true;
        }
    }
}
