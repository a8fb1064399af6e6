package dev.zerok.chaos.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The chaos suite's temporary directories (topology work dirs, run scratch space). */
public final class TempDirs {
    private TempDirs() {}

    /**
     * Deletes {@code dir} and everything below it, best effort: a file that cannot be deleted is
     * left (the runner's cleanup proof then reports the directory as leaked). Nothing if absent.
     */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left for the cleanup proof to report
        }
    }
}
