package dev.zerok.adapters.transport.mock;

import java.time.Duration;

/**
 * The faults of one direction of one link (from one host to another) of a {@link MockNetwork}.
 * Immutable; build with {@link #NONE} and the {@code with...} methods, install with
 * {@link MockNetwork#setFaults}. Changes apply to messages sent after the change, except
 * {@link #dropRate()} and {@link #partitioned()}, which are decided for each transmission attempt
 * when it would arrive.
 *
 * <p>How each fault surfaces to the {@code Transport} port (see the adapter README, "Fault
 * model"):
 *
 * <table>
 *   <caption>fault surfacing</caption>
 *   <tr><th>fault</th><th>what the mock does</th><th>what the channel's user sees</th></tr>
 *   <tr><td>{@code dropRate}</td><td>each transmission attempt is lost with this probability and
 *       retransmitted after a probe timeout (PTO) that starts at {@code retransmitTimeout} and
 *       doubles with each consecutive loss of the same message (RFC 9002 section 6.2)</td>
 *       <td>latency; if a message stays unacknowledged (not delivered) for the idle timeout
 *       since it was first sent, both ends close with {@code TIMEOUT} (RFC 9000 section
 *       10.1)</td></tr>
 *   <tr><td>{@code delay}, {@code jitter}</td><td>one-way delay drawn uniformly from
 *       [delay - jitter, delay + jitter] (clamped at 0)</td><td>latency; jitter-induced reordering
 *       is repaired by in-order reassembly (head-of-line blocking)</td></tr>
 *   <tr><td>{@code duplicateRate}</td><td>a second copy arrives a little later</td>
 *       <td>nothing: the receiver discards it by sequence number</td></tr>
 *   <tr><td>{@code reorderRate}</td><td>the message is held back by {@code reorderDelay}</td>
 *       <td>latency for it and everything behind it</td></tr>
 *   <tr><td>{@code bandwidthBytesPerSecond}</td><td>messages leave the link one after another
 *       at this rate (shared by every channel of the direction), each at the rate in force
 *       when it starts: a live change acts from the next message</td><td>latency</td></tr>
 *   <tr><td>{@code partitioned}</td><td>every attempt that would arrive is lost (total loss) and
 *       retransmitted on the same doubling PTO; the first attempt after the partition heals gets
 *       through</td><td>latency for a partition shorter than the idle timeout; a message
 *       unacknowledged for the idle timeout, or no arrival in either direction for it, closes
 *       both ends with {@code TIMEOUT}</td></tr>
 *   <tr><td>{@code limitBytes}</td><td>when a message would carry the channel's direction past
 *       this many payload bytes, the connection is cut when it would have arrived (per channel,
 *       like Toxiproxy's limit_data)</td><td>both ends close with {@code RESET}; the crossing
 *       message is not delivered</td></tr>
 *   <tr><td>{@code corruptRate}</td><td>one random bit of the message is flipped</td><td><b>the
 *       tampered message is delivered</b> (an on-path tamperer above the transport's integrity
 *       check; this is what Noise's AEAD must catch)</td></tr>
 *   <tr><td>{@code truncateRate}</td><td>the message is cut to a random shorter length, at least
 *       1 byte</td><td><b>the shortened message is delivered</b>, likewise</td></tr>
 * </table>
 *
 * <p>The last two deliberately break the port's "unmodified" promise: they exist for the
 * encryption chaos scenarios (E-ENC-*, E-HS-*), which test that the layers above detect tampering.
 *
 * @param dropRate probability in [0, 1) that one transmission attempt is lost
 * @param delay the mean one-way delay, not negative
 * @param jitter the half-width of the uniform spread around {@code delay}, not negative
 * @param duplicateRate probability in [0, 1] that a message is sent twice
 * @param reorderRate probability in [0, 1] that a message is held back by {@code reorderDelay}
 * @param reorderDelay how far a reordered message is held back, not negative
 * @param corruptRate probability in [0, 1] that one bit of a delivered message is flipped
 * @param truncateRate probability in [0, 1] that a delivered message (of 2 or more bytes) is shortened
 * @param limitBytes payload bytes one channel's direction may carry before it is cut;
 *     {@link Long#MAX_VALUE} for no limit
 * @param bandwidthBytesPerSecond the link's rate, or 0 for unlimited
 * @param partitioned whether nothing gets through right now
 * @param retransmitTimeout the first probe timeout of the retransmission model: how long after a
 *     lost attempt the message is sent again (doubling per consecutive loss), positive
 */
public record LinkFaults(
        double dropRate,
        Duration delay,
        Duration jitter,
        double duplicateRate,
        double reorderRate,
        Duration reorderDelay,
        double corruptRate,
        double truncateRate,
        long limitBytes,
        long bandwidthBytesPerSecond,
        boolean partitioned,
        Duration retransmitTimeout) {

    /** No faults: zero delay, unlimited, nothing lost; retransmit timeout 200 ms. */
    public static final LinkFaults NONE = new LinkFaults(0, Duration.ZERO, Duration.ZERO, 0, 0,
            Duration.ofMillis(50), 0, 0, Long.MAX_VALUE, 0, false, Duration.ofMillis(200));

    /**
     * @throws IllegalArgumentException if a rate is outside its range or a duration or size is
     *     negative
     */
    public LinkFaults {
        if (!(dropRate >= 0 && dropRate < 1)) {
            throw new IllegalArgumentException("dropRate must be in [0, 1), got " + dropRate
                    + "; use partitioned for total loss");
        }
        checkRate("duplicateRate", duplicateRate);
        checkRate("reorderRate", reorderRate);
        checkRate("corruptRate", corruptRate);
        checkRate("truncateRate", truncateRate);
        checkNotNegative("delay", delay);
        checkNotNegative("jitter", jitter);
        checkNotNegative("reorderDelay", reorderDelay);
        checkNotNegative("retransmitTimeout", retransmitTimeout);
        if (retransmitTimeout.isZero()) {
            throw new IllegalArgumentException("retransmitTimeout must be positive");
        }
        if (limitBytes < 0) {
            throw new IllegalArgumentException("limitBytes must not be negative, got " + limitBytes);
        }
        if (bandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidthBytesPerSecond must not be negative, got "
                    + bandwidthBytesPerSecond);
        }
    }

    private static void checkRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + rate);
        }
    }

    private static void checkNotNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a non-negative duration, got " + value);
        }
    }

    public LinkFaults withDropRate(double rate) {
        return new LinkFaults(rate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withDelay(Duration mean, Duration spread) {
        return new LinkFaults(dropRate, mean, spread, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withDuplicateRate(double rate) {
        return new LinkFaults(dropRate, delay, jitter, rate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withReorder(double rate, Duration holdBack) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, rate, holdBack, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withCorruptRate(double rate) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, rate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withTruncateRate(double rate) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                rate, limitBytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    /** @param bytes payload bytes per channel direction, or {@link Long#MAX_VALUE} for none */
    public LinkFaults withLimitBytes(long bytes) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, bytes, bandwidthBytesPerSecond, partitioned, retransmitTimeout);
    }

    /** @param bytesPerSecond the rate, or 0 for unlimited */
    public LinkFaults withBandwidth(long bytesPerSecond) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bytesPerSecond, partitioned, retransmitTimeout);
    }

    public LinkFaults withPartitioned(boolean cut) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, cut, retransmitTimeout);
    }

    public LinkFaults withRetransmitTimeout(Duration timeout) {
        return new LinkFaults(dropRate, delay, jitter, duplicateRate, reorderRate, reorderDelay, corruptRate,
                truncateRate, limitBytes, bandwidthBytesPerSecond, partitioned, timeout);
    }
}
