package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRelayStoreAccessTest {
    private static final GroupId GROUP = GroupId.fromHex("11".repeat(32));
    private static final DeviceId SENDER = DeviceId.fromHex("22".repeat(32));
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir Path dir;

    private RelayStore open() throws Exception {
        return new SqliteRelayStoreProvider().open(ProviderConfig.of("path", dir.resolve("relay.db").toString()),
                new ProviderContext(new ManualClock(), new SeededEntropy(1)));
    }

    private static BlobId blob(int n) {
        return BlobId.fromHex(String.format("%032x", n));
    }

    private void appendTwo() throws Exception {
        try (RelayStore store = open()) {
            store.append(GROUP, SENDER, blob(1), new byte[] {1, 2, 3, 4}, NOW, Duration.ofHours(1));
            store.append(GROUP, SENDER, blob(2), new byte[] {5, 6, 7, 8}, NOW, Duration.ofHours(1));
        }
    }

    @Test
    void bitRot_isCaughtByTheStoresOwnCheck_rowsWithheld() throws Exception {
        appendTwo();
        assertThat(SqliteRelayStoreAccess.blobRows(dir.resolve("relay.db"))).isEqualTo(2);

        assertThat(SqliteRelayStoreAccess.flipPayloadBits(dir.resolve("relay.db"), bits -> 0, false)).isEqualTo(2);

        try (RelayStore store = open()) {
            Page page = store.pageAfter(GROUP, Cursor.ZERO, 10, 1 << 20, NOW);
            assertThat(page.blobs()).isEmpty();
            assertThat(page.withheld()).hasSize(2);
        }
    }

    @Test
    void consistentTampering_passesTheStoresCheck_alteredBytesServed() throws Exception {
        appendTwo();

        assertThat(SqliteRelayStoreAccess.flipPayloadBits(dir.resolve("relay.db"), bits -> bits - 1, true)).isEqualTo(2);

        try (RelayStore store = open()) {
            Page page = store.pageAfter(GROUP, Cursor.ZERO, 10, 1 << 20, NOW);
            assertThat(page.withheld()).isEmpty();
            assertThat(page.blobs()).extracting(b -> b.payload()[3]).containsExactly((byte) (4 ^ 0x80), (byte) (8 ^ 0x80));
        }
    }

    @Test
    void deleteBlobAt_leavesAGapTheStoreSkips() throws Exception {
        appendTwo();

        assertThat(SqliteRelayStoreAccess.deleteBlobAt(dir.resolve("relay.db"), 1)).isTrue();
        assertThat(SqliteRelayStoreAccess.deleteBlobAt(dir.resolve("relay.db"), 1)).isFalse();

        assertThat(SqliteRelayStoreAccess.blobRows(dir.resolve("relay.db"))).isEqualTo(1);
        try (RelayStore store = open()) {
            Page page = store.pageAfter(GROUP, Cursor.ZERO, 10, 1 << 20, NOW);
            assertThat(page.blobs()).extracting(b -> b.cursor().value()).containsExactly(2L);
        }
    }

    @Test
    void noStore_isAnSqlExceptionNamingIt() {
        assertThatThrownBy(() -> SqliteRelayStoreAccess.blobRows(dir.resolve("missing.db")))
                .isInstanceOf(SQLException.class).hasMessageContaining("no relay store");
    }
}
