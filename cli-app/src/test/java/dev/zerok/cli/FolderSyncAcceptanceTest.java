package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerok.kernel.content.ConflictNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder-sync acceptance, scripted as a user would: three devices driven only through
 * {@code zerok} commands, syncing through a relay running as a separate OS process.
 */
class FolderSyncAcceptanceTest {
    @TempDir
    Path dir;

    private RelayChild relay;

    @BeforeEach
    void startRelay() throws IOException {
        relay = RelayChild.start(dir.resolve("relay"), Duration.ofSeconds(60));
    }

    @AfterEach
    void stopRelay() {
        relay.close();
    }

    private CliRun.Result zerok(String home, String... args) {
        String[] all = Stream.concat(Stream.of("--home", dir.resolve(home).toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(dir, all);
    }

    private static CliRun.Result ok(CliRun.Result result) {
        assertThat(result.exitCode()).as("stdout: %s%nstderr: %s", result.out(), result.err()).isZero();
        return result;
    }

    private void group() throws IOException {
        ok(zerok("a", "init", "--name", "a"));
        ok(zerok("a", "relays", "add", relay.address(), "--key",
                HexFormat.of().formatHex(dev.zerok.kernel.noise.StaticIdentity.encodePublic(relay.publicKey()))));
        for (String joiner : new String[] {"b", "c"}) {
            ok(zerok(joiner, "init", "--name", joiner));
            JsonNode invite = ok(zerok("a", "--json", "pair", "--create")).json();
            Path codeFile = Files.writeString(dir.resolve("code-" + joiner), invite.get("code").asText());
            ok(zerok(joiner, "pair", "--join", invite.get("invite").asText(), "--code-file", codeFile.toString()));
        }
    }

    @Test
    void versions345_conflict_deletion_untracked_throughARelayProcess() throws Exception {
        group();
        Path a = Files.createDirectories(dir.resolve("a-files/tree"));
        Path outB = dir.resolve("b-out");
        Path outC = dir.resolve("c-out");
        for (int version = 3; version <= 5; version++) {
            Files.writeString(a.resolve("version.txt"), "version " + version);
            Files.createDirectories(a.resolve("sub"));
            Files.writeString(a.resolve("sub/v" + version + ".txt"), "added in " + version);
            ok(zerok("a", "push", "--dir", a.toString()));
        }
        Files.writeString(Files.createDirectories(outC.resolve("tree")).resolve("untracked.txt"), "C's own file");
        ok(zerok("b", "pull", "--into", outB.toString()));
        ok(zerok("c", "pull", "--into", outC.toString()));
        assertThat(tree(outB.resolve("tree"))).isEqualTo(tree(a)).containsEntry("version.txt", "version 5");
        Map<String, String> onC = tree(outC.resolve("tree"));
        assertThat(onC).containsEntry("version.txt", "version 5").containsEntry("untracked.txt", "C's own file");

        // B and C take part with `sync --once`; B edits offline while A edits the same file later.
        Path b = outB.resolve("tree");
        Path c = outC.resolve("tree");
        ok(zerok("b", "sync", "--once", b.toString()));
        ok(zerok("c", "sync", "--once", c.toString()));
        Files.writeString(b.resolve("version.txt"), "B's edit");
        Files.setLastModifiedTime(b.resolve("version.txt"), FileTime.fromMillis(1_700_000_000_000L));
        Files.writeString(a.resolve("version.txt"), "A's edit");
        Files.setLastModifiedTime(a.resolve("version.txt"), FileTime.fromMillis(1_700_000_500_000L));
        ok(zerok("a", "sync", "--once", a.toString()));
        Files.delete(c.resolve("sub/v3.txt"));
        ok(zerok("c", "sync", "--once", c.toString()));
        CliRun.Result onB = ok(zerok("b", "sync", "--once", b.toString()));
        assertThat(onB.out()).contains("conflict: kept the other version as version.sync-conflict-");
        for (int round = 0; round < 2; round++) {
            for (String[] device : new String[][] {{"a", a.toString()}, {"b", b.toString()}, {"c", c.toString()}}) {
                ok(zerok(device[0], "sync", "--once", device[1]));
            }
        }
        Map<String, String> expected = tree(a);
        assertThat(expected).containsEntry("version.txt", "A's edit").doesNotContainKey("sub/v3.txt")
                .containsEntry("untracked.txt", "C's own file");
        assertThat(expected.keySet()).filteredOn(ConflictNames::isConflictCopy).singleElement()
                .satisfies(copy -> assertThat(expected.get(copy)).isEqualTo("B's edit"));
        assertThat(tree(b)).isEqualTo(expected);
        assertThat(tree(c)).isEqualTo(expected);
    }

    /** `zerok sync` as the user runs it: its own OS process, until stopped (SIGTERM). */
    private Process syncProcess(String home, Path folder) throws IOException {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ZerokMain.class.getName(), "--home", dir.resolve(home).toString(), "sync", folder.toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sync-" + home + ".log").toFile()).start();
    }

    @Test
    void sync_fileWrittenIntoDir_peerHasItWithinFiveSeconds_andIgnoredPathsStayLocal() throws Exception {
        group();
        Path a = Files.createDirectories(dir.resolve("a-sync/notes"));
        Path b = Files.createDirectories(dir.resolve("b-sync/notes"));
        Files.writeString(a.resolve(".zerokignore"), "*.tmp\nbuild/\n");
        Process onA = syncProcess("a", a);
        Process onB = syncProcess("b", b);
        try {
            awaitFile(b.resolve(".zerokignore"), Duration.ofSeconds(60)); // both loops are up and in sync
            Files.writeString(a.resolve("scratch.tmp"), "stays local");
            long written = System.nanoTime();
            Files.writeString(a.resolve("new.txt"), "written into DIR");
            awaitFile(b.resolve("new.txt"), Duration.ofSeconds(20));
            double seconds = (System.nanoTime() - written) / 1e9;
            System.out.printf("sync: file written on A present on B after %.2f s%n", seconds);
            assertThat(seconds).as("seconds from write on A to the file on B").isLessThan(5.0);
            assertThat(Files.readString(b.resolve("new.txt"))).isEqualTo("written into DIR");
            Files.delete(a.resolve("new.txt"));
            awaitGone(b.resolve("new.txt"), Duration.ofSeconds(20));
            assertThat(b.resolve("scratch.tmp")).doesNotExist();
        } finally {
            for (Process p : List.of(onA, onB)) {
                p.destroy();
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        assertThat(onA.exitValue()).as(Files.readString(dir.resolve("sync-a.log"))).isIn(0, 143);
        assertThat(Files.readString(dir.resolve("sync-a.log"))).doesNotContain("Exception");
    }

    private static void awaitFile(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(file).exists();
    }

    private static void awaitGone(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(file).doesNotExist();
    }

    /** Path to content ("<dir>" for a directory), zerok's temporary files excluded. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "<dir>" : Files.readString(p));
            }
        }
        return out;
    }
}
