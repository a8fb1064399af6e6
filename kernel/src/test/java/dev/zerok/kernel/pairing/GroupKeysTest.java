package dev.zerok.kernel.pairing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.KeyDerivation;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import org.junit.jupiter.api.Test;

class GroupKeysTest {
    private final KeyExchange crypto = crypto();
    private final byte[] secret = new SeededEntropy(5).bytes(GroupKeys.SECRET_BYTES);

    @Test
    void chunkKey_sameSecret_sameThirtyTwoBytes() throws Exception {
        try (GroupKeys a = GroupKeys.derive(crypto, Secret.copyOf(secret));
                GroupKeys b = GroupKeys.derive(crypto, Secret.copyOf(secret))) {
            assertThat(a.chunkKey().length()).isEqualTo(32);
            assertThat(a.chunkKey().contentEquals(b.chunkKey())).isTrue();
        }
    }

    @Test
    void chunkKey_differsFromContentKeyAndFromAnotherGroupsChunkKey() throws Exception {
        byte[] otherSecret = secret.clone();
        otherSecret[0] ^= 1;
        try (GroupKeys a = GroupKeys.derive(crypto, Secret.copyOf(secret));
                GroupKeys other = GroupKeys.derive(crypto, Secret.copyOf(otherSecret))) {
            assertThat(a.chunkKey().contentEquals(a.contentKey())).isFalse();
            assertThat(a.chunkKey().contentEquals(other.chunkKey())).isFalse();
        }
    }

    @Test
    void chunkKey_isHkdfOfTheGroupSecretWithTheChunkKeyLabelAndGroupId() throws Exception {
        try (GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(secret));
                Secret expected = KeyDerivation.hkdf(crypto.hash("SHA256"), new byte[0], secret, 32,
                        KeyDerivation.info("chunk-key", keys.groupId().bytes()))) {
            assertThat(keys.chunkKey().contentEquals(expected)).isTrue();
        }
    }

    @Test
    void close_destroysTheChunkKeyWithTheOthers() throws Exception {
        GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(secret));
        Secret chunkKey = keys.chunkKey();
        keys.close();
        assertThat(chunkKey.isDestroyed()).isTrue();
        assertThat(keys.contentKey().isDestroyed()).isTrue();
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
