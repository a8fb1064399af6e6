package dev.zerok.kernel.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlobSealerTest {
    private final SeededEntropy entropy = new SeededEntropy(3);
    private final KeyExchange crypto = crypto();
    private final BlobSealer sealer = create();
    private final Secret key = Secret.adopt(entropy.bytes(32));
    private final GroupId group = new GroupId(entropy.bytes(32));
    private final BlobId blob = new BlobId(entropy.bytes(16));
    private final DeviceId sender = new DeviceId(entropy.bytes(32));
    private final byte[] plaintext = "the quick brown fox".getBytes(StandardCharsets.US_ASCII);

    @Test
    void seal_thenOpen_roundTripsWithOverheadAndContentHashOfCiphertext() throws Exception {
        BlobSealer.Sealed sealed = sealer.seal(key, group, blob, sender, plaintext);
        assertThat(sealed.bytes()).hasSize(plaintext.length + BlobSealer.OVERHEAD_BYTES);
        assertThat(sealed.bytes()[0]).isEqualTo(BlobSealer.VERSION);
        assertThat(sealed.contentHash().bytes()).isEqualTo(crypto.hash("SHA256").digest(sealed.bytes()));
        assertThat(sealer.open(key, group, blob, sender, sealed.bytes())).isEqualTo(plaintext);
    }

    @Test
    void seal_samePlaintextTwice_differentNoncesAndCiphertexts() throws Exception {
        assertThat(sealer.seal(key, group, blob, sender, plaintext).bytes())
                .isNotEqualTo(sealer.seal(key, group, blob, sender, plaintext).bytes());
    }

    @Test
    void open_movedToOtherGroupBlobOrSender_authenticationFails() throws Exception {
        byte[] sealed = sealer.seal(key, group, blob, sender, plaintext).bytes();
        assertAuthFails(() -> sealer.open(key, new GroupId(new byte[32]), blob, sender, sealed));
        assertAuthFails(() -> sealer.open(key, group, new BlobId(new byte[16]), sender, sealed));
        assertAuthFails(() -> sealer.open(key, group, blob, new DeviceId(new byte[32]), sealed));
        assertAuthFails(() -> sealer.open(Secret.copyOf(new byte[32]), group, blob, sender, sealed));
    }

    @Test
    void open_anyBitFlipped_authenticationFailsOrVersionRejected() throws Exception {
        byte[] sealed = sealer.seal(key, group, blob, sender, plaintext).bytes();
        for (int bit = 8; bit < sealed.length * 8; bit++) {
            byte[] flipped = sealed.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertAuthFails(() -> sealer.open(key, group, blob, sender, flipped));
        }
        byte[] otherVersion = sealed.clone();
        otherVersion[0] = 2;
        assertThatThrownBy(() -> sealer.open(key, group, blob, sender, otherVersion))
                .isInstanceOfSatisfying(SealingException.class,
                        e -> assertThat(e.code()).isEqualTo(SealingException.Code.UNSUPPORTED_VERSION));
    }

    @Test
    void open_truncated_malformedOrAuthenticationFailure() throws Exception {
        byte[] sealed = sealer.seal(key, group, blob, sender, plaintext).bytes();
        assertThatThrownBy(() -> sealer.open(key, group, blob, sender, Arrays.copyOf(sealed, 40)))
                .isInstanceOfSatisfying(SealingException.class,
                        e -> assertThat(e.code()).isEqualTo(SealingException.Code.MALFORMED));
        assertAuthFails(() -> sealer.open(key, group, blob, sender, Arrays.copyOf(sealed, sealed.length - 1)));
    }

    private static void assertAuthFails(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SealingException.class,
                e -> assertThat(e.code()).isEqualTo(SealingException.Code.AUTHENTICATION_FAILED));
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private BlobSealer create() {
        try {
            return BlobSealer.create(crypto, entropy);
        } catch (SealingException e) {
            throw new AssertionError(e);
        }
    }
}
