package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on a small generated tree: relay process, two paired devices, verified copy. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void demo_smallTreeAfterWarmUp_syncsAndVerifiesEveryFile() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub/deeper"));
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 30; i++) {
            byte[] data = new byte[i == 0 ? 2_500_000 : 1000 + i];
            random.nextBytes(data);
            Files.write(tree.resolve(i % 3 == 0 ? "sub/deeper/f" + i : i % 3 == 1 ? "sub/f" + i : "f" + i), data);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DemoCommand demo = new DemoCommand(new PrintStream(out, true, StandardCharsets.UTF_8));
        demo.dir = tree;
        demo.work = dir.resolve("work");
        demo.timeout = Duration.ofMinutes(3);
        demo.warmUp = true;
        demo.warmUpFiles = 20;
        demo.warmUpLargeBytes = 1_100_000;

        int exit = demo.call();

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        assertThat(text).contains("verified: all 30 files identical (SHA-256)").containsPattern("relay: pid \\d+")
                .containsPattern("warm-up: [0-9.]+ s \\(21 files");
        // The warm-up tree went through the same devices before the measured sync, as its own folder.
        assertThat(dir.resolve("work/warm-up-copy/large.bin"))
                .hasSameBinaryContentAs(dir.resolve("work/warm-up/zerok-warm-up/large.bin"));
        assertThat(dir.resolve("work/pulled/tree/sub/deeper/f0")).hasSameBinaryContentAs(tree.resolve("sub/deeper/f0"));
        // `zerok bench` reads these figures from the demo's output.
        BenchCommand.Run run = BenchCommand.parse(text).orElseThrow();
        assertThat(run.seconds()).isPositive().isGreaterThanOrEqualTo(run.sealQueue());
        assertThat(run.relayRssMiB()).isGreaterThan(10);
        assertThat(run.deviceRssMiB()).isGreaterThan(10);
    }

    @Test
    void demo_sourceChangedAfterSync_reportsVerifyFailed() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("a"), "one");
        Files.writeString(tree.resolve("b"), "two");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The verifier reads the source again after the copy is written: a file changed in between
        // must be reported, which proves the comparison is real.
        DemoCommand demo = new DemoCommand(new PrintStream(out, true, StandardCharsets.UTF_8)) {
            @Override
            void beforeVerify() throws java.io.IOException {
                Files.writeString(tree.resolve("b"), "changed");
            }
        };
        demo.dir = tree;
        demo.work = dir.resolve("work");
        demo.timeout = Duration.ofMinutes(3);

        assertThat(demo.call()).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("VERIFY FAILED: 1 file(s)");
    }
}
