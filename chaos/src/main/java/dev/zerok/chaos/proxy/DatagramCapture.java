package dev.zerok.chaos.proxy;

import java.util.Arrays;

/**
 * The UDP payloads a proxy forwarded in one direction, kept for the no-plaintext check (invariant
 * 3 on the wire): the first {@code limitBytes} bytes of the concatenated payloads, in send order;
 * what came after is only counted. The buffer grows on demand (a quiet link costs little).
 *
 * <p>Offsets are into the concatenation: datagram {@code i} occupies
 * {@code [start(i), start(i) + length)}. Thread-safety: all methods are synchronized (the proxy
 * appends on its I/O thread, the check reads from the scenario's thread).
 */
public final class DatagramCapture {
    private final long limitBytes;
    private byte[] bytes = new byte[0];
    private int size;
    /** Start offset of each kept datagram. */
    private int[] starts = new int[0];
    private int datagrams;
    private long droppedBytes;
    private long droppedDatagrams;

    /**
     * @param limitBytes how many payload bytes to keep, 0 to keep none, at most
     *     {@link Integer#MAX_VALUE} - 8
     */
    public DatagramCapture(long limitBytes) {
        if (limitBytes < 0 || limitBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("limitBytes must be in [0, 2^31 - 9], was " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /**
     * Keeps {@code payload} if it and everything before it fit within the limit, else counts it as
     * dropped (so what is kept is a prefix of the link's traffic).
     */
    public synchronized void add(byte[] payload) {
        if (droppedDatagrams > 0 || size + (long) payload.length > limitBytes) {
            droppedBytes += payload.length;
            droppedDatagrams++;
            return;
        }
        if (size + payload.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limitBytes, Math.max(64 << 10,
                    Math.max(size + payload.length, 2L * bytes.length))));
        }
        if (datagrams == starts.length) {
            starts = Arrays.copyOf(starts, Math.max(256, 2 * starts.length));
        }
        starts[datagrams++] = size;
        System.arraycopy(payload, 0, bytes, size, payload.length);
        size += payload.length;
    }

    /** A copy of what is kept so far. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(bytes, size), Arrays.copyOf(starts, datagrams), droppedBytes,
                droppedDatagrams);
    }

    /**
     * What a capture held at one moment.
     *
     * @param bytes the kept payloads, concatenated in send order
     * @param starts the offset in {@code bytes} where each kept datagram starts, ascending
     * @param droppedBytes payload bytes forwarded but not kept (past the limit)
     * @param droppedDatagrams datagrams forwarded but not kept
     */
    public record Snapshot(byte[] bytes, int[] starts, long droppedBytes, long droppedDatagrams) {
        /** The index of the datagram holding byte {@code offset} of {@link #bytes}. */
        public int datagramAt(int offset) {
            int i = Arrays.binarySearch(starts, offset);
            return i >= 0 ? i : -i - 2;
        }

        /** True if datagrams were forwarded that the capture did not keep. */
        public boolean truncated() {
            return droppedDatagrams > 0;
        }
    }
}
