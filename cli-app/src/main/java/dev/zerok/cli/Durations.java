package dev.zerok.cli;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --wait 10s}-style durations with the same rules as the relay's configuration. */
final class Durations {
    private Durations() {}

    /**
     * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 ({@code PT30S}).
     *
     * @throws TypeConversionException (picocli reports it as a usage error) for anything else
     */
    static Duration parse(String text) {
        try {
            return new ProviderConfig(Map.of("duration", text)).duration("duration", Duration.ZERO);
        } catch (ConfigException e) {
            throw new TypeConversionException("'" + text + "' is not a duration such as 250ms, 10s, 5m, 24h or 7d");
        }
    }

    /** {@code 10s}, {@code 1m30s}-like text for messages. */
    static String format(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
