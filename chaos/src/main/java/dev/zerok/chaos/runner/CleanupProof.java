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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * directory their arguments name, ports by the identity of the socket that holds them. Stateless.
 */
public final class CleanupProof {
    /**
     * How long leftovers may take to disappear after {@code close()}: 15 s, since several lanes on 2
     * cores (load average 9) made a closed topology's socket outlive 5 s once in 25 MR-2 iterations.
     */
    public static final Duration GRACE = Duration.ofSeconds(15);

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
        return check(descendantsBefore, footprint, Optional.empty(), topologyDir);
    }

    /**
     * As {@link #check(Set, Optional, Path)}, a port counting as leaked only while a socket it had
     * before {@code close()} ({@code socketsBeforeClose}, from {@link #udpSockets}) still holds it:
     * a socket of another lane that the kernel gave the same port since is not this topology's.
     * Without the snapshot (no {@code /proc/net/udp}), a port that cannot be bound again is leaked.
     */
    public static String check(Set<Long> descendantsBefore, Optional<ResourceWitness.Footprint> footprint,
            Optional<Map<Integer, Set<Long>>> socketsBeforeClose, Path topologyDir) {
        long deadline = System.nanoTime() + GRACE.toNanos();
        List<String> leaks;
        while (true) {
            leaks = leaks(descendantsBefore, footprint, socketsBeforeClose, topologyDir);
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

    /**
     * Which processes hold the sockets {@code inodes} (from their {@code /proc/PID/fd} links) and,
     * for this JVM, which of its threads are named after Netty event loops: the evidence a port
     * leak needs, as " (held by pid N [this JVM])"; empty where {@code /proc} cannot be read.
     */
    static String holders(Set<Long> inodes) {
        if (inodes.isEmpty()) {
            return "";
        }
        Set<String> targets = new java.util.HashSet<>();
        inodes.forEach(i -> targets.add("socket:[" + i + "]"));
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (java.nio.file.DirectoryStream<Path> procs = java.nio.file.Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (java.nio.file.DirectoryStream<Path> fds = java.nio.file.Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (targets.contains(String.valueOf(java.nio.file.Files.readSymbolicLink(fd)))) {
                            long pid = Long.parseLong(proc.getFileName().toString());
                            found.add("pid " + pid + (pid == self ? " (this JVM)" : ""));
                            break;
                        }
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // the process ended or its fds are not readable: not a holder we can name
                }
            }
        } catch (java.io.IOException e) {
            return "";
        }
        return found.isEmpty() ? " (holder not found in /proc)" : " (held by " + String.join(", ", found) + ")";
    }

    static List<String> leaks(Set<Long> descendantsBefore, Optional<ResourceWitness.Footprint> footprint,
            Optional<Map<Integer, Set<Long>>> socketsBeforeClose, Path topologyDir) {
        Optional<Map<Integer, Set<Long>>> socketsNow = socketsBeforeClose.isPresent()
                ? footprint.flatMap(fp -> udpSockets(fp.udpPorts())) : Optional.empty();
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
                boolean held = socketsNow.isPresent()
                        ? !Collections.disjoint(socketsNow.get().getOrDefault(port, Set.of()),
                                socketsBeforeClose.get().getOrDefault(port, Set.of()))
                        : !udpPortFree(port);
                if (held) {
                    Set<Long> inodes = socketsNow.map(now -> now.getOrDefault(port, Set.of())).orElse(Set.of());
                    leaks.add("UDP port " + port + " still bound" + holders(inodes));
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

    /**
     * The inodes of the UDP sockets (IPv4 and IPv6, every process of this network namespace) bound
     * to each of {@code ports} now, from {@code /proc/net/udp} and {@code /proc/net/udp6}; empty
     * where they cannot be read (not Linux). A socket's inode names it for its lifetime, so a later
     * socket on the same port has another.
     */
    public static Optional<Map<Integer, Set<Long>>> udpSockets(Set<Integer> ports) {
        Map<Integer, Set<Long>> sockets = new HashMap<>();
        boolean read = false;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table), StandardCharsets.ISO_8859_1);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            read = true;
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || f[1].indexOf(':') < 0) {
                    continue;
                }
                try {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    if (ports.contains(port)) {
                        sockets.computeIfAbsent(port, k -> new HashSet<>()).add(Long.parseLong(f[9]));
                    }
                } catch (NumberFormatException e) {
                    // not a socket row
                }
            }
        }
        return read ? Optional.of(sockets) : Optional.empty();
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
