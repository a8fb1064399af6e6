package dev.zerok.kernel.sync;

import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.testkit.ClientStateStoreContract;

/** The sync tests' fake store honours the same contract as the SQLite store. */
class InMemoryClientStateStoreTest extends ClientStateStoreContract {
    private final InMemoryClientStateStore.Disk disk = new InMemoryClientStateStore.Disk();

    @Override
    protected ClientStateStore open() {
        return new InMemoryClientStateStore(disk);
    }
}
