package dev.zerok.client;

import static dev.zerok.client.FoldersTest.tree;
import static dev.zerok.client.FoldersTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 across a long absence: a device offline for 30 days, with a relay TTL of 7 days,
 * converges with nothing lost while a peer is online. The relay's clock ({@link JumpClockProvider})
 * jumps 30 days; the relay expires and purges what the absent device never pulled; on return the
 * device learns it from Welcome's oldest cursor, asks for a snapshot, and the online peer republishes.
 */
class CatchUpAfterTtlTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private GroupHarness group;

    @BeforeEach
    void startRelay() throws Exception {
        JumpClockProvider.reset();
        group = GroupHarness.start(dir, Map.of("clock", "jump", "purge.interval", "1s", "limits.ttl.max", "7d"));
    }

    @AfterEach
    void stopRelay() {
        group.close();
        JumpClockProvider.reset();
    }

    private Device device(String name) throws Exception {
        return group.device(name);
    }

    /** Rows in the relay's blob table: observed where the purge happens. */
    private long storedBlobs() throws Exception {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay/relay.db"));
                java.sql.ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM relay_blob")) {
            return rs.getLong(1);
        }
    }

    @Test
    void offlineThirtyDays_ttlSeven_convergesFromAnOnlinePeer_nothingLost() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path c = Files.createDirectories(dir.resolve("c/docs"));
        write(a.resolve("old.txt"), "before the absence");
        try (Device da = device("a")) {
            FoldersTest.sync(da, a);
            try (Device dc = device("c")) {
                FoldersTest.sync(dc, c);
            }
            assertThat(tree(c)).isEqualTo(tree(a));
            // C is away. A edits, then 30 days pass: the relay expires and purges A's edits.
            write(a.resolve("old.txt"), "edited while C was away");
            write(a.resolve("during.txt"), "new while C was away");
            FoldersTest.sync(da, a);
            JumpClockProvider.jump(Duration.ofDays(30));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (storedBlobs() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(storedBlobs()).as("everything expired and purged at the relay").isZero();
            write(a.resolve("after.txt"), "written after the purge");
            FoldersTest.sync(da, a);

            try (Device dc = device("c")) {
                dc.awaitSynced(WAIT);
                assertThat(dc.folders().missedExpiredCount()).as("C learned it missed expired blobs").isPositive();
                // A, online, answers the snapshot request as its sync loop does.
                deadline = System.nanoTime() + WAIT.toNanos();
                da.awaitSynced(WAIT);
                while (!da.folders().snapshotRequested() && System.nanoTime() < deadline) {
                    da.folders().awaitChange(Duration.ofMillis(200));
                }
                assertThat(da.folders().snapshotRequested()).isTrue();
                long beforeRepublish = storedBlobs();
                da.folders().republish();
                da.awaitSynced(WAIT);
                // Three heads of one small chunk each: one pack of the three chunks and one batch of
                // records, counted in the relay's table (one blob per chunk would be four).
                assertThat(storedBlobs() - beforeRepublish).as("blobs the republish stored on the relay").isEqualTo(2);
                FoldersTest.sync(dc, c);
                assertThat(tree(c)).isEqualTo(tree(a)).containsEntry("old.txt", "edited while C was away")
                        .containsEntry("during.txt", "new while C was away")
                        .containsEntry("after.txt", "written after the purge");
            }
        }
    }
}
