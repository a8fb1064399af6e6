package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void generate_tenThousandCase_hundredDirectoriesOfHundredFilesOfOneKibibyte_deterministic() throws Exception {
        BenchCommand.Case tenK = BenchCommand.CASES.stream().filter(c -> c.name().equals("10k")).findFirst().orElseThrow();
        Path tree = BenchCommand.generate(dir.resolve("a"), tenK);
        Path again = BenchCommand.generate(dir.resolve("b"), tenK);
        try (Stream<Path> dirs = Files.list(tree); Stream<Path> files = Files.walk(tree)) {
            assertThat(dirs.filter(Files::isDirectory).count()).isEqualTo(100);
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            assertThat(regular).hasSize(10_000);
            for (Path f : regular.subList(0, 50)) {
                assertThat(Files.size(f)).isEqualTo(1024);
                assertThat(Files.readAllBytes(again.resolve(tree.relativize(f)))).isEqualTo(Files.readAllBytes(f));
            }
        }
    }

    @Test
    void unknownCase_exitsOneAndNamesTheCases() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new BenchCommand()).execute("--cases", "1k,huge", "--runs", "1");
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown case 'huge'").contains("1k, 10k or 100m");
    }
}
