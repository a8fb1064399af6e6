package dev.zerok.kernel.wire;

import dev.zerok.kernel.wire.ProtocolException.Code;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reassembles frames ({@link FrameCodec}) from a byte stream delivered in arbitrary pieces.
 *
 * <p>The length header is checked against {@code maxFrameBytes} as soon as its 4 bytes have
 * arrived, <b>before</b> any of the body is buffered: an oversize or empty announcement fails at
 * once. The body buffer grows with the bytes that actually arrive (doubling from
 * {@value #INITIAL_BODY_BYTES} bytes), so a peer that announces a large frame and sends little
 * holds little: memory is at most about twice the bytes received, never more than one header plus
 * one frame of at most {@code maxFrameBytes}. The limit can change between frames
 * ({@link #maxFrameBytes(int)}): a relay keeps it small until the peer has proved membership.
 * After a failure the decoder stays failed (a framing error cannot be resynchronised; the session
 * must close).
 *
 * <p>Not thread-safe: one decoder per stream, fed by one thread at a time.
 */
public final class FrameDecoder {
    /** First body buffer size; it doubles as bytes arrive, up to the announced length. */
    static final int INITIAL_BODY_BYTES = 4096;

    private int maxFrameBytes;
    private final byte[] header = new byte[FrameCodec.HEADER_BYTES];
    private int headerFilled;
    private byte[] body;
    private int bodyLength;
    private int bodyFilled;
    private ProtocolException failure;

    /**
     * @param maxFrameBytes largest accepted body, 1 to {@link FrameCodec#LIMIT_MAX_FRAME_BYTES}
     * @throws IllegalArgumentException if out of range
     */
    public FrameDecoder(int maxFrameBytes) {
        maxFrameBytes(maxFrameBytes);
    }

    /**
     * Sets the largest body accepted from the next frame header on (a frame whose header already
     * arrived keeps the limit it was checked against).
     *
     * @param maxFrameBytes 1 to {@link FrameCodec#LIMIT_MAX_FRAME_BYTES}
     * @throws IllegalArgumentException if out of range
     */
    public void maxFrameBytes(int maxFrameBytes) {
        if (maxFrameBytes < 1 || maxFrameBytes > FrameCodec.LIMIT_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException(
                    "maxFrameBytes must be 1.." + FrameCodec.LIMIT_MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Consumes {@code chunk} and returns the frame bodies it completed, in order.
     *
     * @param chunk the next bytes of the stream, any length including 0
     * @return complete frame bodies (each 1 to {@code maxFrameBytes} bytes); often empty
     * @throws ProtocolException coded {@code OVERSIZE} or {@code EMPTY_FRAME} for a bad header, or the
     *     earlier failure again
     */
    public List<byte[]> feed(byte[] chunk) throws ProtocolException {
        if (failure != null) {
            throw failure;
        }
        List<byte[]> frames = new ArrayList<>();
        int offset = 0;
        while (offset < chunk.length) {
            if (body == null) {
                int take = Math.min(FrameCodec.HEADER_BYTES - headerFilled, chunk.length - offset);
                System.arraycopy(chunk, offset, header, headerFilled, take);
                headerFilled += take;
                offset += take;
                if (headerFilled == FrameCodec.HEADER_BYTES) {
                    startBody();
                }
            } else {
                int take = Math.min(bodyLength - bodyFilled, chunk.length - offset);
                if (bodyFilled + take > body.length) {
                    body = Arrays.copyOf(body, (int) Math.min(bodyLength, Math.max(2L * body.length, bodyFilled + take)));
                }
                System.arraycopy(chunk, offset, body, bodyFilled, take);
                bodyFilled += take;
                offset += take;
            }
            if (body != null && bodyFilled == bodyLength) {
                frames.add(body); // the last growth stops at bodyLength, so body is exactly full
                body = null;
                bodyFilled = 0;
                headerFilled = 0;
            }
        }
        return frames;
    }

    /**
     * Declares the end of the stream.
     *
     * @throws ProtocolException coded {@code TRUNCATED} if it ended inside a frame
     */
    public void finish() throws ProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (headerFilled > 0) {
            throw fail(Code.TRUNCATED, "stream ended inside a frame after "
                    + (headerFilled + bodyFilled) + " bytes");
        }
    }

    /** Bytes of body buffer allocated now (what a peer's announcement actually costs). */
    int bodyCapacityBytes() {
        return body == null ? 0 : body.length;
    }

    /** The body length the current frame's header announced; 0 between frames. */
    public int announcedBytes() {
        return body == null ? 0 : bodyLength;
    }

    /** Bytes received but not yet returned as a frame. */
    public int bufferedBytes() {
        return headerFilled + bodyFilled;
    }

    private void startBody() throws ProtocolException {
        long length = ((header[0] & 0xffL) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                | (header[3] & 0xff);
        if (length == 0) {
            throw fail(Code.EMPTY_FRAME, "frame header announces an empty frame");
        }
        if (length > maxFrameBytes) {
            throw fail(Code.OVERSIZE, "frame header announces " + length + " bytes; the maximum is " + maxFrameBytes);
        }
        bodyLength = (int) length;
        body = new byte[Math.min(bodyLength, INITIAL_BODY_BYTES)];
        bodyFilled = 0;
    }

    private ProtocolException fail(Code code, String message) {
        failure = new ProtocolException(code, message);
        return failure;
    }
}
