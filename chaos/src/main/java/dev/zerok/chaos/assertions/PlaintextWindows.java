package dev.zerok.chaos.assertions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A set of secret byte strings (the plaintext of pushed blobs, key bytes), each represented by
 * fixed windows of {@value #WINDOW_BYTES} bytes, and a linear search for any of them in a large
 * byte array (captured datagrams). Invariant 3's wire check: a {@value #WINDOW_BYTES}-byte slice of
 * a random payload turns up in ciphertext with probability about 2^-128 per position, so a hit
 * means the slice crossed in the clear.
 *
 * <p>Windows are taken at stride {@value #WINDOW_BYTES} from offset 0, so any run of
 * {@code 2 * WINDOW_BYTES - 1} or more consecutive bytes of a secret contains a whole window; at
 * most {@code maxWindows} windows per secret are kept, spread evenly over it (a large payload is
 * sampled, not indexed whole). Windows with fewer than {@value #MIN_DISTINCT_BYTES} distinct byte
 * values are skipped: runs of zeros or one repeated byte are not distinctive (padding has them).
 *
 * <p>The search is a Rabin-Karp rolling hash over every position of the haystack (one
 * multiply-add and one table probe per byte), each hash hit verified byte by byte. Memory: the
 * secrets are referenced, not copied; the table holds two ints and a long per window. Not
 * thread-safe while adding; {@link #find} may run concurrently once built.
 */
public final class PlaintextWindows {
    /** Length of every window, in bytes. */
    public static final int WINDOW_BYTES = 16;
    /** A window needs at least this many distinct byte values to be kept. */
    public static final int MIN_DISTINCT_BYTES = 6;
    private static final long BASE = 0x100000001B3L;
    /** BASE^(WINDOW_BYTES - 1), to remove the byte leaving the window. */
    private static final long BASE_POW;

    static {
        long p = 1;
        for (int i = 1; i < WINDOW_BYTES; i++) {
            p *= BASE;
        }
        BASE_POW = p;
    }

    private final List<String> labels = new ArrayList<>();
    private final List<byte[]> sources = new ArrayList<>();
    /** Per window: which secret and where in it. */
    private int[] windowSecret = new int[0];
    private int[] windowOffset = new int[0];
    private long[] windowHash = new long[0];
    private int windows;
    private int[] table;
    private int[] chain;
    private int mask;

    /**
     * Adds {@code secret} (referenced, not copied; do not change it afterwards) under
     * {@code label}. Secrets shorter than one window add nothing.
     *
     * @param label what the secret is, for the failure message (never the bytes themselves)
     * @param maxWindows at least 1
     */
    public PlaintextWindows add(String label, byte[] secret, int maxWindows) {
        if (maxWindows < 1) {
            throw new IllegalArgumentException("maxWindows must be at least 1, was " + maxWindows);
        }
        int slots = secret.length / WINDOW_BYTES;
        if (slots == 0) {
            return this;
        }
        int index = labels.size();
        labels.add(label);
        sources.add(secret);
        int take = Math.min(slots, maxWindows);
        for (int k = 0; k < take; k++) {
            int slot = (int) ((long) k * slots / take);
            int offset = slot * WINDOW_BYTES;
            if (distinct(secret, offset) < MIN_DISTINCT_BYTES) {
                continue;
            }
            if (windows == windowSecret.length) {
                int n = Math.max(64, 2 * windows);
                windowSecret = Arrays.copyOf(windowSecret, n);
                windowOffset = Arrays.copyOf(windowOffset, n);
                windowHash = Arrays.copyOf(windowHash, n);
            }
            windowSecret[windows] = index;
            windowOffset[windows] = offset;
            windowHash[windows] = hash(secret, offset);
            windows++;
        }
        table = null;
        return this;
    }

    /** How many windows the search looks for. */
    public int windowCount() {
        return windows;
    }

    /**
     * The first place in {@code haystack} where a window of a secret occurs.
     *
     * @return the hit, or empty (also when no window was added)
     */
    public Optional<Hit> find(byte[] haystack) {
        if (windows == 0 || haystack.length < WINDOW_BYTES) {
            return Optional.empty();
        }
        index();
        long h = hash(haystack, 0);
        for (int at = 0; ; at++) {
            for (int w = table[(int) mix(h) & mask]; w >= 0; w = chain[w]) {
                if (windowHash[w] == h && Arrays.equals(haystack, at, at + WINDOW_BYTES, sources.get(windowSecret[w]),
                        windowOffset[w], windowOffset[w] + WINDOW_BYTES)) {
                    return Optional.of(new Hit(labels.get(windowSecret[w]), windowOffset[w], at));
                }
            }
            if (at + WINDOW_BYTES >= haystack.length) {
                return Optional.empty();
            }
            h = (h - (haystack[at] & 0xFF) * BASE_POW) * BASE + (haystack[at + WINDOW_BYTES] & 0xFF);
        }
    }

    /**
     * A window found.
     *
     * @param label the secret's label
     * @param secretOffset where the window starts in the secret
     * @param haystackOffset where it starts in the searched bytes
     */
    public record Hit(String label, int secretOffset, int haystackOffset) {}

    private synchronized void index() {
        if (table != null) {
            return;
        }
        int size = Integer.highestOneBit(Math.max(16, windows * 2 - 1)) << 1;
        int[] t = new int[size];
        Arrays.fill(t, -1);
        int[] c = new int[windows];
        int m = size - 1;
        for (int w = 0; w < windows; w++) {
            int slot = (int) mix(windowHash[w]) & m;
            c[w] = t[slot];
            t[slot] = w;
        }
        chain = c;
        mask = m;
        table = t;
    }

    private static long hash(byte[] bytes, int offset) {
        long h = 0;
        for (int i = 0; i < WINDOW_BYTES; i++) {
            h = h * BASE + (bytes[offset + i] & 0xFF);
        }
        return h;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    private static int distinct(byte[] bytes, int offset) {
        boolean[] seen = new boolean[256];
        int n = 0;
        for (int i = offset; i < offset + WINDOW_BYTES; i++) {
            if (!seen[bytes[i] & 0xFF]) {
                seen[bytes[i] & 0xFF] = true;
                n++;
            }
        }
        return n;
    }
}
