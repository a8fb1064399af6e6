package dev.zerok.chaos.real;

import dev.zerok.chaos.topology.ChaosException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited filesystem for the disk-full scenarios (seed 000 section 8.1): a {@code tmpfs}
 * mounted with {@code mount -t tmpfs -o size=N} on a directory of the work dir. {@link #fill()}
 * writes a ballast file until the kernel answers "no space left on device" (ENOSPC), {@link #free()}
 * deletes it. {@link #close()} unmounts (lazily if busy) and verifies in {@code /proc/self/mountinfo}
 * that the mount is gone: a leaked mount outlives the test run.
 *
 * <p>Needs Linux and root (CAP_SYS_ADMIN); {@link #unavailableReason()} says why not otherwise. Not
 * thread-safe: the scenario's thread calls it.
 */
public final class TmpfsMount implements AutoCloseable {
    private static final String BALLAST = ".ballast";
    private final Path dir;
    private boolean mounted;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Null where this JVM can mount a tmpfs (Linux, uid 0); else why not. */
    public static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "a size-limited tmpfs needs Linux";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "mounting a size-limited tmpfs needs root (run as uid 0)";
        }
        return null;
    }

    /**
     * Creates {@code dir} (if missing) and mounts a fresh tmpfs of {@code sizeBytes} on it.
     *
     * @param sizeBytes the filesystem's size in bytes (rounded up to pages by the kernel)
     * @throws ChaosException if mount fails
     */
    public static TmpfsMount mount(Path dir, long sizeBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ChaosException("cannot create the mount point " + dir + ": " + e.getMessage(), e);
        }
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes + ",mode=0700", "tmpfs", dir.toString()));
        TmpfsMount m = new TmpfsMount(dir);
        m.mounted = true;
        return m;
    }

    /** The mount point. */
    public Path dir() {
        return dir;
    }

    /**
     * Fills the filesystem: appends to a ballast file until ENOSPC, in ever smaller writes down to one
     * byte, so not even a page is left.
     *
     * @return the ballast's size in bytes
     */
    public long fill() {
        Path ballast = dir.resolve(BALLAST);
        try (OutputStream out = Files.newOutputStream(ballast, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int chunk = 1 << 20; chunk >= 1; chunk /= 4) {
                byte[] zeros = new byte[chunk];
                try {
                    while (true) {
                        out.write(zeros);
                        out.flush();
                    }
                } catch (IOException full) {
                    // ENOSPC at this chunk size: try a smaller one
                }
            }
        } catch (IOException e) {
            // closing a stream on a full filesystem may fail too; the ballast is written
        }
        try {
            return Files.size(ballast);
        } catch (IOException e) {
            throw new ChaosException("cannot read the ballast's size: " + e.getMessage(), e);
        }
    }

    /** Deletes the ballast: the space {@link #fill()} took is free again. */
    public void free() {
        try {
            Files.deleteIfExists(dir.resolve(BALLAST));
        } catch (IOException e) {
            throw new ChaosException("cannot delete the ballast in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** True while {@code dir} is a mount point in {@code /proc/self/mountinfo}. */
    public static boolean isMounted(Path dir) {
        try {
            String target = " " + dir.toAbsolutePath().normalize() + " ";
            return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
                    .anyMatch(line -> line.contains(target));
        } catch (IOException e) {
            throw new ChaosException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    /**
     * Unmounts; if the mount is busy (a process still holds a file), detaches it lazily
     * ({@code umount -l}). Idempotent.
     *
     * @throws ChaosException if the mount is still listed afterwards
     */
    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            run(List.of("umount", dir.toString()));
        } catch (ChaosException busy) {
            run(List.of("umount", "-l", dir.toString()));
        }
        if (isMounted(dir)) {
            throw new ChaosException("tmpfs on " + dir + " is still mounted after umount");
        }
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ChaosException(String.join(" ", command) + " did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new ChaosException(String.join(" ", command) + " failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new ChaosException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while running " + command.get(0), e);
        }
    }
}
