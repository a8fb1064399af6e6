package dev.zerok.chaos.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Lanes and the cleanup proof: a process naming another lane's work directory is not this
 * iteration's leak, however long its command line (a relay's class path is longer than the 4096
 * bytes the JDK's {@code ProcessHandle.Info} reads), and one naming this iteration's directory or
 * none is.
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
