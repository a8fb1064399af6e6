package dev.zerok.chaos.runner;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Proves after a topology's {@code close()} that nothing it started remains (seed 004: cleanup
 * must be proven even when the scenario failed or was killed): no child process of this JVM that
 * was not there before the iteration, none of the processes the topology reported, every UDP port
 * it bound can be bound again on loopback, and its directories are gone. Polls up to a grace
 * period, since a SIGKILLed process and a closed datagram channel take a moment to disappear.
 * Processes of topologies that run at the same time in other lanes are told apart by the work
 * directory their arguments name. Stateless.
 */
public final class CleanupProof {
    /** How long leftovers may take to disappear after {@code close()}. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private CleanupProof() {}

    /** Live descendant processes of this JVM now (the snapshot taken before an iteration). */
    public static Set<Long> descendantsNow() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * {@code "proven"}, or what leaked after {@link #GRACE}.
     *
     * @param descendantsBefore {@link #descendantsNow()} before the topology opened
     * @param footprint what the topology reported, or empty (a topology without OS resources)
     * @param topologyDir the work directory given to the topology, which {@code close()} must delete
     */
    public static String check(Set<Long> descendantsBefore, Optional<ResourceWitness.Footprint> footprint,
            Path topologyDir) {
        long deadline = System.nanoTime() + GRACE.toNanos();
        List<String> leaks;
        while (true) {
            leaks = leaks(descendantsBefore, footprint, topologyDir);
            if (leaks.isEmpty()) {
                return "proven";
            }
            if (System.nanoTime() > deadline) {
                return "LEAKED: " + String.join("; ", leaks);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "LEAKED (interrupted while proving): " + String.join("; ", leaks);
            }
        }
    }

    static List<String> leaks(Set<Long> descendantsBefore, Optional<ResourceWitness.Footprint> footprint,
            Path topologyDir) {
        List<String> leaks = new ArrayList<>();
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !descendantsBefore.contains(p.pid()))
                .filter(p -> !ofAnotherWorkDir(p, topologyDir))
                .forEach(p -> leaks.add("process " + p.pid() + " (" + p.info().command().orElse("?") + ") still alive"));
        footprint.ifPresent(fp -> {
            for (long pid : new TreeSet<>(fp.pids())) {
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && leaks.stream().noneMatch(l -> l.startsWith("process " + pid + " "))) {
                    leaks.add("process " + pid + " still alive");
                }
            }
            for (int port : new TreeSet<>(fp.udpPorts())) {
                if (!udpPortFree(port)) {
                    leaks.add("UDP port " + port + " still bound");
                }
            }
            for (Path dir : fp.dirs()) {
                if (Files.exists(dir)) {
                    leaks.add("directory " + dir + " not deleted");
                }
            }
        });
        if (Files.exists(topologyDir)) {
            leaks.add("work directory " + topologyDir + " not deleted");
        }
        return leaks;
    }

    /** Prefix of the work directories the chaos runner gives its topologies. */
    public static final String WORK_DIR_PREFIX = "zerok-chaos-";

    /**
     * Whether {@code p}'s arguments name another topology's work directory and not
     * {@code topologyDir}: a process of an iteration running at the same time in another lane
     * ({@code zerok.chaos.lanes}). The relays and device agents of a topology take their
     * configuration from its directory; a process naming no work directory counts as this
     * iteration's.
     */
    static boolean ofAnotherWorkDir(ProcessHandle p, Path topologyDir) {
        String args = commandLine(p);
        return !args.contains(topologyDir.toString()) && args.contains("/" + WORK_DIR_PREFIX);
    }

    /**
     * {@code p}'s whole command line, from {@code /proc/PID/cmdline} where it exists: the JDK's
     * {@code ProcessHandle.Info} reads only its first 4096 bytes and then reports no arguments at
     * all, and a relay's or agent's class path alone is longer. Elsewhere the JDK's arguments; empty
     * if the process is gone.
     */
    static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    StandardCharsets.ISO_8859_1).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return String.join(" ", p.info().arguments().orElse(new String[0]));
        }
    }

    static boolean udpPortFree(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
