package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Both stores on a filesystem that is really full (seed 000 C-STOR-01/02 at the adapter): a 4 MiB
 * tmpfs filled with ballast. A write fails with the stable {@code STORAGE_FULL} code, leaves nothing
 * behind (row counts, {@code integrity_check}) and succeeds once the ballast is gone. The tmpfs needs
 * root on Linux; elsewhere those tests are skipped (aborted), the classification test always runs.
 */
class SqliteDiskFullTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProviderContext CONTEXT = new ProviderContext(new ManualClock(), new SeededEntropy(5));

    @TempDir Path dir;
    private Path mount;
    private boolean mounted;
    private final SeededEntropy entropy = new SeededEntropy(6);

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = dir.resolve("fs");
        Files.createDirectories(mount);
        if (System.getProperty("os.name", "").toLowerCase().contains("linux")
                && "root".equals(System.getProperty("user.name"))) {
            mounted = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString()) == 0;
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted && run("umount", mount.toString()) != 0) {
            run("umount", "-l", mount.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Writes zeros until ENOSPC, in ever smaller writes, so not a page is left. */
    private void fill() throws IOException {
        try (OutputStream out = Files.newOutputStream(mount.resolve("ballast"), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (int chunk = 1 << 20; chunk >= 1; chunk /= 4) {
                try {
                    while (true) {
                        out.write(new byte[chunk]);
                        out.flush();
                    }
                } catch (IOException full) {
                    // next, smaller chunk
                }
            }
        } catch (IOException ignored) {
            // close on a full filesystem
        }
    }

    private static long count(Path db, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String integrity(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    @Test
    void storageFull_classifiesSqliteFullOnly() {
        assertThat(SqliteFailure.storageFull(new SQLiteException("disk full", SQLiteErrorCode.SQLITE_FULL))).isTrue();
        assertThat(SqliteFailure.storageFull(new RuntimeException(new SQLiteException("x", SQLiteErrorCode.SQLITE_FULL))))
                .isTrue();
        assertThat(SqliteFailure.storageFull(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY))).isFalse();
        assertThat(SqliteFailure.storageFull(new SQLiteException("io", SQLiteErrorCode.SQLITE_IOERR))).isFalse();
    }

    @Test
    void relayAppend_onAFullDisk_storageFullNothingStored_thenStoresOnceSpaceIsFreed() throws Exception {
        Assumptions.assumeTrue(mounted, "needs root on Linux to mount a tmpfs");
        Path db = mount.resolve("relay.db");
        GroupId g = new GroupId(entropy.bytes(GroupId.LENGTH));
        DeviceId d = new DeviceId(entropy.bytes(DeviceId.LENGTH));
        try (RelayStore store = new SqliteRelayStoreProvider().open(ProviderConfig.of("path", db.toString()), CONTEXT)) {
            store.append(g, d, new BlobId(entropy.bytes(BlobId.LENGTH)), entropy.bytes(100), T0, Duration.ofDays(1));
            fill();
            BlobId big = new BlobId(entropy.bytes(BlobId.LENGTH));
            byte[] payload = entropy.bytes(512 * 1024);

            assertThatThrownBy(() -> store.append(g, d, big, payload, T0, Duration.ofDays(1)))
                    .isInstanceOfSatisfying(RelayStoreException.class, e -> {
                        assertThat(e.code()).isEqualTo(RelayStoreException.Code.STORAGE_FULL);
                        assertThat(e.getMessage()).contains("SQLITE_FULL", "nothing was stored");
                    });
            assertThat(store.stats().totalBlobs()).isEqualTo(1);
            assertThat(count(db, "SELECT COUNT(*) FROM relay_content")).isEqualTo(1);
            assertThat(integrity(db)).isEqualTo("ok");

            Files.delete(mount.resolve("ballast"));
            assertThat(store.append(g, d, big, payload, T0, Duration.ofDays(1)).duplicate()).isFalse();
            assertThat(store.stats().totalBlobs()).isEqualTo(2);
        }
        assertThat(integrity(db)).isEqualTo("ok");
    }

    @Test
    void clientEnqueue_onAFullDisk_storageFullNoEffect_thenQueuesOnceSpaceIsFreed() throws Exception {
        Assumptions.assumeTrue(mounted, "needs root on Linux to mount a tmpfs");
        Path db = mount.resolve("state.db");
        RelayId relay = new RelayId(entropy.bytes(RelayId.LENGTH));
        try (ClientStateStore store = new SqliteClientStateStoreProvider().open(ProviderConfig.of("path", db.toString()),
                CONTEXT)) {
            fill();
            OutboxEntry entry = new OutboxEntry(new BlobId(entropy.bytes(BlobId.LENGTH)), entropy.bytes(512 * 1024), T0,
                    Duration.ofDays(1));

            assertThatThrownBy(() -> store.enqueue(entry, List.of(relay)))
                    .isInstanceOfSatisfying(ClientStateException.class, e -> {
                        assertThat(e.code()).isEqualTo(ClientStateException.Code.STORAGE_FULL);
                        assertThat(e.getMessage()).contains("SQLITE_FULL", "no effect");
                    });
            assertThat(store.pending(relay, 10)).isEmpty();

            Files.delete(mount.resolve("ballast"));
            store.enqueue(entry, List.of(relay));
            assertThat(store.pending(relay, 10)).extracting(OutboxEntry::blob).containsExactly(entry.blob());
        }
        assertThat(integrity(db)).isEqualTo("ok");
        assertThat(new String(Files.readAllBytes(db), 0, 15, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3");
    }
}
