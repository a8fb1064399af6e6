package dev.zerok.kernel.content;

import dev.zerok.ports.id.DeviceId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Names of conflict copies, Syncthing's convention: {@code name.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.ext},
 * where the time is the losing version's modification time in UTC (Syncthing uses the local time
 * of detection; a time every device computes alike keeps the copies identical on all of them) and
 * DEVICE the first 7 hex digits, upper case, of the id of the device that made the losing change.
 * The extension is what follows the last '.' of the file name, unless the name starts with its
 * only '.' (a dot file has no extension). Stateless and thread-safe.
 */
public final class ConflictNames {
    /** The marker every conflict copy's name contains. */
    public static final String MARKER = ".sync-conflict-";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private ConflictNames() {}

    /**
     * The conflict copy's path for the losing record {@code loser}, in the same directory.
     *
     * @return e.g. {@code docs/report.sync-conflict-20261127-040512-3FA9C01.txt} for {@code docs/report.txt}
     */
    public static String copyPath(FileRecord loser) {
        return copyPath(loser, "");
    }

    /**
     * As {@link #copyPath(FileRecord)}, with a tag that tells apart two losing versions the same
     * device made within one second (which Syncthing's name cannot): the first 8 hex digits of
     * the loser's first chunk address ({@code empty} for an empty file), after the device.
     * Derived from the content only, so every device names the same loser alike.
     *
     * @return e.g. {@code docs/report.sync-conflict-20261127-040512-3FA9C01-9f86d081.txt}
     */
    public static String uniqueCopyPath(FileRecord loser) {
        return copyPath(loser, "-" + (loser.chunks().isEmpty() ? "empty" : loser.chunks().getFirst().hex().substring(0, 8)));
    }

    private static String copyPath(FileRecord loser, String tag) {
        String path = loser.path();
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String file = path.substring(slash + 1);
        int dot = file.lastIndexOf('.');
        String base = dot > 0 ? file.substring(0, dot) : file;
        String ext = dot > 0 ? file.substring(dot) : "";
        String device = loser.modifiedBy().hex().substring(0, 7).toUpperCase(Locale.ROOT);
        return dir + base + MARKER + STAMP.format(Instant.ofEpochMilli(loser.mtimeMillis())) + "-" + device + tag + ext;
    }

    /** True if {@code path}'s file name is a conflict copy's. */
    public static boolean isConflictCopy(String path) {
        return path.substring(path.lastIndexOf('/') + 1).contains(MARKER);
    }

    /** Used by tests and tools: the short device tag a copy of {@code device}'s change carries. */
    public static String deviceTag(DeviceId device) {
        return device.hex().substring(0, 7).toUpperCase(Locale.ROOT);
    }
}
