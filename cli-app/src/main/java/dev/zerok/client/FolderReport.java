package dev.zerok.client;

import java.util.List;

/**
 * What one pass over a shared folder did. Paths are '/'-separated and relative to the folder's
 * directory; they come from the group and may hold any characters: sanitize before printing.
 *
 * @param folder the folder's name
 * @param published records this device published (local changes, conflict resolutions)
 * @param chunksQueued new chunks queued for the relays
 * @param written files, directories and links written or updated on disk
 * @param deleted paths removed from disk because they were deleted in the group
 * @param bytesWritten plaintext bytes written into files
 * @param conflicts conflict copies created, one per losing concurrent edit
 * @param refused paths left alone, each with the reason (a file zerok did not write, a local edit not yet
 *     published, a parent that is a symbolic link, ...)
 * @param pending paths whose content has not fully arrived yet (their chunks are still being pulled)
 */
public record FolderReport(String folder, int published, int chunksQueued, int written, int deleted,
        long bytesWritten, List<String> conflicts, List<String> refused, int pending) {
    public FolderReport {
        conflicts = List.copyOf(conflicts);
        refused = List.copyOf(refused);
    }

    /** True if the pass changed nothing on disk and published nothing. */
    public boolean quiet() {
        return published == 0 && written == 0 && deleted == 0 && conflicts.isEmpty();
    }
}
