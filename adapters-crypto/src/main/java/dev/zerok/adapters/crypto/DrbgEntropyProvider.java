package dev.zerok.adapters.crypto;

import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Set;

/**
 * ServiceLoader provider {@code drbg}: NIST SP 800-90A Hash_DRBG/CTR_DRBG from the JDK
 * ({@code SecureRandom.getInstance("DRBG")}) at 256-bit strength without prediction resistance,
 * so after its one-time seeding it never waits on the operating system's entropy pool. Never
 * {@code java.util.Random}. Takes no configuration keys.
 */
public final class DrbgEntropyProvider implements EntropyProvider {
    /** ServiceLoader needs a public no-argument constructor. */
    public DrbgEntropyProvider() {}

    @Override
    public String name() {
        return "drbg";
    }

    /**
     * @throws ConfigException if any configuration key is given, or the JDK has no DRBG
     */
    @Override
    public Entropy open(ProviderConfig config) throws ConfigException {
        config.requireOnly(Set.of());
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, "zerok".getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII)));
            return new DrbgEntropy(random);
        } catch (NoSuchAlgorithmException e) {
            throw new ConfigException("this JDK offers no DRBG SecureRandom at 256-bit strength; use a JDK 9+ runtime", e);
        }
    }
}
