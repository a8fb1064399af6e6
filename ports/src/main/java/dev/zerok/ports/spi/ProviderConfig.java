package dev.zerok.ports.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The string key/value configuration handed to a provider's {@code open}, with typed accessors
 * that fail with the key's name. Keys are the provider's own (without the port prefix the
 * application's config file uses). Immutable and thread-safe.
 *
 * <p>Providers call {@link #requireOnly(Set)} first so an unknown (misspelled) key is rejected
 * with its name instead of being ignored.
 *
 * @param values the raw key/value pairs, copied
 */
public record ProviderConfig(Map<String, String> values) {
    /** An empty configuration: every provider must work with its defaults. */
    public static final ProviderConfig EMPTY = new ProviderConfig(Map.of());

    public ProviderConfig {
        values = Map.copyOf(values);
    }

    /** Shorthand for {@code new ProviderConfig(Map.of(k1, v1, ...))}. */
    public static ProviderConfig of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new ProviderConfig(map);
    }

    /**
     * Rejects keys the provider does not know.
     *
     * @param known every key the provider honours
     * @throws ConfigException naming each unknown key and listing the known ones
     */
    public ProviderConfig requireOnly(Set<String> known) throws ConfigException {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key(s) " + unknown
                    + "; known keys are " + new TreeSet<>(known));
        }
        return this;
    }

    /** The value of {@code key}, if set. */
    public Optional<String> string(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key}, or {@code fallback} if unset. */
    public String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /**
     * A {@code long} within {@code [min, max]}.
     *
     * @throws ConfigException if the value is not a decimal integer or out of range
     */
    public long longValue(String key, long fallback, long min, long max) throws ConfigException {
        String raw = values.get(key);
        if (raw == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("configuration key '" + key + "' must be an integer, got '" + raw + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException("configuration key '" + key + "' must be between " + min + " and " + max
                    + ", got " + parsed);
        }
        return parsed;
    }

    /**
     * An {@code int} within {@code [min, max]}.
     *
     * @throws ConfigException if the value is not a decimal integer or out of range
     */
    public int intValue(String key, int fallback, int min, int max) throws ConfigException {
        return (int) longValue(key, fallback, min, max);
    }

    /**
     * A duration written in ISO-8601 ({@code PT30S}) or as a number with a unit suffix
     * {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} ({@code 250ms}, {@code 30s}, {@code 7d}).
     *
     * @throws ConfigException if the value is neither form or is negative
     */
    public Duration duration(String key, Duration fallback) throws ConfigException {
        String raw = values.get(key);
        if (raw == null) {
            return fallback;
        }
        Duration parsed = parseDuration(key, raw.trim());
        if (parsed.isNegative()) {
            throw new ConfigException("configuration key '" + key + "' must not be negative, got '" + raw + "'");
        }
        return parsed;
    }

    /**
     * {@code true}/{@code false}.
     *
     * @throws ConfigException for any other text
     */
    public boolean booleanValue(String key, boolean fallback) throws ConfigException {
        String raw = values.get(key);
        if (raw == null) {
            return fallback;
        }
        return switch (raw.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException("configuration key '" + key + "' must be true or false, got '" + raw + "'");
        };
    }

    private static Duration parseDuration(String key, String raw) throws ConfigException {
        try {
            if (raw.startsWith("P") || raw.startsWith("p")) {
                return Duration.parse(raw);
            }
            int split = 0;
            while (split < raw.length() && Character.isDigit(raw.charAt(split))) {
                split++;
            }
            long amount = Long.parseLong(raw.substring(0, split));
            return switch (raw.substring(split)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new NumberFormatException("unit");
            };
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new ConfigException("configuration key '" + key
                    + "' must be a duration such as 250ms, 30s, 5m, 7d or PT30S, got '" + raw + "'");
        }
    }
}
