package dev.zerok.chaos.mock;

import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.GroupUsage;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.StoreStats;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.RelayStoreProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mock topology's relay store ({@code store=chaos-disk-full}): the {@code sqlite} relay store
 * with a switch that makes its filesystem "full". While the switch of the store's {@code path} is on,
 * every write ({@link RelayStore#append}, {@link RelayStore#appendAll}, {@link RelayStore#purgeExpired})
 * fails exactly as the SQLite adapter fails on a full disk: {@link RelayStoreException} coded
 * {@code STORAGE_FULL}, nothing stored (for {@code appendAll}: every request refused with it, as a
 * failed transaction reports). Reads still work (a full disk can be read). Thread-safe.
 */
public final class DiskFullRelayStoreProvider implements RelayStoreProvider {
    /** The provider name for the relay's {@code store} key. */
    public static final String NAME = "chaos-disk-full";
    private static final Map<Path, AtomicBoolean> SWITCHES = new ConcurrentHashMap<>();

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public DiskFullRelayStoreProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    /** The switch of the store at {@code path}: on = the disk under it is full. Created off. */
    public static AtomicBoolean diskFull(Path path) {
        return SWITCHES.computeIfAbsent(path.toAbsolutePath().normalize(), p -> new AtomicBoolean());
    }

    /** Forgets the switch of {@code path} (the topology closed). */
    public static void forget(Path path) {
        SWITCHES.remove(path.toAbsolutePath().normalize());
    }

    @Override
    public RelayStore open(ProviderConfig config, ProviderContext context) throws ConfigException, RelayStoreException {
        Path path = Path.of(config.string("path").orElseThrow(() -> new ConfigException(
                "configuration key 'path' is required: the SQLite database file")));
        RelayStore sqlite = Providers.select(RelayStoreProvider.class, "sqlite").open(config, context);
        return new Full(sqlite, diskFull(path));
    }

    private record Full(RelayStore store, AtomicBoolean full) implements RelayStore {
        private void refuseWrite(String operation) throws RelayStoreException {
            if (full.get()) {
                // The SQLite adapter's code and wording for SQLITE_FULL (SqliteRelayStore#failure).
                throw new RelayStoreException(RelayStoreException.Code.STORAGE_FULL, "relay store " + operation
                        + " failed (SQLITE_FULL): the filesystem under the database is full; nothing was stored; "
                        + "free space in the data directory");
            }
        }

        @Override
        public List<AppendOutcome> appendAll(List<AppendRequest> requests, Instant now) {
            try {
                refuseWrite("append");
            } catch (RelayStoreException full) {
                return Collections.nCopies(requests.size(), new AppendOutcome.Refused(full));
            }
            return store.appendAll(requests, now);
        }

        @Override
        public Page pageAfter(GroupId group, Cursor after, int maxCount, long maxBytes, Instant now)
                throws RelayStoreException {
            return store.pageAfter(group, after, maxCount, maxBytes, now);
        }

        @Override
        public Cursor head(GroupId group) throws RelayStoreException {
            return store.head(group);
        }

        @Override
        public Cursor oldestRetained(GroupId group, Instant now) throws RelayStoreException {
            return store.oldestRetained(group, now);
        }

        @Override
        public long purgeExpired(Instant now) throws RelayStoreException {
            refuseWrite("purge");
            return store.purgeExpired(now);
        }

        @Override
        public GroupUsage usage(GroupId group) throws RelayStoreException {
            return store.usage(group);
        }

        @Override
        public StoreStats stats() throws RelayStoreException {
            return store.stats();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
