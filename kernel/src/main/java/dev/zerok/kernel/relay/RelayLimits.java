package dev.zerok.kernel.relay;

import dev.zerok.kernel.wire.MessageCodec;
import java.time.Duration;

/**
 * Per-session limits the relay enforces in the kernel.
 *
 * @param maxFrameBytes largest frame accepted once Hello is verified, announced in Welcome (bytes);
 *     before that only {@link #HELLO_FRAME_BYTES}
 * @param maxTtl TTL cap announced in Welcome (the store applies the same cap)
 * @param maxPullBlobs upper bound applied to a Pull's {@code maxBlobs}
 * @param maxPullBytes upper bound applied to a Pull's {@code maxBytes} (payload bytes); a page is
 *     further cut so that it fits one frame
 * @param helloTimeout the handshake's step timeout: from connection start to the device's Noise
 *     msg1, from msg1 to msg3, from msg3 to a valid Hello, each step within this of the previous
 *     one (about one round trip's budget, so a 5 s one-way delay still connects); in any case
 *     everything within {@link #handshakeCap()} of the connection start (slowloris guard for
 *     unauthenticated peers); slower sessions are closed
 * @param frameTimeout time a started frame may stay incomplete while the relay is reading
 *     (slowloris guard: a frame trickled in small pieces)
 * @param maxQueuedRequests requests waiting behind the one in flight before the relay stops
 *     reading from the device; {@code 16 *} this many is a violation that closes the session
 */
public record RelayLimits(int maxFrameBytes, Duration maxTtl, int maxPullBlobs, long maxPullBytes, Duration helloTimeout,
        Duration frameTimeout, int maxQueuedRequests) {
    /**
     * Largest frame accepted before Hello is verified: a Hello with the largest membership proof
     * fits with room to spare; nothing larger is buffered for an unauthenticated peer.
     */
    public static final int HELLO_FRAME_BYTES = 8 * 1024;

    /** 2 MiB frames, 7-day TTL, pages of at most 1000 blobs and 1 MiB, 15 s per handshake step (60 s in all), 30 s per frame, 32 queued requests. */
    public static final RelayLimits DEFAULTS = new RelayLimits(
            dev.zerok.kernel.wire.FrameCodec.DEFAULT_MAX_FRAME_BYTES, Duration.ofDays(7), 1000, 1024 * 1024,
            Duration.ofSeconds(15), Duration.ofSeconds(30), 32);

    /** The handshake and Hello must be done within this many {@code helloTimeout}s of the connection start. */
    public static final int HANDSHAKE_CAP_FACTOR = 4;

    /**
     * @throws IllegalArgumentException if a limit is not positive, or a frame cannot carry one
     *     blob of at least 1 KiB besides its envelope
     */
    public RelayLimits {
        if (maxFrameBytes < 1 || maxPullBlobs < 1 || maxPullBytes < 1 || maxTtl.isNegative() || maxTtl.isZero()
                || helloTimeout.isNegative() || helloTimeout.isZero() || frameTimeout.isNegative() || frameTimeout.isZero()
                || maxQueuedRequests < 1) {
            throw new IllegalArgumentException("relay limits must be positive");
        }
        if (MessageCodec.maxBlobPayloadBytes(maxFrameBytes) < 1024) {
            throw new IllegalArgumentException("a frame limit of " + maxFrameBytes + " bytes leaves no room for a 1 KiB blob");
        }
    }

    /** {@link #HANDSHAKE_CAP_FACTOR} times {@code helloTimeout}: how long an unauthenticated peer can hold a session at most. */
    public Duration handshakeCap() {
        return helloTimeout.multipliedBy(HANDSHAKE_CAP_FACTOR);
    }

    /** The largest blob payload a Push may carry: what one PullResponse entry can serve back. */
    public long maxBlobPayloadBytes() {
        return MessageCodec.maxBlobPayloadBytes(maxFrameBytes);
    }
}
