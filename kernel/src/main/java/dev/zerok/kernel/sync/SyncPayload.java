package dev.zerok.kernel.sync;

import java.util.Arrays;
import java.util.Objects;

/**
 * The plaintext inside every sealed blob: the sender's sequence number, a kind and the
 * application's bytes. The sequence number is inside the AEAD-protected plaintext, so a relay
 * cannot change it; receivers use it to detect replay, rollback and reordering (docs/SECURITY.md,
 * "Blob sealing": detection happens above the sealing layer).
 *
 * <pre>
 * fixed binary layout, multi-byte integers big-endian:
 *   0        1        2                                        10
 *   +--------+--------+----------------------------------------+------------------------+
 *   | format | kind   | sender sequence number (u64)           | application data       |
 *   | 0x01   | 0x01   | 1 .. 2^63-1, per sender device, from 1 | 0 or more bytes        |
 *   +--------+--------+----------------------------------------+------------------------+
 *   header = {@value #HEADER_BYTES} bytes; the data runs to the end of the plaintext.
 * </pre>
 *
 * <pre>
 * kind  name        data
 * 0x01  DATA        application bytes, handed to the application as they are
 * 0x02  COLLECTION  an encoded manifest (dev.zerok.kernel.content.ManifestCodec)
 * 0x03  CHUNK       one sealed chunk (dev.zerok.kernel.content.ChunkSealer), named by SHA-256 of these bytes
 * 0x04  FOLDER      a batch of folder change records or a snapshot request (dev.zerok.kernel.content.FolderCodec)
 * </pre>
 *
 * Every other kind value is refused. A CHUNK's data is sealed twice: convergently as a chunk (so
 * its address is the same for every member) and then, inside this payload, as an ordinary blob
 * (so the relay sees only a blob like any other). docs/PROTOCOL.md, "Collections". Decoding is strict and never throws an unchecked exception: a wrong format byte, an unknown
 * kind, a short header or a sequence number of 0 or above 2^63-1 is a {@link SyncException}
 * coded {@code MALFORMED_PAYLOAD}.
 *
 * <p>Immutable and thread-safe (the data array is copied in and out). {@link #toString()} never
 * prints the data.
 *
 * @param kind what the data is
 * @param sequence the sender's sequence number, 1 or more
 * @param data the application's bytes, possibly empty
 */
public record SyncPayload(Kind kind, long sequence, byte[] data) {
    /** The format byte this build writes and reads. */
    public static final byte FORMAT = 1;
    /** Bytes before the application data: format, kind, sequence. */
    public static final int HEADER_BYTES = 10;

    /** What the application data is. */
    public enum Kind {
        /** Opaque application bytes, handed to the application as they are. */
        DATA((byte) 1),
        /** A collection's manifest, encoded by {@code ManifestCodec}. */
        COLLECTION((byte) 2),
        /** One sealed chunk of a collection's file content, as {@code ChunkSealer} produced it. */
        CHUNK((byte) 3),
        /** Change records of a shared folder, or a snapshot request, encoded by {@code FolderCodec}. */
        FOLDER((byte) 4),
        /** Several sealed chunks in one blob, encoded by {@code ChunkPackCodec}: a tree's small files. */
        CHUNKS((byte) 5);

        private final byte wire;

        Kind(byte wire) {
            this.wire = wire;
        }

        /** The byte written at offset 1. */
        public byte wire() {
            return wire;
        }
    }

    /**
     * @throws IllegalArgumentException if {@code sequence < 1} (a programming error; the decoder
     *     reports the same condition as {@code MALFORMED_PAYLOAD})
     */
    public SyncPayload {
        Objects.requireNonNull(kind, "kind");
        if (sequence < 1) {
            throw new IllegalArgumentException("sender sequence numbers start at 1");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The plaintext to seal: {@link #HEADER_BYTES} + data length bytes. */
    public byte[] encode() {
        byte[] out = new byte[HEADER_BYTES + data.length];
        out[0] = FORMAT;
        out[1] = kind.wire();
        for (int i = 0; i < 8; i++) {
            out[2 + i] = (byte) (sequence >>> (56 - 8 * i));
        }
        System.arraycopy(data, 0, out, HEADER_BYTES, data.length);
        return out;
    }

    /**
     * Parses an opened blob's plaintext.
     *
     * @throws SyncException coded {@code MALFORMED_PAYLOAD} for anything {@link #encode()} would
     *     not produce
     */
    public static SyncPayload decode(byte[] plaintext) throws SyncException {
        if (plaintext.length < HEADER_BYTES) {
            throw malformed("payload of " + plaintext.length + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        if (plaintext[0] != FORMAT) {
            throw malformed("payload format " + (plaintext[0] & 0xff) + " is not " + FORMAT + "; upgrade to read it");
        }
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.wire() == plaintext[1]) {
                kind = k;
            }
        }
        if (kind == null) {
            throw malformed("payload kind " + (plaintext[1] & 0xff) + " is not known to this build");
        }
        long sequence = 0;
        for (int i = 0; i < 8; i++) {
            sequence = (sequence << 8) | (plaintext[2 + i] & 0xff);
        }
        if (sequence < 1) {
            throw malformed("sender sequence number must be between 1 and 2^63-1");
        }
        return new SyncPayload(kind, sequence, Arrays.copyOfRange(plaintext, HEADER_BYTES, plaintext.length));
    }

    private static SyncException malformed(String message) {
        return new SyncException(SyncException.Code.MALFORMED_PAYLOAD, message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyncPayload p && kind == p.kind && sequence == p.sequence && Arrays.equals(data, p.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, sequence, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "SyncPayload[" + kind + ", seq=" + sequence + ", " + data.length + " bytes]";
    }
}
