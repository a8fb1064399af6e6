package dev.zerok.kernel.pairing;

import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.GroupId;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What a device needs to join a group: where the relays are, the relay keys to pin, the group,
 * how to get its secret, and until when the invite is valid. {@link #toString()} shows no secret.
 *
 * @param relays 1 to {@value #MAX_RELAYS} relays
 * @param groupId the group being joined (checked against the derived keys)
 * @param secret the group secret itself, or the passphrase parameters to derive it
 * @param expiresAt after this instant the invite is rejected
 */
public record Invite(List<RelayPin> relays, GroupId groupId, GroupSecretSource secret, Instant expiresAt) {
    /** Most relays one invite may list. */
    public static final int MAX_RELAYS = 8;

    public Invite {
        relays = List.copyOf(relays);
    }

    /**
     * A relay and the static key a device pins for it.
     *
     * @param address host:port, at most 255 UTF-8 bytes
     * @param staticPublicKey the relay's 32-byte X25519 static public key
     */
    public record RelayPin(String address, byte[] staticPublicKey) {
        public RelayPin {
            staticPublicKey = staticPublicKey.clone();
        }

        @Override
        public byte[] staticPublicKey() {
            return staticPublicKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RelayPin p && address.equals(p.address) && Arrays.equals(staticPublicKey, p.staticPublicKey);
        }

        @Override
        public int hashCode() {
            return address.hashCode() * 31 + Arrays.hashCode(staticPublicKey);
        }
    }

    /** How the joining device obtains the 32-byte group secret. */
    public sealed interface GroupSecretSource {
        /** The secret travels inside the sealed invite. */
        record Embedded(Secret groupSecret) implements GroupSecretSource {
            @Override
            public String toString() {
                return "Embedded[REDACTED]";
            }
        }

        /**
         * The secret is Argon2id(passphrase, salt, params); the passphrase travels separately.
         *
         * @param salt the group's 16 random salt bytes
         * @param params the group's fixed Argon2id parameters
         */
        record Passphrase(byte[] salt, Argon2Params params) implements GroupSecretSource {
            public Passphrase {
                salt = salt.clone();
            }

            @Override
            public byte[] salt() {
                return salt.clone();
            }
        }
    }
}
