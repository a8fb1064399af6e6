package dev.zerok.kernel.relay;

import java.time.Duration;

/**
 * Per-session limits the relay enforces in the kernel.
 *
 * @param maxFrameBytes largest frame accepted, announced in Welcome (bytes)
 * @param maxTtl TTL cap announced in Welcome (the store applies the same cap)
 * @param maxPullBlobs upper bound applied to a Pull's {@code maxBlobs}
 * @param maxPullBytes upper bound applied to a Pull's {@code maxBytes} (bytes)
 * @param helloTimeout time from connection start to a valid Hello; slower sessions are closed
 */
public record RelayLimits(int maxFrameBytes, Duration maxTtl, int maxPullBlobs, long maxPullBytes, Duration helloTimeout) {
    /** 2 MiB frames, 7-day TTL, pages of at most 1000 blobs and 1 MiB, 10 s to say Hello. */
    public static final RelayLimits DEFAULTS = new RelayLimits(
            dev.zerok.kernel.wire.FrameCodec.DEFAULT_MAX_FRAME_BYTES, Duration.ofDays(7), 1000, 1024 * 1024,
            Duration.ofSeconds(10));

    public RelayLimits {
        if (maxFrameBytes < 1 || maxPullBlobs < 1 || maxPullBytes < 1 || maxTtl.isNegative() || maxTtl.isZero()
                || helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new IllegalArgumentException("relay limits must be positive");
        }
    }
}
