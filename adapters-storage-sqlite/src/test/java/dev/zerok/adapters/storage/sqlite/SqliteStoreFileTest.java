package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStoreProvider;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.RelayStoreProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-level behaviour of the sqlite stores: pragmas, migrations, vacuum, config, errors. */
class SqliteStoreFileTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProviderContext CONTEXT = new ProviderContext(new ManualClock(), new SeededEntropy(3));

    @TempDir
    Path dir;

    private final SeededEntropy entropy = new SeededEntropy(4);

    private RelayStore openRelay(Path db, String... extra) throws Exception {
        String[] kv = new String[extra.length + 2];
        kv[0] = "path";
        kv[1] = db.toString();
        System.arraycopy(extra, 0, kv, 2, extra.length);
        return new SqliteRelayStoreProvider().open(ProviderConfig.of(kv), CONTEXT);
    }

    private static String pragma(Path db, String pragma) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(pragma)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private static void execute(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void providers_serviceLoader_findsBothByName() throws Exception {
        assertThat(Providers.select(RelayStoreProvider.class, "sqlite")).isInstanceOf(SqliteRelayStoreProvider.class);
        assertThat(Providers.select(ClientStateStoreProvider.class, "sqlite"))
                .isInstanceOf(SqliteClientStateStoreProvider.class);
    }

    @Test
    void open_newFile_walIncrementalVacuumVersionedAndOwnerOnly() throws Exception {
        Path db = dir.resolve("sub/dir/relay.db");
        openRelay(db).close();
        assertThat(pragma(db, "PRAGMA journal_mode")).isEqualTo("wal");
        assertThat(pragma(db, "PRAGMA auto_vacuum")).isEqualTo("2");
        assertThat(pragma(db, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteFile.Kind.RELAY.latestVersion()));
        if (Files.getFileStore(db).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rw-------");
        }
    }

    @Test
    void open_newerSchema_isIncompatible() throws Exception {
        Path db = dir.resolve("relay.db");
        openRelay(db).close();
        execute(db, "PRAGMA user_version = 99");
        assertThatThrownBy(() -> openRelay(db))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.INCOMPATIBLE));
    }

    @Test
    void open_clientFileAsRelay_isIncompatibleAndViceVersa() throws Exception {
        Path client = dir.resolve("client.db");
        new SqliteClientStateStoreProvider().open(ProviderConfig.of("path", client.toString()), CONTEXT).close();
        assertThatThrownBy(() -> openRelay(client))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.INCOMPATIBLE));
        Path relay = dir.resolve("relay.db");
        openRelay(relay).close();
        assertThatThrownBy(() -> new SqliteClientStateStoreProvider()
                        .open(ProviderConfig.of("path", relay.toString()), CONTEXT))
                .isInstanceOfSatisfying(ClientStateException.class,
                        e -> assertThat(e.code()).isEqualTo(ClientStateException.Code.INCOMPATIBLE));
    }

    @Test
    void open_foreignSqliteOrGarbageFile_isIncompatible() throws Exception {
        Path foreign = dir.resolve("foreign.db");
        execute(foreign, "CREATE TABLE t (x)");
        assertThatThrownBy(() -> openRelay(foreign))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.INCOMPATIBLE));
        Path garbage = dir.resolve("garbage.db");
        Files.write(garbage, new byte[8192]);
        Files.write(garbage, "this is not a database at all, not even close".repeat(100).getBytes());
        assertThatThrownBy(() -> openRelay(garbage))
                .isInstanceOfSatisfying(RelayStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.INCOMPATIBLE));
    }

    @Test
    void open_unknownOrMissingKeys_areRejected() {
        assertThatThrownBy(() -> new SqliteRelayStoreProvider().open(
                        ProviderConfig.of("path", dir.resolve("r.db").toString(), "ttl.maxx", "1d"), CONTEXT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ttl.maxx");
        assertThatThrownBy(() -> new SqliteRelayStoreProvider().open(ProviderConfig.EMPTY, CONTEXT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("path");
        assertThatThrownBy(() -> new SqliteRelayStoreProvider().open(
                        ProviderConfig.of("path", dir.resolve("r.db").toString(), "synchronous", "OFF"), CONTEXT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("synchronous");
        assertThatThrownBy(() -> new SqliteClientStateStoreProvider().open(
                        ProviderConfig.of("path", dir.resolve("c.db").toString(), "quota.group.bytes", "1"), CONTEXT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("quota.group.bytes");
    }

    @Test
    void purgeExpired_manyRows_fileShrinks() throws Exception {
        Path db = dir.resolve("relay.db");
        try (RelayStore store = openRelay(db, "synchronous", "NORMAL")) {
            GroupId g = new GroupId(entropy.bytes(GroupId.LENGTH));
            DeviceId d = new DeviceId(entropy.bytes(DeviceId.LENGTH));
            for (int i = 0; i < 400; i++) {
                store.append(g, d, new BlobId(entropy.bytes(BlobId.LENGTH)), entropy.bytes(8192), T0,
                        Duration.ofMinutes(1));
            }
            store.append(g, d, new BlobId(entropy.bytes(BlobId.LENGTH)), entropy.bytes(10), T0, Duration.ofDays(1));
            store.purgeExpired(T0); // nothing expired yet: nothing to reclaim
            long before = Files.size(db) + walSize(db);
            assertThat(store.purgeExpired(T0.plus(Duration.ofMinutes(5)))).isEqualTo(400);
            long after = Files.size(db) + walSize(db);
            assertThat(after).isLessThan(before / 4);
            assertThat(store.usage(g).blobCount()).isEqualTo(1);
        }
    }

    private static long walSize(Path db) throws Exception {
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    @Test
    void append_databaseLockedByAnotherWriter_failsUnavailableAfterBusyTimeout() throws Exception {
        Path db = dir.resolve("relay.db");
        try (RelayStore store = openRelay(db, "busy.timeout", "100ms");
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            GroupId g = new GroupId(entropy.bytes(GroupId.LENGTH));
            BlobId id = new BlobId(entropy.bytes(BlobId.LENGTH));
            assertThatThrownBy(() -> store.append(g, new DeviceId(entropy.bytes(DeviceId.LENGTH)), id,
                            new byte[] {1}, T0, Duration.ofHours(1)))
                    .isInstanceOfSatisfying(RelayStoreException.class, e -> {
                        assertThat(e.code()).isEqualTo(RelayStoreException.Code.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("SQLITE_BUSY").doesNotContain(g.hex()).doesNotContain(id.hex());
                    });
            s.execute("ROLLBACK");
            // Reads are not blocked by a writer in WAL mode, and the failed append left nothing.
            assertThat(store.usage(g).blobCount()).isZero();
        }
    }

    /**
     * A file written by a version-1 build (no relay_totals, no rotten column) is migrated on open:
     * the totals start from its rows, the capacity counts them, and its rows are verified on serve
     * with the SHA-256 they already carry (no back-fill).
     */
    @Test
    void open_version1File_migratesTotalsAndVerifiesOldRows() throws Exception {
        Path db = dir.resolve("v1.db");
        GroupId g = new GroupId(entropy.bytes(GroupId.LENGTH));
        byte[] good = entropy.bytes(300);
        byte[] rotten = entropy.bytes(200);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String statement : SqliteFile.statements("db/relay/V1__init.sql")) {
                s.execute(statement);
            }
            s.execute("PRAGMA user_version = 1");
            s.execute("PRAGMA application_id = " + SqliteFile.Kind.RELAY.applicationId);
            long expires = T0.plus(Duration.ofHours(1)).toEpochMilli();
            byte[][] payloads = {good, rotten};
            for (int i = 0; i < 2; i++) {
                byte[] hash = SqliteRelayStore.sha256(payloads[i]);
                try (var content = c.prepareStatement("INSERT INTO relay_content VALUES (?, ?, ?, 1, ?)");
                        var blob = c.prepareStatement("INSERT INTO relay_blob VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    content.setBytes(1, g.bytes());
                    content.setBytes(2, hash);
                    content.setLong(3, payloads[i].length);
                    content.setBytes(4, payloads[i]);
                    content.execute();
                    blob.setBytes(1, g.bytes());
                    blob.setLong(2, i + 1);
                    blob.setBytes(3, entropy.bytes(BlobId.LENGTH));
                    blob.setBytes(4, entropy.bytes(DeviceId.LENGTH));
                    blob.setBytes(5, hash);
                    blob.setLong(6, payloads[i].length);
                    blob.setLong(7, expires);
                    blob.execute();
                }
            }
            try (var group = c.prepareStatement("INSERT INTO relay_group VALUES (?, 2, 2, 500)")) {
                group.setBytes(1, g.bytes());
                group.execute();
            }
            // Bit rot of the second payload, as it would have sat on disk under the old build.
            rotten[100] ^= 1;
            try (var rot = c.prepareStatement("UPDATE relay_content SET payload = ? WHERE size_bytes = 200")) {
                rot.setBytes(1, rotten);
                rot.execute();
            }
        }

        try (RelayStore store = openRelay(db, "capacity.bytes", "1000")) {
            assertThat(pragma(db, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteFile.Kind.RELAY.latestVersion()));
            assertThat(store.stats().totalBlobs()).isEqualTo(2);
            assertThat(store.stats().storageBytes()).isEqualTo(500);
            assertThatThrownBy(() -> store.append(new GroupId(entropy.bytes(GroupId.LENGTH)),
                            new DeviceId(entropy.bytes(DeviceId.LENGTH)), new BlobId(entropy.bytes(BlobId.LENGTH)),
                            entropy.bytes(501), T0, Duration.ofHours(1)))
                    .isInstanceOfSatisfying(RelayStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(RelayStoreException.Code.CAPACITY_EXCEEDED));

            var page = store.pageAfter(g, Cursor.ZERO, 10, 1 << 20, T0);

            assertThat(page.blobs()).singleElement().satisfies(b -> assertThat(b.payload()).isEqualTo(good));
            assertThat(page.withheld()).containsExactly(new Cursor(2));
            assertThat(store.stats().rottenBlobsDetected()).isEqualTo(1);
            assertThat(store.stats().storageBytes()).as("the rotten payload is dropped and uncharged").isEqualTo(300);
            assertThat(store.usage(g).storedBytes()).isEqualTo(300);
            assertThat(store.usage(g).blobCount()).as("the rotten row stays, withheld, until it expires").isEqualTo(2);
            assertThat(store.purgeExpired(T0.plus(Duration.ofHours(2)))).isEqualTo(2);
            assertThat(store.stats().storageBytes()).isZero();
            assertThat(store.stats().totalBlobs()).isZero();
        }
    }

    @Test
    void migrationResources_splitIntoStatementsWithoutComments() throws Exception {
        for (SqliteFile.Kind kind : SqliteFile.Kind.values()) {
            for (String resource : kind.migrations) {
                assertThat(SqliteFile.statements(resource))
                        .isNotEmpty()
                        .allSatisfy(st -> assertThat(st).doesNotContain("--").matches("(?s)(CREATE|INSERT|ALTER|UPDATE) .*"));
            }
        }
    }
}
