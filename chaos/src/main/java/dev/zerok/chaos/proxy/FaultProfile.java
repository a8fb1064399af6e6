package dev.zerok.chaos.proxy;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The faults injected in one {@link Direction}. Immutable; the proxy swaps whole profiles
 * atomically, so a live change never applies half a profile to a datagram.
 *
 * <p>Stages, in the order the {@link FaultEngine} applies them to each received datagram:
 * <ol>
 *   <li>{@code partitioned}: drop everything.</li>
 *   <li>{@code lossProbability}: independent (Bernoulli) loss.</li>
 *   <li>{@code burstLoss}: Gilbert-Elliott loss.</li>
 *   <li>{@code bandwidthBytesPerSecond} and {@code queueLimitBytes}: the datagram waits in a FIFO
 *       link queue and is serialised at this rate; when the bytes already waiting plus this
 *       datagram exceed the queue limit it is dropped (tail drop). A duplicate takes link time
 *       too but is never tail-dropped on its own.</li>
 *   <li>{@code limitDataBytes}: once the datagrams that passed the stages above would add up to
 *       more than this many payload bytes, this datagram and every later one are dropped (the
 *       cut stays until the limit is changed or the profiles are reset). Duplicates do not
 *       count.</li>
 *   <li>{@code corruptProbability}: one uniformly chosen bit of the payload is flipped.</li>
 *   <li>{@code duplicateProbability}: a second copy is sent (same bytes, its own latency).</li>
 *   <li>Latency: each copy leaves after the serialisation end plus a sample of a normal
 *       distribution with mean {@code latencyMean} and standard deviation {@code jitterStddev};
 *       negative samples become 0. Jitter can reorder datagrams by itself, as on a real path.</li>
 *   <li>{@code reorderProbability}: the datagram (all its copies) is held back a further
 *       {@code reorderExtraDelay}, so datagrams sent after it overtake it.</li>
 * </ol>
 * Probabilities are per datagram, in [0, 1]. Sizes are UDP payload bytes (no IP/UDP headers).
 *
 * @param latencyMean            mean one-way delay added to each datagram; zero or positive
 * @param jitterStddev           standard deviation of the delay; zero or positive
 * @param lossProbability        probability of independent loss
 * @param burstLoss              Gilbert-Elliott burst loss; {@link BurstLoss#NONE} to disable
 * @param reorderProbability     probability a datagram is held back by {@code reorderExtraDelay}
 * @param reorderExtraDelay      extra delay of a reordered datagram; zero or positive
 * @param duplicateProbability   probability a second copy is sent
 * @param corruptProbability     probability one bit is flipped
 * @param bandwidthBytesPerSecond link rate in payload bytes per second, at least 1; empty for
 *                               no limit
 * @param queueLimitBytes        bytes that may wait for the link when a rate is set, at least 1
 * @param partitioned            drop every datagram
 * @param limitDataBytes         payload bytes forwarded before the cut, at least 0; empty for no
 *                               limit
 */
public record FaultProfile(
        Duration latencyMean,
        Duration jitterStddev,
        double lossProbability,
        BurstLoss burstLoss,
        double reorderProbability,
        Duration reorderExtraDelay,
        double duplicateProbability,
        double corruptProbability,
        OptionalLong bandwidthBytesPerSecond,
        long queueLimitBytes,
        boolean partitioned,
        OptionalLong limitDataBytes) {

    /** Default bound of the link queue when a bandwidth limit is set: 1 MiB. */
    public static final long DEFAULT_QUEUE_LIMIT_BYTES = 1L << 20;

    /** No faults: datagrams pass unchanged and at once. */
    public static final FaultProfile NONE = new FaultProfile(Duration.ZERO, Duration.ZERO, 0, BurstLoss.NONE, 0,
            Duration.ZERO, 0, 0, OptionalLong.empty(), DEFAULT_QUEUE_LIMIT_BYTES, false, OptionalLong.empty());

    /**
     * Validates every parameter.
     *
     * @throws IllegalArgumentException if a probability is outside [0, 1], a duration is negative,
     *                                  a rate or queue limit is below 1 or the data limit below 0
     * @throws NullPointerException     if a component is null
     */
    public FaultProfile {
        requireNonNegative("latencyMean", latencyMean);
        requireNonNegative("jitterStddev", jitterStddev);
        requireProbability("lossProbability", lossProbability);
        Objects.requireNonNull(burstLoss, "burstLoss");
        requireProbability("reorderProbability", reorderProbability);
        requireNonNegative("reorderExtraDelay", reorderExtraDelay);
        requireProbability("duplicateProbability", duplicateProbability);
        requireProbability("corruptProbability", corruptProbability);
        Objects.requireNonNull(bandwidthBytesPerSecond, "bandwidthBytesPerSecond");
        if (bandwidthBytesPerSecond.isPresent() && bandwidthBytesPerSecond.getAsLong() < 1) {
            throw new IllegalArgumentException(
                    "bandwidthBytesPerSecond must be at least 1, was " + bandwidthBytesPerSecond.getAsLong());
        }
        if (queueLimitBytes < 1) {
            throw new IllegalArgumentException("queueLimitBytes must be at least 1, was " + queueLimitBytes);
        }
        Objects.requireNonNull(limitDataBytes, "limitDataBytes");
        if (limitDataBytes.isPresent() && limitDataBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("limitDataBytes must be at least 0, was " + limitDataBytes.getAsLong());
        }
    }

    /** This profile with the given one-way delay: mean and standard deviation (both zero or positive). */
    public FaultProfile withLatency(Duration mean, Duration stddev) {
        return new FaultProfile(mean, stddev, lossProbability, burstLoss, reorderProbability, reorderExtraDelay,
                duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes, partitioned,
                limitDataBytes);
    }

    /** This profile with the given independent loss probability in [0, 1]. */
    public FaultProfile withLoss(double probability) {
        return new FaultProfile(latencyMean, jitterStddev, probability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes,
                partitioned, limitDataBytes);
    }

    /** This profile with the given Gilbert-Elliott burst loss. */
    public FaultProfile withBurstLoss(BurstLoss model) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, model, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes,
                partitioned, limitDataBytes);
    }

    /** This profile with reordering: probability in [0, 1] and the extra delay of a held-back datagram. */
    public FaultProfile withReorder(double probability, Duration extraDelay) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, probability, extraDelay,
                duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes, partitioned,
                limitDataBytes);
    }

    /** This profile with the given duplicate probability in [0, 1]. */
    public FaultProfile withDuplicate(double probability) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, probability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes,
                partitioned, limitDataBytes);
    }

    /** This profile with the given corrupt (one bit flip) probability in [0, 1]. */
    public FaultProfile withCorrupt(double probability) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, probability, bandwidthBytesPerSecond, queueLimitBytes,
                partitioned, limitDataBytes);
    }

    /** This profile with a link rate of {@code bytesPerSecond} (at least 1). */
    public FaultProfile withBandwidth(long bytesPerSecond) {
        return withBandwidth(OptionalLong.of(bytesPerSecond));
    }

    /** This profile with the given link rate in bytes per second; empty removes the limit. */
    public FaultProfile withBandwidth(OptionalLong bytesPerSecond) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bytesPerSecond, queueLimitBytes,
                partitioned, limitDataBytes);
    }

    /** This profile with the given link queue bound in bytes (at least 1). */
    public FaultProfile withQueueLimit(long bytes) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bandwidthBytesPerSecond, bytes,
                partitioned, limitDataBytes);
    }

    /** This profile partitioned (drop all) or not. */
    public FaultProfile withPartitioned(boolean dropAll) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes,
                dropAll, limitDataBytes);
    }

    /** This profile cutting after {@code bytes} (at least 0) payload bytes forwarded. */
    public FaultProfile withLimitData(long bytes) {
        return withLimitData(OptionalLong.of(bytes));
    }

    /** This profile with the given data limit in bytes; empty removes the limit. */
    public FaultProfile withLimitData(OptionalLong bytes) {
        return new FaultProfile(latencyMean, jitterStddev, lossProbability, burstLoss, reorderProbability,
                reorderExtraDelay, duplicateProbability, corruptProbability, bandwidthBytesPerSecond, queueLimitBytes,
                partitioned, bytes);
    }

    static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + p);
        }
    }

    private static void requireNonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + d);
        }
    }
}
