package dev.zerok.chaos.topology;

import java.nio.file.Path;
import java.util.Set;

/**
 * Opens one {@link Topology} per scenario iteration; the runner calls it with the iteration's seed.
 * An implementation that cannot run on this machine (no Docker engine, no relay jar) says so in
 * {@link #unavailableReason()} and every scenario is reported NOT RUN with that reason.
 */
public interface TopologyFactory {
    /** {@code mock}, {@code real} or {@code docker}. */
    String kind();

    /** What topologies from this factory can do (checked before a scenario is opened). */
    Set<Capability> capabilities();

    /** Why this factory cannot run here, or null if it can. */
    default String unavailableReason() {
        return null;
    }

    /**
     * A fresh topology.
     *
     * @param seed every random decision of the run derives from it
     * @param workDir an empty directory the topology may use for stores and logs
     */
    Topology open(long seed, Path workDir);
}
