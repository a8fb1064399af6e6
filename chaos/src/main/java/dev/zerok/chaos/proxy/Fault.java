package dev.zerok.chaos.proxy;

/**
 * One kind of fault the proxy injects into a datagram. The first five drop the datagram (the
 * cause of the drop); the last three alter or add to it and the datagram is still forwarded.
 */
public enum Fault {
    /** Dropped because the direction is partitioned (drop all). */
    PARTITION(true),
    /** Dropped by independent random loss ({@link FaultProfile#lossProbability()}). */
    LOSS(true),
    /** Dropped by the Gilbert-Elliott burst model while in its bad state ({@link BurstLoss}). */
    BURST_LOSS(true),
    /** Dropped because the bandwidth queue was full (tail drop). */
    QUEUE_FULL(true),
    /** Dropped because the direction already forwarded its limit-data byte budget (cut). */
    LIMIT_DATA(true),
    /** One random bit of the payload was flipped. */
    CORRUPT(false),
    /** A second copy of the datagram was forwarded. */
    DUPLICATE(false),
    /** The datagram was held back by the reorder extra delay so later ones overtake it. */
    REORDER(false);

    private final boolean drops;

    Fault(boolean drops) {
        this.drops = drops;
    }

    /** Whether this fault removes the datagram (true) or forwards an altered or extra copy (false). */
    public boolean drops() {
        return drops;
    }
}
