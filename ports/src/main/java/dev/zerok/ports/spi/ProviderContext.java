package dev.zerok.ports.spi;

import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.time.Clock;

/**
 * What an application hands every provider besides its configuration: the clock for every
 * timeout and timer, and the only source of randomness. In production these are the system clock
 * and a DRBG; in the mock chaos topology they are virtual time and a seeded source, which is what
 * makes a run replay from its seed.
 *
 * @param clock time and timers
 * @param entropy random bytes
 */
public record ProviderContext(Clock clock, Entropy entropy) {
    public ProviderContext {
        if (clock == null || entropy == null) {
            throw new IllegalArgumentException("a provider context needs both a clock and entropy");
        }
    }
}
