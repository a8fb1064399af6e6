package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.ClientStateStoreProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code sqlite} {@link ClientStateStoreProvider}: a device's outbox, per-relay cursors,
 * version vector and blob index in one SQLite file (WAL, schema migrated on open).
 *
 * <p>Configuration keys (unknown keys are rejected):
 * <table>
 *   <caption>sqlite client state store keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code path}</td><td>required</td><td>the database file; missing parent directories
 *       are created, a new file is made owner-only ({@code rw-------})</td></tr>
 *   <tr><td>{@code busy.timeout}</td><td>{@code 5s}</td><td>how long an operation waits for a
 *       lock held by another process before it fails with {@code IO}</td></tr>
 *   <tr><td>{@code synchronous}</td><td>{@code FULL}</td><td>{@code FULL}: every commit is
 *       fsynced; {@code NORMAL}: survives kill -9, may lose the last commits on power loss</td></tr>
 * </table>
 *
 * <p>The context is not used. Thread-safe and stateless.
 */
public final class SqliteClientStateStoreProvider implements ClientStateStoreProvider {
    /** Key of the database file path. */
    public static final String PATH = SqliteRelayStoreProvider.PATH;
    /** Key of the lock wait. */
    public static final String BUSY_TIMEOUT = SqliteRelayStoreProvider.BUSY_TIMEOUT;
    /** Key of the durability level. */
    public static final String SYNCHRONOUS = Synchronous.KEY;

    private static final Set<String> KEYS = Set.of(PATH, BUSY_TIMEOUT, SYNCHRONOUS);

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SqliteClientStateStoreProvider() {}

    /** {@code sqlite}. */
    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Opens the state store named by {@code path}, creating and migrating it if needed.
     *
     * @throws ConfigException if a key is unknown, {@code path} is missing or a value is invalid
     * @throws ClientStateException {@code INCOMPATIBLE} if the file is not a zerok client state store
     *     or has a newer schema; {@code IO} if it cannot be opened
     */
    @Override
    public ClientStateStore open(ProviderConfig config, ProviderContext context)
            throws ConfigException, ClientStateException {
        config.requireOnly(KEYS);
        Duration busyTimeout = config.duration(BUSY_TIMEOUT, SqliteRelayStoreProvider.DEFAULT_BUSY_TIMEOUT);
        return SqliteClientStateStore.open(SqliteRelayStoreProvider.requiredPath(config), Synchronous.from(config),
                busyTimeout);
    }
}
