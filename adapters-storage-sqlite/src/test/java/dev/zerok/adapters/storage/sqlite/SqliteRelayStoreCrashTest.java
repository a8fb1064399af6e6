package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.StoredBlob;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: a writer process is killed with SIGKILL while appending; the file must open clean
 * and hold every append the writer acknowledged (printed after {@code append} returned).
 */
class SqliteRelayStoreCrashTest {
    private static final int KILL_AFTER_ACKS = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void append_writerKilledMidStream_reopensCleanWithEveryAcknowledgedRow() throws Exception {
        Path db = dir.resolve("relay.db");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.jooq.no-logo=true", "-Dorg.jooq.no-tips=true",
                CrashWriterMain.class.getName(), db.toString(), "1000000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<Long> acked = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acked.size() < KILL_AFTER_ACKS) {
                if (line.startsWith("ACK ")) {
                    acked.add(Long.parseUnsignedLong(line.substring(4)));
                }
            }
            // SIGKILL while the writer is still appending: no shutdown hook, no close(). Through
            // the ProcessHandle, because Process.destroyForcibly also closes our end of its stdout.
            writer.toHandle().destroyForcibly();
            // Acks already in the pipe were acknowledged before the kill: they count too.
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(Long.parseUnsignedLong(line.substring(4)));
                }
            }
        } finally {
            writer.destroyForcibly();
            writer.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(writer.isAlive()).isFalse();
        assertThat(acked).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS);

        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = raw.createStatement();
                ResultSet rs = s.executeQuery(Sql.INTEGRITY_CHECK)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
        try (RelayStore store = new SqliteRelayStoreProvider().open(ProviderConfig.of("path", db.toString()),
                new ProviderContext(new ManualClock(), new SeededEntropy(1)))) {
            GroupId group = new GroupId(new byte[GroupId.LENGTH]);
            List<Long> stored = new ArrayList<>();
            Cursor after = Cursor.ZERO;
            Instant now = Instant.parse("2026-01-01T00:00:00Z");
            for (int guard = 0; guard < 10_000; guard++) {
                Page page = store.pageAfter(group, after, 1000, 4 << 20, now);
                for (StoredBlob b : page.blobs()) {
                    assertThat(b.payload()).hasSize(1024);
                    stored.add(b.cursor().value());
                    after = b.cursor();
                }
                if (!page.hasMore()) {
                    break;
                }
            }
            assertThat(stored).containsAll(acked);
            // Cursors stay dense after a crash: nothing committed is half there.
            assertThat(stored).hasSize((int) (long) stored.get(stored.size() - 1));
        }
    }
}
