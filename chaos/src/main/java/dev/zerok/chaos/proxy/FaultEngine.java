package dev.zerok.chaos.proxy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The fault decisions of the proxy, without I/O: a datagram and the current time go in, a
 * {@link Verdict} (drop with a cause, or the copies to send and when) comes out. The Netty driver
 * ({@link UdpFaultProxy}) owns sockets and timers; this class owns the profiles, the per-direction
 * state (Gilbert-Elliott state, link queue, limit-data budget) and the counters.
 *
 * <p><b>Determinism.</b> Every random decision comes from one {@link SplittableRandom} seeded with
 * {@link #seed()}, split into one independent stream per direction and per stage (loss, burst,
 * corrupt, duplicate, latency, reorder). A stage draws from its stream for every datagram that
 * reaches it, whatever its probability, so: the same seed, profiles and sequence of datagrams give
 * the same verdicts; the two directions never influence each other; and changing one stage's
 * parameters (say, latency) does not change another stage's decisions (say, which datagrams are
 * lost). Time only enters through {@code nowNanos}, which the caller passes.
 *
 * <p>{@link SplittableRandom} is fine here: this is test tooling whose randomness must be
 * replayable, not product entropy.
 *
 * <p>Thread-safety: all methods are safe to call from any thread (they synchronise on the engine).
 */
public final class FaultEngine {

    private static final double NANOS_PER_SECOND = 1e9;

    private final long seed;
    private final Map<Direction, Lane> lanes = new EnumMap<>(Direction.class);

    /**
     * Creates an engine with {@link FaultProfile#NONE} in both directions.
     *
     * @param seed the seed of every random decision; report it so a run can be replayed
     */
    public FaultEngine(long seed) {
        this.seed = seed;
        SplittableRandom root = new SplittableRandom(seed);
        for (Direction d : Direction.values()) {
            lanes.put(d, new Lane(root.split()));
        }
    }

    /** The seed given at construction. */
    public long seed() {
        return seed;
    }

    /** The profile in force for {@code direction}. */
    public synchronized FaultProfile profile(Direction direction) {
        return lane(direction).profile;
    }

    /**
     * Replaces the profile of one direction; the next datagram sees it. Changing the data limit
     * (a different {@code limitDataBytes}) restarts its byte budget and lifts the cut; removing the
     * bandwidth limit empties the (virtual) link queue. Datagrams already decided keep their
     * send times.
     *
     * @param direction the direction to change
     * @param profile   the new profile
     */
    public synchronized void setProfile(Direction direction, FaultProfile profile) {
        Objects.requireNonNull(profile, "profile");
        Lane lane = lane(direction);
        if (!lane.profile.limitDataBytes().equals(profile.limitDataBytes())) {
            lane.limitUsedBytes = 0;
            lane.cut = false;
        }
        if (profile.bandwidthBytesPerSecond().isEmpty()) {
            lane.linkFreeAtNanos = Long.MIN_VALUE;
        }
        if (!profile.burstLoss().equals(lane.profile.burstLoss())) {
            lane.burstBad = false;
        }
        lane.profile = profile;
    }

    /**
     * Replaces the profile of one direction with a function of the current one, atomically (no
     * concurrent {@link #setProfile} is lost). Same effects as {@link #setProfile}.
     *
     * @param direction the direction to change
     * @param change    maps the current profile to the new one; runs under the engine's lock, so
     *                  it must be quick and must not call back into the engine
     * @return the new profile
     */
    public synchronized FaultProfile updateProfile(Direction direction, UnaryOperator<FaultProfile> change) {
        FaultProfile next = change.apply(lane(direction).profile);
        setProfile(direction, next);
        return next;
    }

    /**
     * Puts both directions back to {@link FaultProfile#NONE} and clears their state (limit-data cut,
     * link queue, burst state). Counters and random streams carry on.
     */
    public synchronized void resetProfiles() {
        for (Lane lane : lanes.values()) {
            lane.profile = FaultProfile.NONE;
            lane.limitUsedBytes = 0;
            lane.cut = false;
            lane.linkFreeAtNanos = Long.MIN_VALUE;
            lane.burstBad = false;
        }
    }

    /**
     * Decides the fate of one datagram, in the stage order documented on {@link FaultProfile}, and
     * counts it.
     *
     * @param direction the way it travels
     * @param payload   the received UDP payload, any length including 0; not modified and not
     *                  retained except as the payload of an uncorrupted delivery (callers must not
     *                  modify it afterwards)
     * @param nowNanos  the time it was received, on a monotonic nanosecond clock (such as
     *                  {@link System#nanoTime()} or a virtual clock in tests); must not go back
     * @return the verdict; deliveries carry send times on the same clock, never before
     *         {@code nowNanos}
     */
    public synchronized Verdict onDatagram(Direction direction, byte[] payload, long nowNanos) {
        Objects.requireNonNull(payload, "payload");
        Lane lane = lane(direction);
        FaultProfile p = lane.profile;
        int size = payload.length;
        lane.receivedDatagrams++;
        lane.receivedBytes += size;

        if (p.partitioned()) {
            return lane.drop(Fault.PARTITION);
        }
        if (lane.lossRandom.nextDouble() < p.lossProbability()) {
            return lane.drop(Fault.LOSS);
        }
        if (burstLoses(lane, p.burstLoss())) {
            return lane.drop(Fault.BURST_LOSS);
        }

        long linkStartNanos = nowNanos;
        if (p.bandwidthBytesPerSecond().isPresent()) {
            linkStartNanos = Math.max(nowNanos, lane.linkFreeAtNanos);
            double waitingBytes = (linkStartNanos - nowNanos) * p.bandwidthBytesPerSecond().getAsLong()
                    / NANOS_PER_SECOND;
            if (waitingBytes + size > p.queueLimitBytes()) {
                return lane.drop(Fault.QUEUE_FULL);
            }
        }

        if (p.limitDataBytes().isPresent()) {
            if (lane.cut || lane.limitUsedBytes + size > p.limitDataBytes().getAsLong()) {
                lane.cut = true;
                return lane.drop(Fault.LIMIT_DATA);
            }
            lane.limitUsedBytes += size;
        }

        Set<Fault> injected = EnumSet.noneOf(Fault.class);
        byte[] bytes = payload;
        if (lane.corruptRandom.nextDouble() < p.corruptProbability() && size > 0) {
            bytes = payload.clone();
            int bit = lane.corruptRandom.nextInt(size * 8);
            bytes[bit >>> 3] ^= (byte) (1 << (bit & 7));
            injected.add(Fault.CORRUPT);
            lane.corrupted++;
        }
        int copies = 1;
        if (lane.duplicateRandom.nextDouble() < p.duplicateProbability()) {
            copies = 2;
            injected.add(Fault.DUPLICATE);
            lane.duplicated++;
        }
        long extraNanos = 0;
        if (lane.reorderRandom.nextDouble() < p.reorderProbability()) {
            extraNanos = p.reorderExtraDelay().toNanos();
            injected.add(Fault.REORDER);
            lane.reordered++;
        }

        List<Verdict.Delivery> deliveries = new ArrayList<>(copies);
        for (int i = 0; i < copies; i++) {
            long leaveLinkNanos = linkStartNanos;
            if (p.bandwidthBytesPerSecond().isPresent()) {
                long rate = p.bandwidthBytesPerSecond().getAsLong();
                long serialisationNanos = (long) Math.ceil(size * NANOS_PER_SECOND / rate);
                leaveLinkNanos = Math.max(linkStartNanos, lane.linkFreeAtNanos) + serialisationNanos;
                lane.linkFreeAtNanos = leaveLinkNanos;
            }
            long delayNanos = sampleLatencyNanos(lane, p);
            deliveries.add(new Verdict.Delivery(bytes, leaveLinkNanos + delayNanos + extraNanos));
            lane.forwardedDatagrams++;
            lane.forwardedBytes += size;
        }
        return new Verdict.Forwarded(deliveries, injected);
    }

    /** A snapshot of the counters of {@code direction}. */
    public synchronized DirectionStats stats(Direction direction) {
        Lane lane = lane(direction);
        Map<Fault, Long> dropped = new EnumMap<>(Fault.class);
        for (Fault f : Fault.values()) {
            if (f.drops()) {
                dropped.put(f, lane.dropped.getOrDefault(f, 0L));
            }
        }
        return new DirectionStats(lane.receivedDatagrams, lane.receivedBytes, lane.forwardedDatagrams,
                lane.forwardedBytes, dropped, lane.corrupted, lane.duplicated, lane.reordered, lane.cut);
    }

    private static boolean burstLoses(Lane lane, BurstLoss model) {
        // Both draws happen for every datagram reaching this stage so the stream stays aligned.
        double lossDraw = lane.burstRandom.nextDouble();
        double transitionDraw = lane.burstRandom.nextDouble();
        boolean lost = lane.burstBad && lossDraw < model.lossProbabilityInBad();
        if (lane.burstBad) {
            if (transitionDraw < model.badToGoodProbability()) {
                lane.burstBad = false;
            }
        } else if (transitionDraw < model.goodToBadProbability()) {
            lane.burstBad = true;
        }
        return lost;
    }

    private static long sampleLatencyNanos(Lane lane, FaultProfile p) {
        double gaussian = lane.latencyRandom.nextGaussian();
        double nanos = p.latencyMean().toNanos() + p.jitterStddev().toNanos() * gaussian;
        return nanos <= 0 ? 0 : Math.round(nanos);
    }

    private Lane lane(Direction direction) {
        return lanes.get(Objects.requireNonNull(direction, "direction"));
    }

    /** The state of one direction. Guarded by the engine's monitor. */
    private static final class Lane {
        final SplittableRandom lossRandom;
        final SplittableRandom burstRandom;
        final SplittableRandom corruptRandom;
        final SplittableRandom duplicateRandom;
        final SplittableRandom latencyRandom;
        final SplittableRandom reorderRandom;
        FaultProfile profile = FaultProfile.NONE;
        boolean burstBad;
        long limitUsedBytes;
        boolean cut;
        long linkFreeAtNanos = Long.MIN_VALUE;
        long receivedDatagrams;
        long receivedBytes;
        long forwardedDatagrams;
        long forwardedBytes;
        final Map<Fault, Long> dropped = new EnumMap<>(Fault.class);
        long corrupted;
        long duplicated;
        long reordered;

        Lane(SplittableRandom random) {
            lossRandom = random.split();
            burstRandom = random.split();
            corruptRandom = random.split();
            duplicateRandom = random.split();
            latencyRandom = random.split();
            reorderRandom = random.split();
        }

        Verdict drop(Fault cause) {
            dropped.merge(cause, 1L, Long::sum);
            return new Verdict.Dropped(cause);
        }
    }
}
