package dev.zerok.relayapp;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The relay's configuration: a Java properties file (docs/OPERATIONS.md lists every key).
 *
 * <p>Top-level keys are checked here; keys under a port's prefix ({@code transport.},
 * {@code store.}, ...) are handed, without the prefix, to the provider selected for that port,
 * which rejects the ones it does not know. So every key is either honoured or rejected by name.
 * Immutable.
 */
public final class RelayConfig {
    /** The port families the relay wires, each selected by name under the key of the same name. */
    static final Map<String, String> DEFAULT_PROVIDERS = Map.of(
            "transport", "quic",
            "store", "sqlite",
            "keyexchange", "bouncycastle",
            "clock", "system",
            "entropy", "drbg");

    static final Set<String> TOP_LEVEL_KEYS = Set.of("listen", "data.dir", "http.listen", "purge.interval",
            "limits.rate.group.per.second", "limits.rate.group.burst",
            "limits.sessions.max", "limits.frame.max.bytes", "limits.ttl.max", "limits.hello.timeout",
            "limits.pull.max.blobs", "limits.pull.max.bytes", "limits.rate.device.per.second", "limits.rate.device.burst",
            "limits.rate.global.per.second", "limits.rate.global.burst", "limits.rate.max.keys", "shutdown.drain.timeout",
            "limits.sessions.unauthenticated.max", "limits.frame.timeout", "limits.session.max.queued", "groups.allow",
            "limits.inbound.buffer.bytes", "noise.rekey.interval.messages", "noise.rekey.interval.bytes");

    private final Map<String, String> values;

    private RelayConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Builds a configuration from key/value pairs.
     *
     * @throws ConfigException naming every unknown top-level key
     */
    public static RelayConfig of(Map<String, String> values) throws ConfigException {
        Set<String> unknown = new TreeSet<>();
        for (String key : values.keySet()) {
            boolean known = TOP_LEVEL_KEYS.contains(key) || DEFAULT_PROVIDERS.containsKey(key)
                    || DEFAULT_PROVIDERS.keySet().stream().anyMatch(port -> key.startsWith(port + "."));
            if (!known) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            Set<String> accepted = new TreeSet<>(TOP_LEVEL_KEYS);
            accepted.addAll(DEFAULT_PROVIDERS.keySet());
            DEFAULT_PROVIDERS.keySet().forEach(port -> accepted.add(port + ".*"));
            throw new ConfigException("unknown relay configuration key(s) " + unknown + "; accepted keys are " + accepted);
        }
        return new RelayConfig(values);
    }

    /**
     * Reads a properties file (UTF-8).
     *
     * @throws ConfigException if the file cannot be read or has unknown keys
     */
    public static RelayConfig load(Path file) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read relay configuration " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k).trim()));
        return of(map);
    }

    /** The provider name configured for {@code port} ({@code transport}, {@code store}, ...). */
    public String providerName(String port) {
        return values.getOrDefault(port, DEFAULT_PROVIDERS.get(port));
    }

    /** The top-level keys, with typed accessors. */
    public ProviderConfig topLevel() {
        Map<String, String> top = new TreeMap<>();
        values.forEach((k, v) -> {
            if (TOP_LEVEL_KEYS.contains(k)) {
                top.put(k, v);
            }
        });
        return new ProviderConfig(top);
    }

    /** The data directory (identity, default database): {@code data.dir}, default {@code ./zerok-relay-data}. */
    public Path dataDir() {
        return Path.of(values.getOrDefault("data.dir", "zerok-relay-data"));
    }

    /**
     * The keys under {@code port.}, without the prefix. The store's {@code path} defaults to
     * {@code <data.dir>/relay.db}.
     */
    public ProviderConfig providerConfig(String port) {
        Map<String, String> section = new TreeMap<>();
        if (port.equals("store") && providerName("store").equals("sqlite")) {
            section.put("path", dataDir().resolve("relay.db").toString());
        }
        String prefix = port + ".";
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                section.put(k.substring(prefix.length()), v);
            }
        });
        return new ProviderConfig(section);
    }

    /** A top-level value or {@code fallback}. */
    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }
}
