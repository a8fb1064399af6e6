package dev.zerok.chaos.swarm;

import dev.zerok.chaos.topology.Capability;
import java.util.Set;

/**
 * The kinds of fault a swarm seed may draw. Each seed enables a random subset of the kinds its
 * topology offers (swarm testing: Groce et al., "Swarm Testing", ISSTA 2012): a seed without
 * {@link #PARTITION} is not drowned in partitions and so reaches the states other kinds lead to.
 *
 * <p>Left out on purpose: {@link Capability#TAMPER_RELAY_STORE} (bit rot at rest makes the relay
 * withhold a blob, which breaks "no data loss" by design: C-STOR-03 tests that on its own) and
 * disk full (no topology offers it yet).
 */
public enum FaultKind {
    /** Mean one-way delay on a link direction, 1 ms to 3 s. */
    LATENCY(true),
    /** Delay spread, up to 200 ms. */
    JITTER(true),
    /** Independent loss, 1% to 50%. */
    LOSS(true),
    /** Gilbert-Elliott loss, 5% to 30%, mean bursts of 2 to 10 packets. */
    BURST_LOSS(true),
    /** Duplicates, 1% to 50%. */
    DUPLICATE(true),
    /** Reordering, 1% to 50%. */
    REORDER(true),
    /** Bit flips, 0.1% to 5% (delivered tampered on mock, dropped by QUIC on real). */
    CORRUPT(true),
    /** Shortened messages, 0.1% to 5%. */
    TRUNCATE(true),
    /** A connection direction cut after 2 KiB to 512 KiB. */
    LIMIT_DATA(true),
    /** A rate limit of 8 kB/s to 1 MB/s. */
    BANDWIDTH(true),
    /** A link direction, a whole link or every link of a device cut until healed. */
    PARTITION(false),
    /** A relay killed (no drain) and later restarted. */
    KILL_RELAY(false),
    /** A relay stopped gracefully and later restarted. */
    STOP_RELAY(false),
    /** A relay frozen and later resumed. */
    PAUSE_RELAY(false),
    /** A device crashed (no flush) and later restarted from its stores. */
    CRASH_DEVICE(false),
    /** A device frozen and later resumed. */
    PAUSE_DEVICE(false),
    /** Device clocks offset by up to 2 min either way, fixed when the device is added. */
    CLOCK_SKEW(false);

    private final boolean linkFault;

    FaultKind(boolean linkFault) {
        this.linkFault = linkFault;
    }

    /** True for the ingredients of a {@link dev.zerok.chaos.topology.LinkFaults} (set by {@code setFaults}). */
    public boolean linkFault() {
        return linkFault;
    }

    /** Whether a topology with {@code capabilities} can inject this kind. */
    public boolean availableOn(Set<Capability> capabilities) {
        return switch (this) {
            case LATENCY -> capabilities.contains(Capability.LATENCY);
            case JITTER -> capabilities.contains(Capability.JITTER);
            case LOSS -> capabilities.contains(Capability.LOSS);
            case BURST_LOSS -> capabilities.contains(Capability.BURST_LOSS);
            case DUPLICATE -> capabilities.contains(Capability.DUPLICATE);
            case REORDER -> capabilities.contains(Capability.REORDER);
            case CORRUPT -> capabilities.contains(Capability.CORRUPT_DELIVERED)
                    || capabilities.contains(Capability.CORRUPT_PACKET);
            case TRUNCATE -> capabilities.contains(Capability.TRUNCATE_DELIVERED);
            case LIMIT_DATA -> capabilities.contains(Capability.LIMIT_DATA);
            case BANDWIDTH -> capabilities.contains(Capability.BANDWIDTH);
            case PARTITION -> capabilities.contains(Capability.PARTITION);
            case KILL_RELAY -> capabilities.containsAll(Set.of(Capability.KILL_RELAY, Capability.RESTART_RELAY));
            case STOP_RELAY -> capabilities.containsAll(Set.of(Capability.STOP_RELAY, Capability.RESTART_RELAY));
            case PAUSE_RELAY -> capabilities.contains(Capability.PAUSE_RELAY);
            case CRASH_DEVICE -> capabilities.contains(Capability.CRASH_DEVICE);
            case PAUSE_DEVICE -> capabilities.contains(Capability.PAUSE_DEVICE);
            case CLOCK_SKEW -> capabilities.contains(Capability.CLOCK_SKEW);
        };
    }
}
