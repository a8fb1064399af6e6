package dev.zerok.adapters.crypto;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import java.util.Set;

/**
 * ServiceLoader provider {@code system}: {@code Instant.now()} clamped to be non-decreasing, and a
 * single daemon {@code ScheduledThreadPoolExecutor} thread for timers. Takes no configuration keys.
 */
public final class SystemClockProvider implements ClockProvider {
    /** ServiceLoader needs a public no-argument constructor. */
    public SystemClockProvider() {}

    @Override
    public String name() {
        return "system";
    }

    /**
     * @throws ConfigException if any configuration key is given (this provider has none)
     */
    @Override
    public Clock open(ProviderConfig config) throws ConfigException {
        config.requireOnly(Set.of());
        return new SystemClock();
    }
}
