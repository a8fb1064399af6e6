package dev.zerok.kernel.wire;

/**
 * The frame layer of the plaintext stream inside a Noise session: each message travels as
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              body length L (uint32, big-endian)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            body: L bytes, one MessageCodec message ...        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * with {@code 1 <= L <= maxFrameBytes}. Frames can be larger than one Noise transport message
 * (65535 bytes), so the session layer cuts the framed stream into Noise messages and the
 * receiver's {@link FrameDecoder} reassembles it.
 *
 * <p>Stateless and thread-safe.
 */
public final class FrameCodec {
    /** Bytes in a frame header. */
    public static final int HEADER_BYTES = 4;
    /** Default maximum body size: 2 MiB, room for a 1 MiB chunk with its sealing and framing overhead. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 2 * 1024 * 1024;
    /** The largest maximum a peer may configure: 16 MiB. */
    public static final int LIMIT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private FrameCodec() {}

    /**
     * {@code body} with its 4-byte big-endian length header.
     *
     * @param body 1 to {@code maxFrameBytes} bytes
     * @throws IllegalArgumentException if {@code body} is empty or longer than {@code maxFrameBytes}
     */
    public static byte[] frame(byte[] body, int maxFrameBytes) {
        if (body.length == 0 || body.length > maxFrameBytes) {
            throw new IllegalArgumentException(
                    "a frame body must be 1.." + maxFrameBytes + " bytes, got " + body.length);
        }
        byte[] framed = new byte[HEADER_BYTES + body.length];
        framed[0] = (byte) (body.length >>> 24);
        framed[1] = (byte) (body.length >>> 16);
        framed[2] = (byte) (body.length >>> 8);
        framed[3] = (byte) body.length;
        System.arraycopy(body, 0, framed, HEADER_BYTES, body.length);
        return framed;
    }

    /** {@code message} encoded and framed. */
    public static byte[] frame(Message message, int maxFrameBytes) {
        return frame(MessageCodec.encode(message), maxFrameBytes);
    }
}
