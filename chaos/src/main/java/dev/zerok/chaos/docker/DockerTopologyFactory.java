package dev.zerok.chaos.docker;

import dev.zerok.chaos.real.RealTopology;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import java.nio.file.Path;
import java.util.Set;
import org.testcontainers.DockerClientFactory;

/**
 * The docker topology for nightly hosts with a Docker engine: the same scenarios as the real
 * topology with each relay in a container ({@code eclipse-temurin:21-jre} with the relay jar and
 * its libraries), found through Testcontainers. Where no engine answers, {@link #unavailableReason()}
 * says so and the runner reports every scenario NOT RUN (never passed).
 *
 * <p>Status: only the engine detection is built. Relay containers are not: {@link #open} throws
 * {@link NotRunException} even where an engine exists, because this machine has none to build and
 * test them against (docs/CHAOS.md). The real topology runs the same scenarios with relay OS
 * processes.
 *
 * <p>Thread-safe; the engine probe runs once per factory and is cached.
 */
public final class DockerTopologyFactory implements TopologyFactory {
    /** The reason reported when Testcontainers finds no engine. */
    public static final String NO_ENGINE = "no Docker engine reachable";
    /** The reason reported on a host with an engine: the relay containers are not built yet. */
    public static final String NOT_BUILT = "docker topology: relay containers are not built yet (no engine to test"
            + " them on the development machine); the real topology runs these scenarios with relay processes";

    private volatile String reason;
    private volatile boolean probed;

    @Override
    public String kind() {
        return "docker";
    }

    /** What a docker topology will offer: the real topology's faults and observations. */
    @Override
    public Set<Capability> capabilities() {
        return RealTopology.CAPABILITIES;
    }

    /**
     * {@value #NO_ENGINE} where {@link DockerClientFactory#isDockerAvailable()} is false (or the
     * probe fails), else {@link #NOT_BUILT}: this factory never returns null yet.
     */
    @Override
    public String unavailableReason() {
        if (!probed) {
            synchronized (this) {
                if (!probed) {
                    reason = engineAvailable() ? NOT_BUILT : NO_ENGINE;
                    probed = true;
                }
            }
        }
        return reason;
    }

    /** Whether Testcontainers reaches a Docker engine (socket, DOCKER_HOST, Testcontainers Cloud). */
    public static boolean engineAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** @throws NotRunException always, with {@link #unavailableReason()} */
    @Override
    public Topology open(long seed, Path workDir) {
        throw new NotRunException(unavailableReason());
    }
}
