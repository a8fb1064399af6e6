package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.Hash;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) from the JDK, which uses the CPU's SHA extensions. */
final class JdkSha256 implements Hash {
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    });

    @Override
    public String name() {
        return "SHA256";
    }

    @Override
    public int hashLen() {
        return 32;
    }

    @Override
    public int blockLen() {
        return 64;
    }

    @Override
    public byte[] digest(byte[]... parts) {
        MessageDigest digest = digests.get();
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    @Override
    public byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = macs.get();
        // HMAC pads the key with zeros to the block length, so an empty key equals a one-zero-byte
        // key; SecretKeySpec rejects empty keys, hence the substitution.
        byte[] effectiveKey = key.length == 0 ? new byte[1] : key;
        try {
            mac.init(new SecretKeySpec(effectiveKey, "HmacSHA256"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 rejected a raw key", e);
        }
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }
}
