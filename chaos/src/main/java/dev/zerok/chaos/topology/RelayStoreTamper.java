package dev.zerok.chaos.topology;

import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;
import dev.zerok.chaos.report.Timeline;
import java.nio.file.Path;
import java.sql.SQLException;

/** Store tampering every topology does alike on a relay's SQLite file (its relay.db). Stateless. */
public final class RelayStoreTamper {
    private RelayStoreTamper() {}

    /**
     * Deletes the blob at {@code cursor} (its cursor row and its payload row) from the SQLite relay
     * store at {@code relayDb}, and records it as an {@code inject delete-stored-blob} entry.
     *
     * @return whether a blob was there
     * @throws ChaosException if the store cannot be written
     */
    public static boolean deleteStoredBlob(Path relayDb, String relayName, long cursor, Timeline timeline) {
        boolean deleted;
        try {
            deleted = SqliteRelayStoreAccess.deleteBlobAt(relayDb, cursor);
        } catch (SQLException e) {
            throw new ChaosException("cannot delete from the store of " + relayName + ": " + e.getMessage(), e);
        }
        timeline.inject("delete-stored-blob", relayName + " cursor=" + cursor + " altered=" + (deleted ? 1 : 0));
        return deleted;
    }
}
