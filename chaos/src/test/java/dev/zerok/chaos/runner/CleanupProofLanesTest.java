package dev.zerok.chaos.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Lanes and the cleanup proof: a process naming another lane's work directory is not this
 * iteration's leak, however long its command line (a relay's class path is longer than the 4096
 * bytes the JDK's {@code ProcessHandle.Info} reads), and one naming this iteration's directory or
 * none is; a port another lane's new socket holds is not a leak, the iteration's own socket still
 * open is.
 */
@EnabledOnOs(OS.LINUX)
class CleanupProofLanesTest {
    private static final Path MINE = Path.of("/dev/shm/" + CleanupProof.WORK_DIR_PREFIX + "mine/t");
    private static final String OTHER = "/dev/shm/" + CleanupProof.WORK_DIR_PREFIX + "other/t/relay-1/relay.conf";

    private static Process sleeper(String... args) throws Exception {
        String[] command = new String[3 + args.length];
        command[0] = "sh";
        command[1] = "-c";
        command[2] = "sleep 30";
        System.arraycopy(args, 0, command, 3, args.length);
        return new ProcessBuilder(command).start();
    }

    @Test
    void portReboundByAnotherLane_isNotThisIterationsLeak_butTheSameSocketStillOpenIs() throws Exception {
        Path none = Path.of("/nonexistent-" + CleanupProof.WORK_DIR_PREFIX + "t");
        try (DatagramSocket mine = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = mine.getLocalPort();
            ResourceWitness.Footprint fp = new ResourceWitness.Footprint(Set.of(), Set.of(port), Set.of());
            Optional<Map<Integer, Set<Long>>> before = CleanupProof.udpSockets(Set.of(port));
            assertThat(before).isPresent();
            assertThat(before.get().get(port)).hasSize(1);

            assertThat(CleanupProof.leaks(Set.of(), Optional.of(fp), before, none))
                    .as("the socket it had is still open, named with its holder").containsExactly("UDP port " + port
                            + " still bound (held by pid " + ProcessHandle.current().pid() + " (this JVM))");

            mine.close();
            try (DatagramSocket otherLane = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                assertThat(CleanupProof.leaks(Set.of(), Optional.of(fp), before, none))
                        .as("another socket on the same port").isEmpty();
                assertThat(CleanupProof.leaks(Set.of(), Optional.of(fp), Optional.empty(), none))
                        .as("without the snapshot only the port is known").containsExactly("UDP port " + port + " still bound");
            }
        }
    }

    @Test
    void processOfAnotherLane_behindALongClassPath_isNotThisIterationsLeak() throws Exception {
        String classPath = "/a/very/long/class/path.jar:".repeat(400); // about 11 kB
        Process other = sleeper("-cp", classPath, "--config", OTHER);
        Process mine = sleeper("-cp", classPath, "--config", MINE.resolve("relay-1/relay.conf").toString());
        Process anonymous = sleeper("-cp", classPath);
        try {
            assertThat(CleanupProof.ofAnotherWorkDir(other.toHandle(), MINE)).isTrue();
            assertThat(CleanupProof.ofAnotherWorkDir(mine.toHandle(), MINE)).isFalse();
            assertThat(CleanupProof.ofAnotherWorkDir(anonymous.toHandle(), MINE)).isFalse();
        } finally {
            for (Process p : new Process[] {other, mine, anonymous}) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
