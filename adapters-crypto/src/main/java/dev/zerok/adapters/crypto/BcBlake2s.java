package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.Hash;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** BLAKE2s-256 (RFC 7693) and HMAC-BLAKE2s (as Noise spec rev 34 section 4.3 defines it) from Bouncy Castle. */
final class BcBlake2s implements Hash {
    @Override
    public String name() {
        return "BLAKE2s";
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
        Blake2sDigest digest = new Blake2sDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    @Override
    public byte[] hmac(byte[] key, byte[]... parts) {
        HMac mac = new HMac(new Blake2sDigest(256));
        mac.init(new KeyParameter(key));
        for (byte[] part : parts) {
            mac.update(part, 0, part.length);
        }
        byte[] out = new byte[32];
        mac.doFinal(out, 0);
        return out;
    }
}
