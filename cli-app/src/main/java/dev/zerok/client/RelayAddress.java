package dev.zerok.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A relay a device syncs through: where it listens and the static key the device pins for it
 * (the handshake fails if the relay presents another key). {@link #toString()} shows the address
 * only.
 *
 * @param hostPort {@code host:port} of the relay's QUIC listener
 * @param staticPublicKey the relay's 32-byte X25519 static public key
 */
public record RelayAddress(String hostPort, byte[] staticPublicKey) {
    /** @throws IllegalArgumentException if the key is not 32 bytes or the address is blank */
    public RelayAddress {
        Objects.requireNonNull(hostPort, "hostPort");
        if (hostPort.isBlank()) {
            throw new IllegalArgumentException("a relay address needs host:port");
        }
        if (staticPublicKey.length != 32) {
            throw new IllegalArgumentException("a relay's static key is 32 bytes");
        }
        staticPublicKey = staticPublicKey.clone();
    }

    @Override
    public byte[] staticPublicKey() {
        return staticPublicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayAddress r && hostPort.equals(r.hostPort) && Arrays.equals(staticPublicKey, r.staticPublicKey);
    }

    @Override
    public int hashCode() {
        return hostPort.hashCode() * 31 + Arrays.hashCode(staticPublicKey);
    }

    @Override
    public String toString() {
        return "RelayAddress[" + hostPort + "]";
    }
}
