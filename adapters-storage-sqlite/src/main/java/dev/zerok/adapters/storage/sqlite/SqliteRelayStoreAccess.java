package dev.zerok.adapters.storage.sqlite;

import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_BLOB;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_CONTENT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jooq.DSLContext;
import org.jooq.Record3;

/**
 * Access to a relay store file from outside the relay, the way the chaos suite needs it (bit
 * rot at rest, a relay binary modified to tamper, counting stored rows): the schema is this
 * adapter's, so the only code that knows which rows hold payloads lives here. Never used by a relay; safe to call while the
 * relay runs (SQLite serialises the second writer, busy timeout 5 s).
 */
public final class SqliteRelayStoreAccess {
    private static final Duration BUSY = Duration.ofSeconds(5);

    private SqliteRelayStoreAccess() {}

    /**
     * Flips one bit in every non-empty stored payload of {@code file}, in (group, content hash)
     * order.
     *
     * @param file a relay store file ({@code relay.db})
     * @param pickBit given a payload's length in bits, returns the bit to flip, 0 to length-1
     * @param rewriteHash also rewrite the store's SHA-256 of each payload (and the rows pointing at
     *     it) to match the altered bytes, as a modified relay would: the relay's own bit-rot check
     *     then passes and only the devices' AEAD can catch the change; {@code false} is bit rot, which
     *     the relay's check catches on serve
     * @return how many payloads were altered
     * @throws SQLException if the file cannot be opened or written (not a relay store, locked longer
     *     than 5 s)
     */
    public static int flipPayloadBits(Path file, LongUnaryOperator pickBit, boolean rewriteHash) throws SQLException {
        try (Connection c = open(file)) {
            DSLContext db = SqliteFile.dsl(c);
            return db.transactionResult(tx -> {
                DSLContext t = tx.dsl();
                List<Record3<byte[], byte[], byte[]>> rows = t.select(RELAY_CONTENT.GROUP_ID, RELAY_CONTENT.CONTENT_HASH,
                        RELAY_CONTENT.PAYLOAD).from(RELAY_CONTENT).orderBy(RELAY_CONTENT.GROUP_ID, RELAY_CONTENT.CONTENT_HASH)
                        .fetch();
                int altered = 0;
                for (Record3<byte[], byte[], byte[]> row : rows) {
                    byte[] payload = row.value3();
                    if (payload.length == 0) {
                        continue;
                    }
                    long bit = pickBit.applyAsLong(payload.length * 8L);
                    payload[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
                    byte[] hash = rewriteHash ? sha256(payload) : row.value2();
                    altered += t.update(RELAY_CONTENT).set(RELAY_CONTENT.PAYLOAD, payload)
                            .set(RELAY_CONTENT.CONTENT_HASH, hash)
                            .where(RELAY_CONTENT.GROUP_ID.eq(row.value1()), RELAY_CONTENT.CONTENT_HASH.eq(row.value2()))
                            .execute();
                    if (rewriteHash) {
                        t.update(RELAY_BLOB).set(RELAY_BLOB.CONTENT_HASH, hash)
                                .where(RELAY_BLOB.GROUP_ID.eq(row.value1()), RELAY_BLOB.CONTENT_HASH.eq(row.value2()))
                                .execute();
                    }
                }
                return altered;
            });
        } catch (org.jooq.exception.DataAccessException e) {
            throw new SQLException("cannot alter the relay store: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the blob at {@code cursor} (of whichever group holds it) together with its payload
     * row, as an operator's hand or a failing disk would: the store's counters are left as they
     * were, so the relay finds a cursor with nothing behind it (C-COLL-02).
     *
     * @return whether a blob was there
     * @throws SQLException if the file cannot be opened or written
     */
    public static boolean deleteBlobAt(Path file, long cursor) throws SQLException {
        try (Connection c = open(file)) {
            return SqliteFile.dsl(c).transactionResult(tx -> {
                DSLContext t = tx.dsl();
                var row = t.select(RELAY_BLOB.GROUP_ID, RELAY_BLOB.CONTENT_HASH).from(RELAY_BLOB)
                        .where(RELAY_BLOB.CURSOR.eq(cursor)).fetchOne();
                if (row == null) {
                    return false;
                }
                t.deleteFrom(RELAY_CONTENT).where(RELAY_CONTENT.GROUP_ID.eq(row.value1()),
                        RELAY_CONTENT.CONTENT_HASH.eq(row.value2())).execute();
                t.deleteFrom(RELAY_BLOB).where(RELAY_BLOB.GROUP_ID.eq(row.value1()), RELAY_BLOB.CURSOR.eq(cursor))
                        .execute();
                return true;
            });
        } catch (org.jooq.exception.DataAccessException e) {
            throw new SQLException("cannot alter the relay store: " + e.getMessage(), e);
        }
    }

    /**
     * How many blob rows {@code file} holds (one per stored blob, expired-but-unpurged included);
     * 0 for a file the relay has not created its tables in yet.
     *
     * @throws SQLException if the file cannot be read
     */
    public static long blobRows(Path file) throws SQLException {
        try (Connection c = openReadOnly(file)) {
            return SqliteFile.dsl(c).fetchCount(RELAY_BLOB);
        } catch (org.jooq.exception.DataAccessException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return 0;
            }
            throw new SQLException("cannot read the relay store: " + e.getMessage(), e);
        }
    }

    /**
     * The stored (sealed) size of every blob row of {@code file}, per group in cursor order: one
     * array per group, groups in group-id order; empty for a file without tables yet. Sizes are in
     * bytes, as the relay recorded them at push.
     *
     * @throws SQLException if the file cannot be read
     */
    public static List<long[]> blobSizesByGroup(Path file) throws SQLException {
        try (Connection c = openReadOnly(file)) {
            var rows = SqliteFile.dsl(c).select(RELAY_BLOB.GROUP_ID, RELAY_BLOB.SIZE_BYTES).from(RELAY_BLOB)
                    .orderBy(RELAY_BLOB.GROUP_ID, RELAY_BLOB.CURSOR).fetch();
            List<long[]> out = new java.util.ArrayList<>();
            List<Long> current = new java.util.ArrayList<>();
            byte[] group = null;
            for (var row : rows) {
                if (group != null && !java.util.Arrays.equals(group, row.value1())) {
                    out.add(current.stream().mapToLong(Long::longValue).toArray());
                    current.clear();
                }
                group = row.value1();
                current.add(row.value2());
            }
            if (group != null) {
                out.add(current.stream().mapToLong(Long::longValue).toArray());
            }
            return out;
        } catch (org.jooq.exception.DataAccessException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return List.of();
            }
            throw new SQLException("cannot read the relay store: " + e.getMessage(), e);
        }
    }

    private static Connection open(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no relay store at " + file);
        }
        try {
            return SqliteFile.connect(file, Synchronous.FULL, BUSY);
        } catch (OpenFailure e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    /**
     * A read-only connection without the store's pragmas, which would write (a reader must work on
     * a full disk, C-STOR-01's relay data directory).
     */
    private static Connection openReadOnly(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no relay store at " + file);
        }
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) BUSY.toMillis());
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
