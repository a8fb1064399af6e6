package dev.zerok.client;

import dev.zerok.ports.spi.ProviderConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which provider serves each port of a device, and each provider's configuration. The ports are
 * {@code clock}, {@code entropy}, {@code keyexchange}, {@code transport}, {@code state} (the
 * ClientStateStore) and {@code chunks} (the BlobStore). Assemblers of custom clients replace a
 * provider by name; the provider's jar must be on the class path (ServiceLoader).
 *
 * @param providers port name to provider name
 * @param configs port name to that provider's configuration (absent: {@link ProviderConfig#EMPTY})
 */
public record ClientSettings(Map<String, String> providers, Map<String, ProviderConfig> configs) {
    public ClientSettings {
        providers = Map.copyOf(providers);
        configs = Map.copyOf(configs);
    }

    /**
     * The production defaults for a device whose data lives in {@code dataDir}: system clock, DRBG
     * entropy, Bouncy Castle crypto, QUIC, SQLite state in {@code dataDir/state.db}, chunks in
     * {@code dataDir/chunks}.
     */
    public static ClientSettings defaults(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Map<String, String> providers = new TreeMap<>(Map.of("clock", "system", "entropy", "drbg", "keyexchange",
                "bouncycastle", "transport", "quic", "state", "sqlite", "chunks", "fs"));
        Map<String, ProviderConfig> configs = new TreeMap<>(Map.of(
                "state", ProviderConfig.of("path", dataDir.resolve("state.db").toString()),
                "chunks", ProviderConfig.of("directory", dataDir.resolve("chunks").toString())));
        return new ClientSettings(providers, configs);
    }

    /** The provider named for {@code port}. @throws IllegalArgumentException if none is named */
    public String provider(String port) {
        String name = providers.get(port);
        if (name == null) {
            throw new IllegalArgumentException("no provider named for port '" + port + "'");
        }
        return name;
    }

    /** The configuration for {@code port}'s provider. */
    public ProviderConfig config(String port) {
        return configs.getOrDefault(port, ProviderConfig.EMPTY);
    }
}
