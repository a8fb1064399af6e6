package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.RelayStoreProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code sqlite} {@link RelayStoreProvider}: the relay's cursor log in one SQLite file (WAL,
 * incremental auto-vacuum, schema migrated on open), queried through jOOQ.
 *
 * <p>Configuration keys (unknown keys are rejected):
 * <table>
 *   <caption>sqlite relay store keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code path}</td><td>required</td><td>the database file; missing parent directories
 *       are created, a new file is made owner-only ({@code rw-------}); SQLite adds {@code -wal}
 *       and {@code -shm} files beside it</td></tr>
 *   <tr><td>{@code ttl.max}</td><td>{@code 7d}</td><td>the TTL cap: a longer requested TTL is
 *       lowered to it; a duration such as {@code 12h}, {@code 7d} or {@code PT1H}, at least 1 ms</td></tr>
 *   <tr><td>{@code quota.group.bytes}</td><td>{@code 1073741824} (1 GiB)</td><td>per-group quota
 *       on stored payload bytes, each distinct payload counted once; at least 1</td></tr>
 *   <tr><td>{@code capacity.bytes}</td><td>{@code 10737418240} (10 GiB)</td><td>relay-wide cap
 *       on stored payload bytes across all groups, counted like the quota; an append past it fails
 *       with {@code CAPACITY_EXCEEDED}. Keeps a flood of groups (each within its quota) from filling
 *       the disk, which would stop every group and could stop purging too. The file also holds
 *       per-row metadata, indexes and the WAL, so leave headroom; at least 1</td></tr>
 *   <tr><td>{@code capacity.blobs}</td><td>{@code 10000000}</td><td>relay-wide cap on stored
 *       blobs (rows) across all groups; bounds the metadata that tiny payloads would pile up
 *       (a few hundred bytes per row, which {@code capacity.bytes} does not see); at least 1</td></tr>
 *   <tr><td>{@code busy.timeout}</td><td>{@code 5s}</td><td>how long an operation waits for a
 *       lock held by another connection or process, or for a free read connection, before it
 *       fails with {@code UNAVAILABLE}</td></tr>
 *   <tr><td>{@code synchronous}</td><td>{@code FULL}</td><td>{@code FULL}: every commit is
 *       fsynced, an acknowledged append survives kill -9 and power loss; {@code NORMAL}: faster,
 *       survives kill -9 but the last commits may be lost on power loss</td></tr>
 *   <tr><td>{@code read.connections}</td><td>{@code 4}</td><td>connections reserved for reads
 *       (pulls, stats), 1 to 64; writes use one more connection</td></tr>
 * </table>
 *
 * <p>The context's clock and entropy are not used: callers pass {@code now} to each operation.
 * Thread-safe and stateless.
 */
public final class SqliteRelayStoreProvider implements RelayStoreProvider {
    /** Key of the database file path. */
    public static final String PATH = "path";
    /** Key of the TTL cap. */
    public static final String TTL_MAX = "ttl.max";
    /** Key of the per-group quota in bytes. */
    public static final String QUOTA_GROUP_BYTES = "quota.group.bytes";
    /** Key of the relay-wide cap on stored payload bytes. */
    public static final String CAPACITY_BYTES = "capacity.bytes";
    /** Key of the relay-wide cap on stored blobs. */
    public static final String CAPACITY_BLOBS = "capacity.blobs";
    /** Key of the lock wait. */
    public static final String BUSY_TIMEOUT = "busy.timeout";
    /** Key of the durability level. */
    public static final String SYNCHRONOUS = Synchronous.KEY;
    /** Key of the read connection count. */
    public static final String READ_CONNECTIONS = "read.connections";

    /** Default TTL cap: 7 days. */
    public static final Duration DEFAULT_TTL_MAX = Duration.ofDays(7);
    /** Default per-group quota: 1 GiB. */
    public static final long DEFAULT_QUOTA_GROUP_BYTES = 1L << 30;
    /** Default relay-wide payload cap: 10 GiB, ten groups at the default quota. */
    public static final long DEFAULT_CAPACITY_BYTES = 10L << 30;
    /** Default relay-wide blob cap: 10 million rows, a few GiB of metadata. */
    public static final long DEFAULT_CAPACITY_BLOBS = 10_000_000L;
    /** Default lock wait: 5 seconds. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    private static final Set<String> KEYS =
            Set.of(PATH, TTL_MAX, QUOTA_GROUP_BYTES, CAPACITY_BYTES, CAPACITY_BLOBS, BUSY_TIMEOUT, SYNCHRONOUS,
                    READ_CONNECTIONS);

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SqliteRelayStoreProvider() {}

    /** {@code sqlite}. */
    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Opens the store named by {@code path}, creating and migrating it if needed.
     *
     * @throws ConfigException if a key is unknown, {@code path} is missing or a value is invalid
     * @throws RelayStoreException {@code INCOMPATIBLE} if the file is not a zerok relay store or has
     *     a newer schema; {@code UNAVAILABLE} if it cannot be opened
     */
    @Override
    public RelayStore open(ProviderConfig config, ProviderContext context) throws ConfigException, RelayStoreException {
        config.requireOnly(KEYS);
        Path path = requiredPath(config);
        Duration ttlMax = config.duration(TTL_MAX, DEFAULT_TTL_MAX);
        if (ttlMax.toMillis() < 1) {
            throw new ConfigException("configuration key '" + TTL_MAX + "' must be at least 1ms");
        }
        long quota = config.longValue(QUOTA_GROUP_BYTES, DEFAULT_QUOTA_GROUP_BYTES, 1, Long.MAX_VALUE);
        long capacityBytes = config.longValue(CAPACITY_BYTES, DEFAULT_CAPACITY_BYTES, 1, Long.MAX_VALUE);
        long capacityBlobs = config.longValue(CAPACITY_BLOBS, DEFAULT_CAPACITY_BLOBS, 1, Long.MAX_VALUE);
        Duration busyTimeout = config.duration(BUSY_TIMEOUT, DEFAULT_BUSY_TIMEOUT);
        Synchronous synchronous = Synchronous.from(config);
        int readConnections = config.intValue(READ_CONNECTIONS, 4, 1, 64);
        return SqliteRelayStore.open(path, ttlMax, quota, capacityBytes, capacityBlobs, busyTimeout, synchronous,
                readConnections);
    }

    static Path requiredPath(ProviderConfig config) throws ConfigException {
        String raw = config.string(PATH).orElseThrow(() -> new ConfigException(
                "configuration key '" + PATH + "' is required: the SQLite database file"));
        if (raw.isBlank()) {
            throw new ConfigException("configuration key '" + PATH + "' must not be blank");
        }
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException("configuration key '" + PATH + "' is not a valid path");
        }
    }
}
