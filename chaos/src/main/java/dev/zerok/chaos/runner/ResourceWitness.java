package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Relay;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a topology that starts OS resources tells the runner, so it can prove after
 * {@code close()} that none remain (seed 004 cleanup proof) and report them (seed 000 section 13).
 * The real topology implements it; the mock (one JVM, no processes, no sockets) does not.
 */
public interface ResourceWitness {
    /**
     * What this topology started so far.
     *
     * @param pids every relay (or device) process id it started, the dead ones included
     * @param udpPorts every loopback UDP port it bound or had a child bind (relays, fault proxies)
     * @param dirs directories it created that {@code close()} must delete (work dir, relay data)
     */
    record Footprint(Set<Long> pids, Set<Integer> udpPorts, Set<Path> dirs) {
        public Footprint {
            pids = Set.copyOf(pids);
            udpPorts = Set.copyOf(udpPorts);
            dirs = Set.copyOf(dirs);
        }
    }

    /** What this topology started so far (read before {@code close()}). */
    Footprint footprint();

    /**
     * The peak resident set size of {@code relay}'s current process in bytes ({@code VmHWM} of
     * {@code /proc/<pid>/status}), empty if it is not running or the OS has no procfs.
     */
    OptionalLong relayPeakRssBytes(Relay relay);

    /** Open descriptors of {@code relay}'s process when it started (its first start), empty if unknown. */
    OptionalLong relayOpenFdsAtStart(Relay relay);

    /**
     * One line per link: its name, each direction's fault profile and counters (received,
     * forwarded, dropped by cause, corrupted, duplicated, reordered, limit cut), for failure
     * captures (seed 000 section 11.4 "Toxiproxy state").
     */
    List<String> linkStates();
}
