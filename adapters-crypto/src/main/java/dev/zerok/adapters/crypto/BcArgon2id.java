package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.PasswordHash;
import dev.zerok.ports.crypto.Secret;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Argon2id version 0x13 (RFC 9106) from Bouncy Castle; every parameter comes from the caller. */
final class BcArgon2id implements PasswordHash {
    @Override
    public String name() {
        return "Argon2id";
    }

    @Override
    public Secret derive(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int outputBytes)
            throws CryptoException {
        if (salt.length < 8 || iterations < 1 || parallelism < 1 || parallelism > 255 || memoryKib < 8 * parallelism
                || outputBytes < 4 || outputBytes > 1024) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY, "Argon2id parameters out of range: salt "
                    + salt.length + " bytes (>= 8), m=" + memoryKib + " KiB (>= 8*p), t=" + iterations + " (>= 1), p="
                    + parallelism + " (1..255), output " + outputBytes + " bytes (4..1024)");
        }
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(builder.build());
        byte[] out = new byte[outputBytes];
        generator.generateBytes(password, out);
        builder.clear();
        return Secret.adopt(out);
    }
}
