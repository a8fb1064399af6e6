package dev.zerok.chaos.topology;

import java.time.Duration;

/**
 * The faults of one direction of one device-relay link, independent of how a topology injects
 * them (the mock transport's seeded faults in virtual time, or the UDP fault proxy on real QUIC).
 * Immutable; start from {@link #NONE} and use the {@code with...} methods.
 *
 * <p>On the mock, loss, duplication, reordering, jitter and bandwidth are repaired by its model of
 * QUIC retransmission and surface as latency; corruption and truncation are delivered tampered
 * (for the Noise layer to catch). On real QUIC through the proxy they act on datagrams.
 *
 * @param delay mean one-way delay, not negative
 * @param jitter spread around {@code delay} (mock: uniform half-width; proxy: normal sd), not negative
 * @param lossRate probability in [0, 1) that a packet or transmission attempt is lost
 * @param burstLength mean length of a loss burst in packets (Gilbert-Elliott); 0 for independent loss
 * @param duplicateRate probability in [0, 1]
 * @param reorderRate probability in [0, 1] that a packet or message is held back
 * @param corruptRate probability in [0, 1] that one bit is flipped
 * @param truncateRate probability in [0, 1] that a message is shortened (mock only)
 * @param limitBytes bytes one connection's direction may carry before it is cut; {@link Long#MAX_VALUE} for none
 * @param bandwidthBytesPerSecond rate limit, 0 for none
 * @param partitioned whether nothing gets through
 */
public record LinkFaults(
        Duration delay,
        Duration jitter,
        double lossRate,
        double burstLength,
        double duplicateRate,
        double reorderRate,
        double corruptRate,
        double truncateRate,
        long limitBytes,
        long bandwidthBytesPerSecond,
        boolean partitioned) {

    /** No fault at all. */
    public static final LinkFaults NONE = new LinkFaults(Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE,
            0, false);

    /** @throws IllegalArgumentException for a rate out of range or a negative duration or size */
    public LinkFaults {
        if (delay == null || jitter == null || delay.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("delay and jitter must be non-negative durations");
        }
        if (!(lossRate >= 0 && lossRate < 1)) {
            throw new IllegalArgumentException("lossRate must be in [0, 1); use partitioned for total loss");
        }
        for (double rate : new double[] {duplicateRate, reorderRate, corruptRate, truncateRate}) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("rates must be in [0, 1]");
            }
        }
        if (burstLength < 0 || limitBytes < 0 || bandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException("burst length, byte limit and bandwidth must not be negative");
        }
    }

    public LinkFaults withDelay(Duration mean, Duration spread) {
        return new LinkFaults(mean, spread, lossRate, burstLength, duplicateRate, reorderRate, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    public LinkFaults withLoss(double rate) {
        return new LinkFaults(delay, jitter, rate, burstLength, duplicateRate, reorderRate, corruptRate, truncateRate,
                limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    /** @param meanBurstPackets mean burst length in packets, 0 for independent loss */
    public LinkFaults withBurstLoss(double rate, double meanBurstPackets) {
        return new LinkFaults(delay, jitter, rate, meanBurstPackets, duplicateRate, reorderRate, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    public LinkFaults withDuplicate(double rate) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, rate, reorderRate, corruptRate, truncateRate,
                limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    public LinkFaults withReorder(double rate) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, rate, corruptRate, truncateRate,
                limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    public LinkFaults withCorrupt(double rate) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, reorderRate, rate, truncateRate,
                limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    public LinkFaults withTruncate(double rate) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, reorderRate, corruptRate, rate,
                limitBytes, bandwidthBytesPerSecond, partitioned);
    }

    /** @param bytes per connection direction, {@link Long#MAX_VALUE} for no limit */
    public LinkFaults withLimitBytes(long bytes) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, reorderRate, corruptRate,
                truncateRate, bytes, bandwidthBytesPerSecond, partitioned);
    }

    /** @param bytesPerSecond 0 for unlimited */
    public LinkFaults withBandwidth(long bytesPerSecond) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, reorderRate, corruptRate,
                truncateRate, limitBytes, bytesPerSecond, partitioned);
    }

    public LinkFaults withPartitioned(boolean cut) {
        return new LinkFaults(delay, jitter, lossRate, burstLength, duplicateRate, reorderRate, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, cut);
    }
}
