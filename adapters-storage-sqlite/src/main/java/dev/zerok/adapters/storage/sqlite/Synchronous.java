package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;

/**
 * SQLite's {@code synchronous} setting as the providers accept it.
 *
 * <p>{@link #FULL} (the default) fsyncs the WAL on every commit: an acknowledged row survives a
 * process kill and a power loss. {@link #NORMAL} fsyncs only at checkpoints: it survives a
 * process kill -9 (the WAL is in the OS page cache) but the last commits may be lost on power
 * loss or a kernel crash, which breaks "no acknowledged blob is lost" for that failure.
 */
enum Synchronous {
    FULL,
    NORMAL;

    static final String KEY = "synchronous";

    static Synchronous from(ProviderConfig config) throws ConfigException {
        String raw = config.string(KEY, FULL.name()).trim();
        for (Synchronous s : values()) {
            if (s.name().equalsIgnoreCase(raw)) {
                return s;
            }
        }
        throw new ConfigException("configuration key '" + KEY + "' must be FULL or NORMAL, got '" + raw + "'");
    }
}
