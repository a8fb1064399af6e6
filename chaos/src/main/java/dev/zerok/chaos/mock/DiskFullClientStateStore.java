package dev.zerok.chaos.mock;

import dev.zerok.ports.clientstate.Acknowledgement;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device's state store on a disk that can be made full (the mock's C-STOR-02): while {@code full}
 * is on, every write fails as the SQLite adapter fails on a full disk ({@link ClientStateException}
 * coded {@code STORAGE_FULL}, no effect); reads pass through.
 */
final class DiskFullClientStateStore implements ClientStateStore {
    private final ClientStateStore store;
    private final AtomicBoolean full;

    DiskFullClientStateStore(ClientStateStore store, AtomicBoolean full) {
        this.store = store;
        this.full = full;
    }

    private void refuseWrite(String operation) throws ClientStateException {
        if (full.get()) {
            // The SQLite adapter's code and wording for SQLITE_FULL (SqliteClientStateStore#inTransaction).
            throw new ClientStateException(ClientStateException.Code.STORAGE_FULL, "client state " + operation
                    + " failed (SQLITE_FULL): the disk under the state file is full; it had no effect; free space "
                    + "and sync again");
        }
    }

    @Override
    public void enqueue(OutboxEntry entry, List<RelayId> relays) throws ClientStateException {
        refuseWrite("enqueue");
        store.enqueue(entry, relays);
    }

    @Override
    public void enqueueAll(List<OutboxEntry> entries, List<RelayId> relays, VersionVector versionVector)
            throws ClientStateException {
        refuseWrite("enqueue");
        store.enqueueAll(entries, relays, versionVector);
    }

    @Override
    public List<OutboxEntry> pending(RelayId relay, int max) throws ClientStateException {
        return store.pending(relay, max);
    }

    @Override
    public List<OutboxEntry> pending(RelayId relay, int max, Set<BlobId> excluding) throws ClientStateException {
        return store.pending(relay, max, excluding);
    }

    @Override
    public void acknowledgeAll(List<Acknowledgement> acknowledgements) throws ClientStateException {
        refuseWrite("acknowledge");
        store.acknowledgeAll(acknowledgements);
    }

    @Override
    public Cursor pullCursor(RelayId relay) throws ClientStateException {
        return store.pullCursor(relay);
    }

    @Override
    public VersionVector versionVector() throws ClientStateException {
        return store.versionVector();
    }

    @Override
    public void commitPulled(RelayId relay, Cursor newPullCursor, List<BlobIndexEntry> entries,
            VersionVector versionVector) throws ClientStateException {
        refuseWrite("commit");
        store.commitPulled(relay, newPullCursor, entries, versionVector);
    }

    @Override
    public Optional<BlobIndexEntry> blob(BlobId blob) throws ClientStateException {
        return store.blob(blob);
    }

    @Override
    public List<BlobIndexEntry> received(DeviceId sender, long afterSequence) throws ClientStateException {
        return store.received(sender, afterSequence);
    }

    @Override
    public List<BlobIndexEntry> failures() throws ClientStateException {
        return store.failures();
    }

    @Override
    public void close() {
        store.close();
    }
}
